package importer

import (
	"context"
	"fmt"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	"github.com/hashicorp/packer-plugin-sdk/multistep"
)

// stepCreateImage creates the generalized managed image from the temporary disk, the source snapshot or
// the source disk. On failure or Ctrl-C it deletes the image only if this run created it.
type stepCreateImage struct{}

func (stepCreateImage) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	r, err := getRun(state)
	if err != nil {
		return multistep.ActionHalt
	}
	c := r.cfg
	r.ui.Say(fmt.Sprintf("Creating managed image %s in %s...", c.ImageName, c.Location))
	p, err := r.az.images.BeginCreateOrUpdate(ctx, c.ResourceGroup, c.ImageName, r.imageSpec(), nil)
	if err != nil {
		return halt(state, r.ui, describe(fmt.Sprintf("creating image %q", c.ImageName), err))
	}
	r.imageCreated = true // it may exist even if the operation later fails
	res, err := wait(ctx, p, r.az)
	if err != nil {
		return halt(state, r.ui, describe(fmt.Sprintf("creating image %q", c.ImageName), err))
	}
	r.image = &res.Image
	r.imageID = deref(res.ID)
	if r.sizeBytes == 0 {
		if sp := res.Properties; sp != nil && sp.StorageProfile != nil && sp.StorageProfile.OSDisk != nil && sp.StorageProfile.OSDisk.DiskSizeGB != nil {
			r.sizeBytes = int64(*sp.StorageProfile.OSDisk.DiskSizeGB) << 30
		}
	}
	r.ui.Say("Created managed image " + r.imageID)
	return multistep.ActionContinue
}

// imageSpec is the image to create: one generalized OS disk from the configured source.
func (r *run) imageSpec() armcompute.Image {
	c := r.cfg
	od := &armcompute.ImageOSDisk{
		OSType:  to.Ptr(armcompute.OperatingSystemTypes(c.OSType)),
		OSState: to.Ptr(armcompute.OperatingSystemStateTypesGeneralized),
	}
	switch c.kind() {
	case sourceSnapshot:
		od.Snapshot = &armcompute.SubResource{ID: to.Ptr(c.SourceSnapshotID)}
	case sourceDisk:
		od.ManagedDisk = &armcompute.SubResource{ID: to.Ptr(c.SourceDiskID)}
	default:
		od.ManagedDisk = &armcompute.SubResource{ID: to.Ptr(r.diskID)}
	}
	return armcompute.Image{
		Location: to.Ptr(c.Location),
		Tags:     tagPtrs(c.Tags),
		Properties: &armcompute.ImageProperties{
			HyperVGeneration: to.Ptr(armcompute.HyperVGenerationTypes(c.HyperVGeneration)),
			StorageProfile:   &armcompute.ImageStorageProfile{OSDisk: od},
		},
	}
}

func (stepCreateImage) Cleanup(state multistep.StateBag) {
	r, err := getRun(state)
	if err != nil || !r.imageCreated || !failed(state) {
		return
	}
	ctx, cancel := cleanupContext()
	defer cancel()
	r.ui.Say(fmt.Sprintf("Deleting image %s after the failed build...", r.cfg.ImageName))
	if err := r.deleteImage(ctx); err != nil {
		r.ui.Error(err.Error())
	}
}

// deleteImage deletes the image this run created; a 404 counts as done.
func (r *run) deleteImage(ctx context.Context) error {
	c := r.cfg
	err := remove(ctx, r.az, r.ui, "image "+c.ImageName, func(ctx context.Context) (*runtime.Poller[armcompute.ImagesClientDeleteResponse], error) {
		return r.az.images.BeginDelete(ctx, c.ResourceGroup, c.ImageName, nil)
	})
	if err != nil {
		return describe(fmt.Sprintf("deleting image %s; delete it yourself", named(c.ImageName, r.imageID)), err)
	}
	r.imageCreated = false
	return nil
}
