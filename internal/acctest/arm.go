package acctest

import (
	"context"
	"fmt"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/identity"
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

// ARM returns a credential and client options for the emulator's service principal, trusting only its CA.
func (e *Emulator) ARM() (azcore.TokenCredential, *arm.ClientOptions, error) {
	hc, err := e.HTTPClient()
	if err != nil {
		return nil, nil, err
	}
	cloudCfg := cloud.Configuration{
		ActiveDirectoryAuthorityHost: e.Endpoint + "/",
		Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
			cloud.ResourceManager: {Audience: identity.DefaultAudience, Endpoint: e.Endpoint},
		},
	}
	co := policy.ClientOptions{Cloud: cloudCfg, Transport: hc}
	cred, err := azidentity.NewClientSecretCredential(e.TenantID, e.ClientID, e.ClientSecret, &azidentity.ClientSecretCredentialOptions{
		ClientOptions: co, DisableInstanceDiscovery: true,
	})
	if err != nil {
		return nil, nil, err
	}
	return cred, &arm.ClientOptions{ClientOptions: co}, nil
}

// CreateSourceImage is NewSourceImage for tests: it fails the test on error.
func (e *Emulator) CreateSourceImage(ctx context.Context, tb testing.TB, s SourceImage) string {
	tb.Helper()
	id, err := e.NewSourceImage(ctx, s)
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

// NewSourceImage creates the resource group, an empty managed disk and a generalized managed image from
// it, through the emulator's ARM API with the official clients, and returns the image's ID.
func (e *Emulator) NewSourceImage(ctx context.Context, s SourceImage) (string, error) {
	if s.OSType == "" {
		s.OSType = armcompute.OperatingSystemTypesLinux
	}
	if s.HyperVGeneration == "" {
		s.HyperVGeneration = armcompute.HyperVGenerationTypesV2
	}
	if s.SizeGB == 0 {
		s.SizeGB = 1
	}
	if err := e.NewResourceGroup(ctx, s.ResourceGroup, s.Location); err != nil {
		return "", err
	}
	cred, opts, err := e.ARM()
	if err != nil {
		return "", err
	}
	cf, err := armcompute.NewClientFactory(e.SubscriptionID, cred, opts)
	if err != nil {
		return "", err
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
		return "", fmt.Errorf("creating the source disk: %w", err)
	}
	disk, err := dp.PollUntilDone(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("creating the source disk: %w", err)
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
		return "", fmt.Errorf("creating the source image: %w", err)
	}
	img, err := ip.PollUntilDone(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("creating the source image: %w", err)
	}
	return *img.ID, nil
}

// CreateResourceGroup is NewResourceGroup for tests.
func (e *Emulator) CreateResourceGroup(ctx context.Context, tb testing.TB, name, location string) error {
	tb.Helper()
	return e.NewResourceGroup(ctx, name, location)
}

// NewResourceGroup creates (or keeps) a resource group in the emulator's default subscription.
func (e *Emulator) NewResourceGroup(ctx context.Context, name, location string) error {
	cred, opts, err := e.ARM()
	if err != nil {
		return err
	}
	rf, err := armresources.NewClientFactory(e.SubscriptionID, cred, opts)
	if err != nil {
		return err
	}
	if _, err := rf.NewResourceGroupsClient().CreateOrUpdate(ctx, name, armresources.ResourceGroup{Location: to.Ptr(location)}, nil); err != nil {
		return fmt.Errorf("creating resource group %s: %w", name, err)
	}
	return nil
}
