package importer

import (
	"context"
	"fmt"

	"github.com/hashicorp/packer-plugin-sdk/multistep"
)

// stepInspectSource checks source_file again right before the upload (it may have changed since
// `packer validate`), so a corrupt or truncated file is refused before any Azure call that writes.
type stepInspectSource struct{}

func (stepInspectSource) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	r, err := getRun(state)
	if err != nil {
		return multistep.ActionHalt
	}
	img, err := inspectFile(r.cfg.SourceFile)
	if err != nil {
		return halt(state, r.ui, fmt.Errorf("source_file: %w", err))
	}
	r.local = img
	r.sizeBytes = img.VirtualSize
	r.ui.Say(fmt.Sprintf("Source %s: %s, %d bytes; uploading as a %d MiB fixed VHD", img.Path, img.Format, img.FileSize, img.VirtualSize>>20))
	return multistep.ActionContinue
}

func (stepInspectSource) Cleanup(multistep.StateBag) {}
