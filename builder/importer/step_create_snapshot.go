package importer

import (
	"context"
	"fmt"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	"github.com/hashicorp/packer-plugin-sdk/multistep"
)

// stepCheckSnapshot refuses to start when a snapshot named image_name exists: the builder never
// overwrites a snapshot it did not create. It runs before any upload.
type stepCheckSnapshot struct{}

func (stepCheckSnapshot) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	r, err := getRun(state)
	if err != nil {
		return multistep.ActionHalt
	}
	c := r.cfg
	_, err = r.az.snapshots.Get(ctx, c.ResourceGroup, c.ImageName, nil)
	switch {
	case err == nil:
		return halt(state, r.ui, fmt.Errorf("a snapshot named %q already exists in resource group %q; choose another image_name or delete that snapshot first", c.ImageName, c.ResourceGroup))
	case !isNotFound(err):
		return halt(state, r.ui, describe(fmt.Sprintf("checking whether snapshot %q exists", c.ImageName), err))
	}
	return multistep.ActionContinue
}

func (stepCheckSnapshot) Cleanup(multistep.StateBag) {}

// stepCreateSnapshot makes the snapshot the post-processor publishes (osDiskImage.source.id), copied
// from the uploaded or imported disk or from source_disk_id; it keeps the disk's OS type, generation and
// architecture. A source_snapshot_id is passed on unchanged after one GET. On failure or Ctrl-C it
// deletes the snapshot only if this run created it.
type stepCreateSnapshot struct{}

func (stepCreateSnapshot) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	r, err := getRun(state)
	if err != nil {
		return multistep.ActionHalt
	}
	c := r.cfg
	if c.SourceSnapshotID != "" {
		rid, err := arm.ParseResourceID(c.SourceSnapshotID)
		if err != nil {
			return halt(state, r.ui, fmt.Errorf("source_snapshot_id: %w", err))
		}
		s, err := r.az.snapshots.Get(ctx, rid.ResourceGroupName, rid.Name, nil)
		if err != nil {
			return halt(state, r.ui, describe("reading source_snapshot_id", err))
		}
		r.snapshotID = deref(s.ID)
		r.recordSnapshotSize(s.Snapshot)
		r.ui.Say("Passing on snapshot " + r.snapshotID)
		return multistep.ActionContinue
	}
	from := r.diskID
	if c.SourceDiskID != "" {
		from = c.SourceDiskID
	}
	r.ui.Say(fmt.Sprintf("Creating snapshot %s in %s from %s...", c.ImageName, c.Location, from))
	spec := armcompute.Snapshot{
		Location: to.Ptr(c.Location),
		Tags:     tagPtrs(c.Tags),
		SKU:      &armcompute.SnapshotSKU{Name: to.Ptr(armcompute.SnapshotStorageAccountTypesStandardLRS)},
		Properties: &armcompute.SnapshotProperties{
			CreationData:          &armcompute.CreationData{CreateOption: to.Ptr(armcompute.DiskCreateOptionCopy), SourceResourceID: to.Ptr(from)},
			OSType:                to.Ptr(armcompute.OperatingSystemTypes(c.OSType)),
			HyperVGeneration:      to.Ptr(armcompute.HyperVGeneration(c.HyperVGeneration)),
			SupportedCapabilities: &armcompute.SupportedCapabilities{Architecture: to.Ptr(armcompute.Architecture(c.Architecture))},
		},
	}
	p, err := r.az.snapshots.BeginCreateOrUpdate(ctx, c.ResourceGroup, c.ImageName, spec, nil)
	if err != nil {
		return halt(state, r.ui, describe(fmt.Sprintf("creating snapshot %q", c.ImageName), err))
	}
	r.snapshotCreated = true // it may exist even if the operation later fails
	res, err := wait(ctx, p, r.az)
	if err != nil {
		return halt(state, r.ui, describe(fmt.Sprintf("creating snapshot %q", c.ImageName), err))
	}
	r.snapshotID = deref(res.ID)
	r.recordSnapshotSize(res.Snapshot)
	r.ui.Say("Created snapshot " + r.snapshotID)
	return multistep.ActionContinue
}

func (r *run) recordSnapshotSize(s armcompute.Snapshot) {
	if r.sizeBytes == 0 && s.Properties != nil && s.Properties.DiskSizeBytes != nil {
		r.sizeBytes = *s.Properties.DiskSizeBytes
	}
}

func (stepCreateSnapshot) Cleanup(state multistep.StateBag) {
	r, err := getRun(state)
	if err != nil || !r.snapshotCreated || !failed(state) {
		return
	}
	ctx, cancel := cleanupContext()
	defer cancel()
	r.ui.Say(fmt.Sprintf("Deleting snapshot %s after the failed build...", r.cfg.ImageName))
	if err := r.deleteSnapshot(ctx); err != nil {
		r.ui.Error(err.Error())
	}
}

// deleteSnapshot deletes the snapshot this run created; a 404 counts as done.
func (r *run) deleteSnapshot(ctx context.Context) error {
	c := r.cfg
	p, err := r.az.snapshots.BeginDelete(ctx, c.ResourceGroup, c.ImageName, nil)
	if err == nil {
		_, err = wait(ctx, p, r.az)
	}
	if err != nil && !isNotFound(err) {
		return describe(fmt.Sprintf("deleting snapshot %q; delete it yourself", c.ImageName), err)
	}
	r.snapshotCreated = false
	return nil
}
