package emulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	azarm "github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
)

// cloudFromMetadata builds the cloud configuration the way a client of a custom cloud does: from
// https://{metadata_host}/metadata/endpoints?api-version=2022-09-01.
func cloudFromMetadata(t *testing.T, ready emulator.Ready, hc *http.Client) cloud.Configuration {
	t.Helper()
	resp, err := hc.Get("https://" + ready.MetadataHost + "/metadata/endpoints?api-version=2022-09-01")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var md struct {
		ResourceManager string `json:"resourceManager"`
		Authentication  struct {
			LoginEndpoint string   `json:"loginEndpoint"`
			Audiences     []string `json:"audiences"`
		} `json:"authentication"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&md); err != nil {
		t.Fatal(err)
	}
	if md.ResourceManager == "" || md.Authentication.LoginEndpoint == "" || len(md.Authentication.Audiences) == 0 {
		t.Fatalf("metadata lacks endpoints: %+v", md)
	}
	return cloud.Configuration{
		ActiveDirectoryAuthorityHost: md.Authentication.LoginEndpoint,
		Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
			cloud.ResourceManager: {Audience: md.Authentication.Audiences[0], Endpoint: md.ResourceManager},
		},
	}
}

// sdkClients are the real SDK clients: azidentity's ClientSecretCredential through the emulator's token
// endpoint, armresources and armcompute factories, trust from the generated CA only.
type sdkClients struct {
	rg      *armresources.ResourceGroupsClient
	compute *armcompute.ClientFactory
}

func newSDKClients(t *testing.T, ready emulator.Ready) sdkClients {
	t.Helper()
	hc, err := ready.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	cl := cloudFromMetadata(t, ready, hc)
	cred, err := azidentity.NewClientSecretCredential(ready.TenantID, ready.ClientID, ready.ClientSecret, &azidentity.ClientSecretCredentialOptions{
		ClientOptions:            policy.ClientOptions{Cloud: cl, Transport: hc},
		DisableInstanceDiscovery: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	opts := &azarm.ClientOptions{ClientOptions: policy.ClientOptions{Cloud: cl, Transport: hc,
		Retry: policy.RetryOptions{RetryDelay: 100 * time.Millisecond, MaxRetryDelay: time.Second}}}
	rf, err := armresources.NewClientFactory(ready.SubscriptionID, cred, opts)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := armcompute.NewClientFactory(ready.SubscriptionID, cred, opts)
	if err != nil {
		t.Fatal(err)
	}
	return sdkClients{rg: rf.NewResourceGroupsClient(), compute: cf}
}

var fastPoll = &runtime.PollUntilDoneOptions{Frequency: 200 * time.Millisecond}

// wantCode checks that err is an *azcore.ResponseError with code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		t.Errorf("%s: want ResponseError %s, got %v", what, code, err)
		return
	}
	if re.ErrorCode != code {
		t.Errorf("%s: ErrorCode = %q (status %d), want %q", what, re.ErrorCode, re.StatusCode, code)
	}
}

func integrationOptions(dir string) emulator.Options {
	return emulator.Options{
		DataDir: dir,
		Regions: []string{"eastus", "eastus2", "westus", "westeurope", "northeurope"},
		// Long enough that a loaded machine, where each poll takes a while, still sees the progress rise
		// three times and restarts the emulator mid-replication (2 s was a race under load).
		Replication: emulator.ReplicationConfig{
			SecondsPerGiB:   0.5,
			RegionBaseDelay: emulator.Duration(10 * time.Second),
			RegionDelays:    map[string]emulator.Duration{"westeurope": emulator.Duration(12 * time.Second)},
		},
		OperationDelay: emulator.Duration(100 * time.Millisecond),
		Quotas:         emulator.QuotaConfig{GalleriesPerRegion: 2},
	}
}

const (
	rgName  = "rg-int"
	galName = "galint"
)

// TestSDKIntegration drives the emulator with the real armcompute v8 client and pollers: a version to
// three regions, replication progress rising, a restart mid-replication, and each validation error.
func TestSDKIntegration(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (about 20 s)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	opts := integrationOptions(t.TempDir())
	srv, err := emulator.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ready, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	c := newSDKClients(t, ready)

	if _, err := c.rg.CreateOrUpdate(ctx, rgName, armresources.ResourceGroup{Location: to.Ptr("eastus")}, nil); err != nil {
		t.Fatal(err)
	}
	imageEast := createImage(ctx, t, c, "eastus", "img-east", armcompute.HyperVGenerationTypesV2, armcompute.OperatingSystemStateTypesGeneralized)
	gal := mustPoll(ctx, t, "gallery", func() (*runtime.Poller[armcompute.GalleriesClientCreateOrUpdateResponse], error) {
		return c.compute.NewGalleriesClient().BeginCreateOrUpdate(ctx, rgName, galName, armcompute.Gallery{Location: to.Ptr("eastus"),
			Properties: &armcompute.GalleryProperties{Description: to.Ptr("integration")}}, nil)
	})
	if gal.ID == nil {
		t.Fatal("gallery has no id")
	}
	def := mustPoll(ctx, t, "definition", func() (*runtime.Poller[armcompute.GalleryImagesClientCreateOrUpdateResponse], error) {
		return c.compute.NewGalleryImagesClient().BeginCreateOrUpdate(ctx, rgName, galName, "def", definition("eastus", armcompute.HyperVGenerationV2), nil)
	})
	if !hasFeature(def.Properties.Features, "SecurityType", "TrustedLaunchSupported") {
		t.Errorf("a new definition should default to TrustedLaunchSupported: %+v", def.Properties.Features)
	}

	versions := c.compute.NewGalleryImageVersionsClient()
	poller, err := versions.BeginCreateOrUpdate(ctx, rgName, galName, "def", "1.0.0",
		version("eastus", *imageEast.ID, region("East US", 1), region("westus", 2), region("West Europe", 1)), nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := watchProgress(ctx, t, versions, poller, 3)

	// Restart mid-replication on the same data dir and address; the same poller must finish.
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	srv2, err := emulator.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv2.Close() })
	if _, err := srv2.Start(ready.MetadataHost); err != nil {
		t.Fatal(err)
	}
	done, err := poller.PollUntilDone(ctx, fastPoll)
	if err != nil {
		t.Fatalf("version poller after restart: %v", err)
	}
	if got := *done.Properties.ProvisioningState; got != armcompute.GalleryProvisioningStateSucceeded {
		t.Errorf("provisioningState = %s", got)
	}
	final, err := versions.Get(ctx, rgName, galName, "def", "1.0.0", &armcompute.GalleryImageVersionsClientGetOptions{Expand: to.Ptr(armcompute.ReplicationStatusTypesReplicationStatus)})
	if err != nil {
		t.Fatal(err)
	}
	rs := final.Properties.ReplicationStatus
	if rs == nil || *rs.AggregatedState != armcompute.AggregatedReplicationStateCompleted || len(rs.Summary) != 3 {
		t.Fatalf("final replication status: %+v", rs)
	}
	for _, s := range rs.Summary {
		if *s.State != armcompute.ReplicationStateCompleted || *s.Progress != 100 {
			t.Errorf("region %s: %s %d%%", *s.Region, *s.State, *s.Progress)
		}
	}
	t.Logf("progress observed before the restart: %v", seen)

	t.Run("validation", func(t *testing.T) { validationErrors(ctx, t, c, *imageEast.ID) })
}

// watchProgress polls the LRO and the $expand=ReplicationStatus view until it has seen a region's
// progress rise at least minRises times, checking progress never falls and the LRO stays InProgress.
func watchProgress(ctx context.Context, t *testing.T, versions *armcompute.GalleryImageVersionsClient,
	poller *runtime.Poller[armcompute.GalleryImageVersionsClientCreateOrUpdateResponse], minRises int) map[string][]int32 {
	t.Helper()
	seen := map[string][]int32{}
	rises := 0
	for rises < minRises {
		if _, err := poller.Poll(ctx); err != nil {
			t.Fatalf("poll: %v", err)
		}
		if poller.Done() {
			t.Fatalf("the version finished before replication progress was observed rising %d times (seen %v); slow the replication down", minRises, seen)
		}
		got, err := versions.Get(ctx, rgName, galName, "def", "1.0.0", &armcompute.GalleryImageVersionsClientGetOptions{Expand: to.Ptr(armcompute.ReplicationStatusTypesReplicationStatus)})
		if err != nil {
			t.Fatal(err)
		}
		rs := got.Properties.ReplicationStatus
		if rs == nil || len(rs.Summary) != 3 {
			t.Fatalf("replication status: %+v", rs)
		}
		if *rs.AggregatedState == armcompute.AggregatedReplicationStateCompleted {
			t.Fatalf("aggregated state Completed while the LRO is still InProgress")
		}
		for _, s := range rs.Summary {
			r, p := *s.Region, *s.Progress
			prev := seen[r]
			if len(prev) > 0 && p < prev[len(prev)-1] {
				t.Fatalf("region %s progress fell from %d to %d", r, prev[len(prev)-1], p)
			}
			if len(prev) == 0 || p > prev[len(prev)-1] {
				if len(prev) > 0 {
					rises++
				}
				seen[r] = append(prev, p)
			}
		}
		select {
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
	return seen
}

func mustPoll[T any](ctx context.Context, t *testing.T, what string, begin func() (*runtime.Poller[T], error)) T {
	t.Helper()
	p, err := begin()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	res, err := p.PollUntilDone(ctx, fastPoll)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return res
}

// createImage makes a managed image from a new empty 4 GiB disk.
func createImage(ctx context.Context, t *testing.T, c sdkClients, loc, name string, hv armcompute.HyperVGenerationTypes, state armcompute.OperatingSystemStateTypes) armcompute.Image {
	t.Helper()
	disk := mustPoll(ctx, t, "disk "+name, func() (*runtime.Poller[armcompute.DisksClientCreateOrUpdateResponse], error) {
		return c.compute.NewDisksClient().BeginCreateOrUpdate(ctx, rgName, name+"-disk", armcompute.Disk{Location: to.Ptr(loc),
			Properties: &armcompute.DiskProperties{
				CreationData:     &armcompute.CreationData{CreateOption: to.Ptr(armcompute.DiskCreateOptionEmpty)},
				DiskSizeGB:       to.Ptr[int32](4),
				OSType:           to.Ptr(armcompute.OperatingSystemTypesLinux),
				HyperVGeneration: to.Ptr(armcompute.HyperVGeneration(hv)),
			}}, nil)
	})
	img := mustPoll(ctx, t, "image "+name, func() (*runtime.Poller[armcompute.ImagesClientCreateOrUpdateResponse], error) {
		return c.compute.NewImagesClient().BeginCreateOrUpdate(ctx, rgName, name, armcompute.Image{Location: to.Ptr(loc),
			Properties: &armcompute.ImageProperties{
				HyperVGeneration: to.Ptr(hv),
				StorageProfile: &armcompute.ImageStorageProfile{OSDisk: &armcompute.ImageOSDisk{
					OSType: to.Ptr(armcompute.OperatingSystemTypesLinux), OSState: to.Ptr(state),
					ManagedDisk: &armcompute.SubResource{ID: disk.ID},
				}},
			}}, nil)
	})
	return img.Image
}

func definition(loc string, hv armcompute.HyperVGeneration) armcompute.GalleryImage {
	return armcompute.GalleryImage{Location: to.Ptr(loc), Properties: &armcompute.GalleryImageProperties{
		OSType:           to.Ptr(armcompute.OperatingSystemTypesLinux),
		OSState:          to.Ptr(armcompute.OperatingSystemStateTypesGeneralized),
		HyperVGeneration: to.Ptr(hv),
		Identifier:       &armcompute.GalleryImageIdentifier{Publisher: to.Ptr("emu"), Offer: to.Ptr("int"), SKU: to.Ptr(string(hv))},
	}}
}

func region(name string, replicas int32) *armcompute.TargetRegion {
	return &armcompute.TargetRegion{Name: to.Ptr(name), RegionalReplicaCount: to.Ptr(replicas)}
}

func version(loc, sourceID string, regions ...*armcompute.TargetRegion) armcompute.GalleryImageVersion {
	return armcompute.GalleryImageVersion{Location: to.Ptr(loc), Properties: &armcompute.GalleryImageVersionProperties{
		PublishingProfile: &armcompute.GalleryImageVersionPublishingProfile{TargetRegions: regions},
		StorageProfile:    &armcompute.GalleryImageVersionStorageProfile{Source: &armcompute.GalleryArtifactVersionFullSource{ID: to.Ptr(sourceID)}},
	}}
}

func hasFeature(fs []*armcompute.GalleryImageFeature, name, value string) bool {
	for _, f := range fs {
		if f != nil && f.Name != nil && f.Value != nil && *f.Name == name && *f.Value == value {
			return true
		}
	}
	return false
}
