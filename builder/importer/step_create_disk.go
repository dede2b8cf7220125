package importer

import (
	"context"
	"fmt"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	"github.com/hashicorp/packer-plugin-sdk/multistep"
)

// stepCreateDisk creates the temporary managed disk: empty and awaiting upload (createOption Upload) for
// source_file, or imported from the blob (createOption Import) for source_vhd_uri. It refuses a name that
// is taken, and on failure or Ctrl-C deletes the disk only if this run created it.
type stepCreateDisk struct{}

func (stepCreateDisk) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	r, err := getRun(state)
	if err != nil {
		return multistep.ActionHalt
	}
	c := r.cfg
	if _, err := r.az.disks.Get(ctx, c.ResourceGroup, c.TempDiskName, nil); err == nil {
		return halt(state, r.ui, fmt.Errorf("a disk named %q already exists in resource group %q; set temp_disk_name to an unused name", c.TempDiskName, c.ResourceGroup))
	} else if !isNotFound(err) {
		return halt(state, r.ui, describe("checking the temporary disk name", err))
	}
	r.ui.Say(fmt.Sprintf("Creating temporary disk %s...", c.TempDiskName))
	p, err := r.az.disks.BeginCreateOrUpdate(ctx, c.ResourceGroup, c.TempDiskName, r.diskSpec(), nil)
	if err != nil {
		return halt(state, r.ui, describe("creating the temporary disk", err))
	}
	r.diskCreated = true // it may exist even if the operation later fails
	d, err := wait(ctx, p, r.az)
	if err != nil {
		return halt(state, r.ui, describe("creating the temporary disk", err))
	}
	r.diskID = deref(d.ID)
	if r.local == nil && d.Properties != nil && d.Properties.DiskSizeBytes != nil {
		r.sizeBytes = *d.Properties.DiskSizeBytes
	}
	return multistep.ActionContinue
}

// diskSpec is the disk to create for the configured source.
func (r *run) diskSpec() armcompute.Disk {
	c := r.cfg
	cd := &armcompute.CreationData{}
	if r.local != nil {
		cd.CreateOption = to.Ptr(armcompute.DiskCreateOptionUpload)
		cd.UploadSizeBytes = to.Ptr(r.local.UploadSize)
	} else {
		cd.CreateOption = to.Ptr(armcompute.DiskCreateOptionImport)
		cd.SourceURI = to.Ptr(c.SourceVHDURI)
		cd.StorageAccountID = to.Ptr(c.SourceStorageAccountID)
	}
	return armcompute.Disk{
		Location: to.Ptr(c.Location),
		Tags:     tagPtrs(c.Tags),
		SKU:      &armcompute.DiskSKU{Name: to.Ptr(armcompute.DiskStorageAccountTypesStandardLRS)},
		Properties: &armcompute.DiskProperties{
			CreationData:          cd,
			OSType:                to.Ptr(armcompute.OperatingSystemTypes(c.OSType)),
			HyperVGeneration:      to.Ptr(armcompute.HyperVGeneration(c.HyperVGeneration)),
			SupportedCapabilities: &armcompute.SupportedCapabilities{Architecture: to.Ptr(armcompute.Architecture(c.Architecture))},
		},
	}
}

// Cleanup deletes the disk after a failure or Ctrl-C, if this run created it; stepDeleteDisk handles
// the success path.
func (stepCreateDisk) Cleanup(state multistep.StateBag) {
	r, err := getRun(state)
	if err != nil || !r.diskCreated || !failed(state) {
		return
	}
	ctx, cancel := cleanupContext()
	defer cancel()
	_ = r.deleteDisk(ctx, "Deleting temporary disk %s after the failed build...")
}

// deleteDisk deletes the temporary disk this run created, reporting (not failing on) errors in cleanup.
func (r *run) deleteDisk(ctx context.Context, msg string) error {
	c := r.cfg
	r.ui.Say(fmt.Sprintf(msg, c.TempDiskName))
	err := remove(ctx, r.az, r.ui, "temporary disk "+c.TempDiskName, func(ctx context.Context) (*runtime.Poller[armcompute.DisksClientDeleteResponse], error) {
		return r.az.disks.BeginDelete(ctx, c.ResourceGroup, c.TempDiskName, nil)
	})
	if err != nil {
		err = describe(fmt.Sprintf("deleting temporary disk %s; delete it yourself", named(c.TempDiskName, r.diskID)), err)
		r.ui.Error(err.Error())
		return err
	}
	r.diskCreated = false
	return nil
}

func tagPtrs(tags map[string]string) map[string]*string {
	if len(tags) == 0 {
		return nil
	}
	out := make(map[string]*string, len(tags))
	for k, v := range tags {
		out[k] = to.Ptr(v)
	}
	return out
}
