package emulator_test

import (
	"context"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
)

// validationErrors triggers, through the SDK, each validation error of the emulator issue and checks the
// *azcore.ResponseError code a client would classify. It runs after the gallery "galint", definition
// "def" (V2, Generalized, eastus) and version 1.0.0 exist.
func validationErrors(ctx context.Context, t *testing.T, c sdkClients, imageEast string) {
	versionRefusals(ctx, t, c, imageEast)
	changeRefusals(ctx, t, c, imageEast)
	parentAndQuotaRefusals(ctx, t, c, imageEast)
}

// beginVersionFunc returns a function that creates version name of "def" and waits for its poller.
func beginVersionFunc(ctx context.Context, c sdkClients) func(name string, v armcompute.GalleryImageVersion) error {
	versions := c.compute.NewGalleryImageVersionsClient()
	return func(name string, v armcompute.GalleryImageVersion) error {
		p, err := versions.BeginCreateOrUpdate(ctx, rgName, galName, "def", name, v, nil)
		if err != nil {
			return err
		}
		_, err = p.PollUntilDone(ctx, fastPoll)
		return err
	}
}

// versionRefusals checks the refused version names, regions, replica counts and sources.
func versionRefusals(ctx context.Context, t *testing.T, c sdkClients, imageEast string) {
	beginVersion := beginVersionFunc(ctx, c)

	err := beginVersion("1.0.0-beta", version("eastus", imageEast, region("eastus", 1)))
	wantCode(t, "version name format", err, "InvalidParameter")

	err = beginVersion("2.0.0", version("eastus", imageEast, region("eastus", 1), region("East US 2", 1), region("eastus2", 1)))
	wantCode(t, "duplicate target regions after normalizing", err, "InvalidParameter")

	err = beginVersion("2.0.1", version("eastus", imageEast, region("westus", 1)))
	wantCode(t, "target regions without the version's location", err, "InvalidParameter")

	err = beginVersion("2.0.2", version("eastus", imageEast, region("eastus", 101)))
	wantCode(t, "regional replica count out of range", err, "InvalidParameter")

	v := version("eastus", imageEast, region("eastus", 1))
	v.Properties.PublishingProfile.ReplicaCount = to.Ptr[int32](0)
	err = beginVersion("2.0.3", v)
	wantCode(t, "replica count out of range", err, "InvalidParameter")

	missing := "/subscriptions/" + subscriptionOf(imageEast) + "/resourceGroups/" + rgName + "/providers/Microsoft.Compute/images/no-such-image"
	err = beginVersion("2.0.4", version("eastus", missing, region("eastus", 1)))
	wantCode(t, "missing source", err, "NotFound")

	imageWest := createImage(ctx, t, c, "westus", "img-west", armcompute.HyperVGenerationTypesV2, armcompute.OperatingSystemStateTypesGeneralized)
	err = beginVersion("2.0.5", version("eastus", *imageWest.ID, region("eastus", 1)))
	wantCode(t, "source in another region", err, "NotFound")

	specialized := createImage(ctx, t, c, "eastus", "img-spec", armcompute.HyperVGenerationTypesV2, armcompute.OperatingSystemStateTypesSpecialized)
	err = beginVersion("2.0.6", version("eastus", *specialized.ID, region("eastus", 1)))
	wantCode(t, "Generalized definition from a specialized source", err, "BadRequest")
}

