package azuregallery

import (
	"testing"

	"github.com/mitchellh/mapstructure"

	registryimage "github.com/hashicorp/packer-plugin-sdk/packer/registry/image"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

func testArtifact() *Artifact {
	return artifactFrom(&gallery.Result{
		VersionID:      "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d/versions/1.0.0",
		Version:        "1.0.0",
		GalleryName:    "g",
		DefinitionName: "d",
		ResourceGroup:  "rg",
		SubscriptionID: "s",
		SourceID:       testImageID,
		Regions:        []gallery.RegionResult{{Name: "westeurope"}, {Name: "northeurope"}, {Name: "eastus"}},
		Outcome:        gallery.OutcomeCreated,
	}, "d")
}

func TestArtifactBasics(t *testing.T) {
	a := testArtifact()
	if a.BuilderId() != "azure-gallery.post-processor" {
		t.Errorf("BuilderId() = %q", a.BuilderId())
	}
	if a.Id() != a.VersionID || a.Files() != nil {
		t.Errorf("Id = %q, Files = %v", a.Id(), a.Files())
	}
	if a.DefinitionID != "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d" {
		t.Errorf("DefinitionID = %q", a.DefinitionID)
	}
	if err := a.Destroy(); err != nil {
		t.Errorf("Destroy must keep the version and succeed: %v", err)
	}
}

func TestArtifactGeneratedData(t *testing.T) {
	gd, ok := testArtifact().State("generated_data").(map[string]interface{})
	if !ok {
		t.Fatal("generated_data is not a map")
	}
	want := map[string]string{
		"GalleryImageVersionID": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d/versions/1.0.0",
		"GalleryImageVersion":   "1.0.0",
		"GalleryName":           "g",
		"ImageName":             "d",
		"SourceImageID":         testImageID,
		"ReplicatedRegions":     "westeurope,northeurope,eastus",
		"PublishOutcome":        "created",
	}
	for k, v := range want {
		if gd[k] != v {
			t.Errorf("%s = %v, want %q", k, gd[k], v)
		}
	}
}

// TestArtifactRegistryMetadata decodes par.artifact.metadata the way Packer core does for HCP Packer:
// mapstructure, weakly typed, into []*registryimage.Image.
func TestArtifactRegistryMetadata(t *testing.T) {
	a := testArtifact()
	t.Run("in process", func(t *testing.T) { checkRegistryImages(t, a, a.State(registryimage.ArtifactStateURI)) })
	t.Run("after msgpack", func(t *testing.T) {
		checkRegistryImages(t, a, msgpackRoundTrip(t, a.State(registryimage.ArtifactStateURI)))
	})
}

func checkRegistryImages(t *testing.T, a *Artifact, raw interface{}) {
	var images []*registryimage.Image
	dec, err := mapstructure.NewDecoder(&mapstructure.DecoderConfig{WeaklyTypedInput: true, Result: &images})
	if err != nil {
		t.Fatal(err)
	}
	if err := dec.Decode(raw); err != nil {
		t.Fatal(err)
	}
	if len(images) != 3 {
		t.Fatalf("want one image per region (3), got %d", len(images))
	}
	regions := map[string]bool{}
	for _, img := range images {
		if err := img.Validate(); err != nil {
			t.Error(err)
		}
		if img.ImageID != a.VersionID || img.ProviderName != "azure" || img.SourceImageID != testImageID {
			t.Errorf("image %+v", img)
		}
		if img.Labels["gallery_name"] != "g" || img.Labels["image_definition"] != "d" || img.Labels["image_version"] != "1.0.0" || img.Labels["source_image_id"] != testImageID {
			t.Errorf("labels %v", img.Labels)
		}
		regions[img.ProviderRegion] = true
	}
	for _, r := range []string{"westeurope", "northeurope", "eastus"} {
		if !regions[r] {
			t.Errorf("no image for region %s", r)
		}
	}
}

func TestArtifactUnknownState(t *testing.T) {
	if v := testArtifact().State("nope"); v != nil {
		t.Errorf("State(nope) = %v", v)
	}
}
