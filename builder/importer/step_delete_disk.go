package importer

import (
	"context"

	"github.com/hashicorp/packer-plugin-sdk/multistep"
)

// stepDeleteDisk deletes the temporary disk once the image exists, unless keep_temporary_disk is set.
// A failure here does not fail the build: the image is done, and the message names the disk to delete.
type stepDeleteDisk struct{}

func (stepDeleteDisk) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	r, err := getRun(state)
	if err != nil {
		return multistep.ActionHalt
	}
	if !r.diskCreated {
		return multistep.ActionContinue
	}
	if r.cfg.KeepTemporaryDisk {
		r.ui.Say("Keeping temporary disk " + r.diskID + " (keep_temporary_disk)")
		return multistep.ActionContinue
	}
	_ = r.deleteDisk(ctx, "Deleting temporary disk %s...")
	return multistep.ActionContinue
}

func (stepDeleteDisk) Cleanup(multistep.StateBag) {}
