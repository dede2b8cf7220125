package importer

import (
	"context"
	"fmt"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/vhd"
)

// stepVerify compares the disk's page ranges with the ranges the upload wrote, so a lost write fails the
// build instead of producing an image with holes.
type stepVerify struct{}

func (stepVerify) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	r, err := getRun(state)
	if err != nil {
		return multistep.ActionHalt
	}
	client, err := vhd.NewPageBlobClient(r.sasURL, r.az.blobTransport)
	if err != nil {
		return halt(state, r.ui, fmt.Errorf("opening the disk's SAS URL: %w", err))
	}
	if err := vhd.VerifyPageRanges(ctx, client, r.upload.Ranges); err != nil {
		return halt(state, r.ui, fmt.Errorf("verifying the upload: %w", err))
	}
	r.ui.Say(fmt.Sprintf("Verified: the disk holds exactly the %d ranges written", len(r.upload.Ranges)))
	return multistep.ActionContinue
}

func (stepVerify) Cleanup(multistep.StateBag) {}
