package importer

import (
	"context"
	"fmt"

	"github.com/hashicorp/packer-plugin-sdk/multistep"
)

// stepCheckTarget refuses to start when the image name is taken: the builder never overwrites an image
// it did not create. The GET also proves the credential works before any write.
type stepCheckTarget struct{}

func (stepCheckTarget) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	r, err := getRun(state)
	if err != nil {
		return multistep.ActionHalt
	}
	c := r.cfg
	_, err = r.az.images.Get(ctx, c.ResourceGroup, c.ImageName, nil)
	switch {
	case err == nil:
		return halt(state, r.ui, fmt.Errorf("a managed image named %q already exists in resource group %q; choose another image_name or delete that image first", c.ImageName, c.ResourceGroup))
	case !isNotFound(err):
		return halt(state, r.ui, describe(fmt.Sprintf("checking whether image %q exists", c.ImageName), err))
	}
	return multistep.ActionContinue
}

func (stepCheckTarget) Cleanup(multistep.StateBag) {}
