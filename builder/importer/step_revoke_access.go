package importer

import (
	"context"

	"github.com/hashicorp/packer-plugin-sdk/multistep"
)

// stepRevokeAccess ends the write SAS once the upload is verified (endGetAccess), which turns the disk
// into one an image can be made from. If the build stops earlier, stepGrantAccess.Cleanup revokes it.
type stepRevokeAccess struct{}

func (stepRevokeAccess) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	r, err := getRun(state)
	if err != nil {
		return multistep.ActionHalt
	}
	if err := r.revokeAccess(ctx); err != nil {
		state.Put("error", err)
		return multistep.ActionHalt
	}
	return multistep.ActionContinue
}

func (stepRevokeAccess) Cleanup(multistep.StateBag) {}