// changeRefusals checks the Hyper-V mismatch failing in the LRO and the refused definition and source changes.
func changeRefusals(ctx context.Context, t *testing.T, c sdkClients, imageEast string) {
	versions := c.compute.NewGalleryImageVersionsClient()
	defs := c.compute.NewGalleryImagesClient()

	// A Hyper-V generation mismatch is accepted, then the long-running operation fails with Conflict.
	mustPoll(ctx, t, "V1 definition", func() (*runtime.Poller[armcompute.GalleryImagesClientCreateOrUpdateResponse], error) {
		return defs.BeginCreateOrUpdate(ctx, rgName, galName, "def-v1", definition("eastus", armcompute.HyperVGenerationV1), nil)
	})
	p, err := versions.BeginCreateOrUpdate(ctx, rgName, galName, "def-v1", "1.0.0", version("eastus", imageEast, region("eastus", 1)), nil)
	if err != nil {
		t.Errorf("Hyper-V mismatch should be accepted and fail in the LRO, got %v", err)
	} else {
		_, err = p.PollUntilDone(ctx, fastPoll)
		wantCode(t, "Hyper-V generation mismatch (LRO)", err, "Conflict")
	}

	changed := definition("eastus", armcompute.HyperVGenerationV2)
	changed.Properties.OSType = to.Ptr(armcompute.OperatingSystemTypesWindows)
	_, err = defs.BeginCreateOrUpdate(ctx, rgName, galName, "def", changed, nil)
	wantCode(t, "definition osType change", err, "PropertyChangeNotAllowed")

	other := createImage(ctx, t, c, "eastus", "img-other", armcompute.HyperVGenerationTypesV2, armcompute.OperatingSystemStateTypesGeneralized)
	_, err = versions.BeginCreateOrUpdate(ctx, rgName, galName, "def", "1.0.0",
		version("eastus", *other.ID, region("East US", 1), region("westus", 2), region("West Europe", 1)), nil)
	wantCode(t, "version source change", err, "PropertyChangeNotAllowed")
}

// parentAndQuotaRefusals checks missing parents, deleting a definition with versions, shallow replication
// and the gallery quota.
func parentAndQuotaRefusals(ctx context.Context, t *testing.T, c sdkClients, imageEast string) {
	defs := c.compute.NewGalleryImagesClient()
	galleries := c.compute.NewGalleriesClient()
	beginVersion := beginVersionFunc(ctx, c)

	_, err := defs.BeginCreateOrUpdate(ctx, rgName, "no-such-gallery", "def", definition("eastus", armcompute.HyperVGenerationV2), nil)
	wantCode(t, "definition in a missing gallery", err, "ParentResourceNotFound")

	_, err = galleries.BeginCreateOrUpdate(ctx, "no-such-rg", "gal", armcompute.Gallery{Location: to.Ptr("eastus")}, nil)
	wantCode(t, "gallery in a missing resource group", err, "ResourceGroupNotFound")

	dp, err := defs.BeginDelete(ctx, rgName, galName, "def", nil)
	if err == nil {
		_, err = dp.PollUntilDone(ctx, fastPoll)
	}
	wantCode(t, "deleting a definition that has versions", err, "CannotDeleteResource")

	shallow := version("eastus", imageEast, region("eastus", 1), region("westus", 1))
	shallow.Properties.PublishingProfile.ReplicationMode = to.Ptr(armcompute.ReplicationModeShallow)
	err = beginVersion("3.0.0", shallow)
	wantCode(t, "shallow replication to more than the source region", err, "InvalidParameter")

	// The quota is 2 galleries per region here: galint exists, a second fits, a third does not.
	mustPoll(ctx, t, "second gallery", func() (*runtime.Poller[armcompute.GalleriesClientCreateOrUpdateResponse], error) {
		return galleries.BeginCreateOrUpdate(ctx, rgName, "galtwo", armcompute.Gallery{Location: to.Ptr("eastus")}, nil)
	})
	_, err = galleries.BeginCreateOrUpdate(ctx, rgName, "galthree", armcompute.Gallery{Location: to.Ptr("eastus")}, nil)
	wantCode(t, "gallery quota per region", err, "OperationNotAllowed")
}

func subscriptionOf(id string) string {
	// /subscriptions/{id}/...
	const p = "/subscriptions/"
	rest := id[len(p):]
	for i := range rest {
		if rest[i] == '/' {
			return rest[:i]
		}
	}
	return rest
}
