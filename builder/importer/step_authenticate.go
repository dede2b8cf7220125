package importer

import (
	"context"

	"github.com/hashicorp/packer-plugin-sdk/multistep"
)

// stepAuthenticate builds the Azure clients from the auth block. It is first so that a bad credential or
// cloud stops the build before anything is read or created.
type stepAuthenticate struct{}

func (stepAuthenticate) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	r, err := getRun(state)
	if err != nil {
		return multistep.ActionHalt
	}
	r.ui.Say("Connecting to Azure...")
	az, err := r.connect(ctx, r.cfg)
	if err != nil {
		return halt(state, r.ui, describe("authenticating to Azure", err))
	}
	r.az = az
	return multistep.ActionContinue
}

func (stepAuthenticate) Cleanup(multistep.StateBag) {}
