package acctest

import (
	"context"
	"fmt"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/emulatortest"
)

// SourceImage describes a managed image to create in the emulator for a publish test.
type SourceImage struct {
	ResourceGroup    string
	Location         string
	Name             string
	OSType           armcompute.OperatingSystemTypes  // default Linux
	HyperVGeneration armcompute.HyperVGenerationTypes // default V2
	SizeGB           int32                            // default 1
}

// CreateSourceImage creates the resource group, an empty managed disk and a generalized managed image
// from it, through the emulator's ARM API with the official clients, and returns the image's ID.
func (e *Emulator) CreateSourceImage(ctx context.Context, tb testing.TB, s SourceImage) string {
	tb.Helper()
	if s.OSType == "" {
		s.OSType = armcompute.OperatingSystemTypesLinux
	}
	if s.HyperVGeneration == "" {
		s.HyperVGeneration = armcompute.HyperVGenerationTypesV2
	}
	if s.SizeGB == 0 {
		s.SizeGB = 1
	}
	cred := emulatortest.Credential(tb, e.Ready)
	opts := emulatortest.ClientOptions(tb, e.Ready)
	if err := e.CreateResourceGroup(ctx, tb, s.ResourceGroup, s.Location); err != nil {
		tb.Fatal(err)
	}
	cf, err := armcompute.NewClientFactory(e.SubscriptionID, cred, opts)
	if err != nil {
		tb.Fatal(err)
	}
	dp, err := cf.NewDisksClient().BeginCreateOrUpdate(ctx, s.ResourceGroup, s.Name+"-osdisk", armcompute.Disk{
		Location: to.Ptr(s.Location),
		Properties: &armcompute.DiskProperties{
			CreationData:     &armcompute.CreationData{CreateOption: to.Ptr(armcompute.DiskCreateOptionEmpty)},
			DiskSizeGB:       to.Ptr(s.SizeGB),
			OSType:           to.Ptr(s.OSType),
			HyperVGeneration: to.Ptr(armcompute.HyperVGeneration(s.HyperVGeneration)),
		},
	}, nil)
	if err != nil {
		tb.Fatalf("creating the source disk: %v", err)
	}
	disk, err := dp.PollUntilDone(ctx, nil)
	if err != nil {
		tb.Fatalf("creating the source disk: %v", err)
	}
	ip, err := cf.NewImagesClient().BeginCreateOrUpdate(ctx, s.ResourceGroup, s.Name, armcompute.Image{
		Location: to.Ptr(s.Location),
		Properties: &armcompute.ImageProperties{
			HyperVGeneration: to.Ptr(s.HyperVGeneration),
			StorageProfile: &armcompute.ImageStorageProfile{
				OSDisk: &armcompute.ImageOSDisk{
					OSType:      to.Ptr(s.OSType),
					OSState:     to.Ptr(armcompute.OperatingSystemStateTypesGeneralized),
					ManagedDisk: &armcompute.SubResource{ID: disk.ID},
				},
			},
		},
	}, nil)
	if err != nil {
		tb.Fatalf("creating the source image: %v", err)
	}
	img, err := ip.PollUntilDone(ctx, nil)
	if err != nil {
		tb.Fatalf("creating the source image: %v", err)
	}
	return *img.ID
}

// CreateResourceGroup creates (or keeps) a resource group in the emulator's default subscription.
func (e *Emulator) CreateResourceGroup(ctx context.Context, tb testing.TB, name, location string) error {
	tb.Helper()
	rf, err := armresources.NewClientFactory(e.SubscriptionID, emulatortest.Credential(tb, e.Ready), emulatortest.ClientOptions(tb, e.Ready))
	if err != nil {
		return err
	}
	if _, err := rf.NewResourceGroupsClient().CreateOrUpdate(ctx, name, armresources.ResourceGroup{Location: to.Ptr(location)}, nil); err != nil {
		return fmt.Errorf("creating resource group %s: %w", name, err)
	}
	return nil
}
