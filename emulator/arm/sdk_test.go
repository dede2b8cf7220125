package arm

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	azarm "github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/azuritetest"
)

// staticToken is a credential for the bare Service, which checks no tokens (the root package does).
type staticToken struct{}

func (staticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: "test", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

var pollFast = &runtime.PollUntilDoneOptions{Frequency: 50 * time.Millisecond}

// TestArmcomputeClients drives the Service with armcompute v8's real clients and pollers (real
// clock, short delays): every LRO kind, the disk grant poller's final result, paging and typed
// decoding of replicationStatus.
func TestArmcomputeClients(t *testing.T) {
	var blobEndpoint string
	if testing.Short() {
		t.Skip("uses the real clock")
	}
	// Disk access needs Azurite: used when installed, and required under ACCTEST_REQUIRED=1.
	if _, err := azuritetest.Bin(); err == nil || azuritetest.Required() {
		blobEndpoint = azuritetest.Start(t)
	}
	svc, err := New(Options{OperationDelay: 20 * time.Millisecond, PageSize: 1, BlobEndpoint: blobEndpoint,
		Replication: ReplicationModel{SecondsPerGiB: 0.05, RegionBaseDelay: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(svc)
	defer srv.Close()
	opts := &azarm.ClientOptions{ClientOptions: policy.ClientOptions{
		Cloud:     cloud.Configuration{Services: map[cloud.ServiceName]cloud.ServiceConfiguration{cloud.ResourceManager: {Endpoint: srv.URL, Audience: "https://management.azure.com"}}},
		Transport: srv.Client(),
	}}
	cf, err := armcompute.NewClientFactory(testSub, staticToken{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// The resource group, over plain HTTP through the same TLS client.
	req, _ := http.NewRequest("PUT", srv.URL+withAPI(rgPath("rg"), apiRG), stringsReader(`{"location":"westus"}`))
	req.Header.Set("Content-Type", "application/json")
	if resp, err := srv.Client().Do(req); err != nil || resp.StatusCode != 201 {
		t.Fatalf("resource group: %v %v", err, resp)
	}

	img := sdkCreateSources(ctx, t, cf, blobEndpoint)
	sdkPublishAndList(ctx, t, cf, img)
	sdkDeleteAll(ctx, t, cf)
}

// mustSDK fails the test at once on a client error.
func mustSDK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// sdkCreateSources creates the gallery, definition, disk, snapshot and managed image through the real
// pollers (granting and revoking disk access when Azurite runs) and returns the image.
func sdkCreateSources(ctx context.Context, t *testing.T, cf *armcompute.ClientFactory, blobEndpoint string) armcompute.ImagesClientCreateOrUpdateResponse {
	gp, err := cf.NewGalleriesClient().BeginCreateOrUpdate(ctx, "rg", "gal", armcompute.Gallery{Location: to.Ptr("westus")}, nil)
	mustSDK(t, err)
	g, err := gp.PollUntilDone(ctx, pollFast)
	mustSDK(t, err)
	if *g.Properties.ProvisioningState != armcompute.GalleryProvisioningStateSucceeded || g.Properties.Identifier == nil {
		t.Fatalf("gallery %+v", g.Properties)
	}
	dp, err := cf.NewGalleryImagesClient().BeginCreateOrUpdate(ctx, "rg", "gal", "def", armcompute.GalleryImage{Location: to.Ptr("westus"),
		Properties: &armcompute.GalleryImageProperties{OSType: to.Ptr(armcompute.OperatingSystemTypesLinux), OSState: to.Ptr(armcompute.OperatingSystemStateTypesGeneralized),
			Identifier: &armcompute.GalleryImageIdentifier{Publisher: to.Ptr("p"), Offer: to.Ptr("o"), SKU: to.Ptr("s")}}}, nil)
	mustSDK(t, err)
	def, err := dp.PollUntilDone(ctx, pollFast)
	mustSDK(t, err)
	if *def.Properties.HyperVGeneration != armcompute.HyperVGenerationV2 {
		t.Fatalf("definition default generation %v", *def.Properties.HyperVGeneration)
	}
	kp, err := cf.NewDisksClient().BeginCreateOrUpdate(ctx, "rg", "disk", armcompute.Disk{Location: to.Ptr("westus"), Properties: &armcompute.DiskProperties{
		CreationData: &armcompute.CreationData{CreateOption: to.Ptr(armcompute.DiskCreateOptionEmpty)}, DiskSizeGB: to.Ptr[int32](1),
		HyperVGeneration: to.Ptr(armcompute.HyperVGenerationV2), OSType: to.Ptr(armcompute.OperatingSystemTypesLinux)}}, nil)
	mustSDK(t, err)
	disk, err := kp.PollUntilDone(ctx, pollFast)
	mustSDK(t, err)
	if *disk.Properties.DiskState != armcompute.DiskStateUnattached {
		t.Fatalf("disk state %v", *disk.Properties.DiskState)
	}
	sp, err := cf.NewSnapshotsClient().BeginCreateOrUpdate(ctx, "rg", "snap", armcompute.Snapshot{Location: to.Ptr("westus"), Properties: &armcompute.SnapshotProperties{
		CreationData: &armcompute.CreationData{CreateOption: to.Ptr(armcompute.DiskCreateOptionCopy), SourceResourceID: disk.ID}}}, nil)
	mustSDK(t, err)
	_, err = sp.PollUntilDone(ctx, pollFast)
	mustSDK(t, err)
	if blobEndpoint != "" {
		ga, err := cf.NewDisksClient().BeginGrantAccess(ctx, "rg", "disk", armcompute.GrantAccessData{Access: to.Ptr(armcompute.AccessLevelRead), DurationInSeconds: to.Ptr[int32](60)}, nil)
		mustSDK(t, err)
		res, err := ga.PollUntilDone(ctx, pollFast)
		mustSDK(t, err)
		if res.AccessSAS == nil || *res.AccessSAS == "" {
			t.Fatal("grant access poller returned no SAS")
		}
		ra, err := cf.NewDisksClient().BeginRevokeAccess(ctx, "rg", "disk", nil)
		mustSDK(t, err)
		_, err = ra.PollUntilDone(ctx, pollFast)
		mustSDK(t, err)
	}
	ip, err := cf.NewImagesClient().BeginCreateOrUpdate(ctx, "rg", "img", armcompute.Image{Location: to.Ptr("westus"), Properties: &armcompute.ImageProperties{
		HyperVGeneration: to.Ptr(armcompute.HyperVGenerationTypesV2),
		StorageProfile: &armcompute.ImageStorageProfile{OSDisk: &armcompute.ImageOSDisk{OSType: to.Ptr(armcompute.OperatingSystemTypesLinux),
			OSState: to.Ptr(armcompute.OperatingSystemStateTypesGeneralized), ManagedDisk: &armcompute.SubResource{ID: disk.ID}}}}}, nil)
	mustSDK(t, err)
	img, err := ip.PollUntilDone(ctx, pollFast)
	mustSDK(t, err)
	return img
}

// sdkPublishAndList publishes two versions from img, reads the typed replication status, pages the
// versions and shares the gallery.
func sdkPublishAndList(ctx context.Context, t *testing.T, cf *armcompute.ClientFactory, img armcompute.ImagesClientCreateOrUpdateResponse) {
	for _, name := range []string{"1.0.0", "1.0.1"} {
		vp, err := cf.NewGalleryImageVersionsClient().BeginCreateOrUpdate(ctx, "rg", "gal", "def", name, armcompute.GalleryImageVersion{Location: to.Ptr("westus"),
			Properties: &armcompute.GalleryImageVersionProperties{
				PublishingProfile: &armcompute.GalleryImageVersionPublishingProfile{TargetRegions: []*armcompute.TargetRegion{{Name: to.Ptr("westus")}, {Name: to.Ptr("East US"), RegionalReplicaCount: to.Ptr[int32](2)}}},
				StorageProfile:    &armcompute.GalleryImageVersionStorageProfile{Source: &armcompute.GalleryArtifactVersionFullSource{ID: img.ID}}}}, nil)
		mustSDK(t, err)
		_, err = vp.PollUntilDone(ctx, pollFast)
		mustSDK(t, err)
	}
	v, err := cf.NewGalleryImageVersionsClient().Get(ctx, "rg", "gal", "def", "1.0.0", &armcompute.GalleryImageVersionsClientGetOptions{Expand: to.Ptr(armcompute.ReplicationStatusTypesReplicationStatus)})
	mustSDK(t, err)
	rs := v.Properties.ReplicationStatus
	if rs == nil || *rs.AggregatedState != armcompute.AggregatedReplicationStateCompleted || len(rs.Summary) != 2 || *rs.Summary[1].Progress != 100 {
		t.Fatalf("replication status %+v", rs)
	}
	pager := cf.NewGalleryImageVersionsClient().NewListByGalleryImagePager("rg", "gal", "def", nil)
	n := 0
	for pager.More() {
		page, err := pager.NextPage(ctx)
		mustSDK(t, err)
		n += len(page.Value)
	}
	if n != 2 {
		t.Fatalf("paged %d versions, want 2", n)
	}
	shp, err := cf.NewGallerySharingProfileClient().BeginUpdate(ctx, "rg", "gal", armcompute.SharingUpdate{OperationType: to.Ptr(armcompute.SharingUpdateOperationTypesAdd),
		Groups: []*armcompute.SharingProfileGroup{{Type: to.Ptr(armcompute.SharingProfileGroupTypesSubscriptions), IDs: []*string{to.Ptr("s1")}}}}, nil)
	mustSDK(t, err)
	_, err = shp.PollUntilDone(ctx, pollFast)
	mustSDK(t, err)
}

// sdkDeleteAll deletes the versions, definition and gallery, then checks a deleted gallery's
// *azcore.ResponseError code.
func sdkDeleteAll(ctx context.Context, t *testing.T, cf *armcompute.ClientFactory) {
	for _, name := range []string{"1.0.0", "1.0.1"} {
		del, err := cf.NewGalleryImageVersionsClient().BeginDelete(ctx, "rg", "gal", "def", name, nil)
		mustSDK(t, err)
		_, err = del.PollUntilDone(ctx, pollFast)
		mustSDK(t, err)
	}
	dd, err := cf.NewGalleryImagesClient().BeginDelete(ctx, "rg", "gal", "def", nil)
	mustSDK(t, err)
	_, err = dd.PollUntilDone(ctx, pollFast)
	mustSDK(t, err)
	gd, err := cf.NewGalleriesClient().BeginDelete(ctx, "rg", "gal", nil)
	mustSDK(t, err)
	_, err = gd.PollUntilDone(ctx, pollFast)
	mustSDK(t, err)
	// A refused request surfaces as *azcore.ResponseError with ARM's code.
	_, err = cf.NewGalleriesClient().Get(ctx, "rg", "gal", nil)
	var re *azcore.ResponseError
	if !errorsAs(err, &re) || re.ErrorCode != "ResourceNotFound" {
		t.Fatalf("get deleted gallery: %v", err)
	}
}
