package azuregallery

import (
	"fmt"
	"log"
	"strings"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
	registryimage "github.com/hashicorp/packer-plugin-sdk/packer/registry/image"
)

// ArtifactBuilderID identifies artifacts of this post-processor, for later post-processors and HCP Packer.
const ArtifactBuilderID = "azure-gallery.post-processor"

// providerName is the HCP Packer provider of every registry image this plugin reports.
const providerName = "azure"

// Artifact is a published gallery image version.
//
// Destroy deliberately deletes nothing: a published version is shared state (VMs, scale sets and other
// galleries may already use it), and Packer calls Destroy whenever a later step fails or the user chose
// not to keep artifacts. Removing versions is a lifecycle decision for retention, not for error handling.
type Artifact struct {
	// VersionID is the version's full resource ID.
	VersionID string
	// Version is Major.Minor.Patch.
	Version string
	// SubscriptionID, ResourceGroup, GalleryName and ImageName locate the definition.
	SubscriptionID string
	ResourceGroup  string
	GalleryName    string
	ImageName      string
	// DefinitionID is the image definition's resource ID.
	DefinitionID string
	// SourceImageID is the managed image the version was published from.
	SourceImageID string
	// Regions are the normalized names of the regions the version is replicated to.
	Regions []string
	// Outcome says what this run did: "created", "reused" or "resumed".
	Outcome string
	// CommunityIDs are the version's public ids when the gallery is shared to the community
	// (/CommunityGalleries/{publicName}/Images/{image}/Versions/{version}).
	CommunityIDs []string
}

// BuilderId implements packersdk.Artifact.
func (a *Artifact) BuilderId() string { return ArtifactBuilderID }

// Files implements packersdk.Artifact: a gallery version has no local files.
func (a *Artifact) Files() []string { return nil }

// Id implements packersdk.Artifact: the version's resource ID, which VMs and other tools use.
func (a *Artifact) Id() string { return a.VersionID }

// String implements packersdk.Artifact with a summary a person can read.
func (a *Artifact) String() string {
	return fmt.Sprintf("Azure Compute Gallery image version (%s):\n"+
		"  gallery:    %s (resource group %s)\n"+
		"  definition: %s\n"+
		"  version:    %s\n"+
		"  regions:    %s\n"+
		"  id:         %s",
		a.Outcome, a.GalleryName, a.ResourceGroup, a.ImageName, a.Version, strings.Join(a.Regions, ", "), a.VersionID)
}

// State implements packersdk.Artifact. "generated_data" carries the values later steps can reference,
// and "par.artifact.metadata" the HCP Packer registry images, one per replicated region.
func (a *Artifact) State(name string) interface{} {
	switch name {
	case "generated_data":
		return a.generatedData()
	case registryimage.ArtifactStateURI:
		images, err := a.registryImages()
		if err != nil {
			log.Printf("[ERROR] azure-gallery: building HCP Packer metadata: %s", err)
			return nil
		}
		return images
	}
	return nil
}

// Destroy implements packersdk.Artifact and deletes nothing; see the type's comment for why.
func (a *Artifact) Destroy() error {
	log.Printf("[INFO] azure-gallery: keeping gallery image version %s; delete it with retention or the Azure CLI", a.VersionID)
	return nil
}

func (a *Artifact) generatedData() map[string]interface{} {
	return map[string]interface{}{
		"GalleryImageVersionID":    a.VersionID,
		"GalleryImageVersion":      a.Version,
		"GalleryName":              a.GalleryName,
		"GalleryResourceGroup":     a.ResourceGroup,
		"GallerySubscriptionID":    a.SubscriptionID,
		"ImageName":                a.ImageName,
		"GalleryImageDefinitionID": a.DefinitionID,
		"SourceImageID":            a.SourceImageID,
		"ReplicatedRegions":        strings.Join(a.Regions, ","),
		"PublishOutcome":           a.Outcome,
		"CommunityImageVersionIDs": strings.Join(a.CommunityIDs, ","),
	}
}

func (a *Artifact) registryImages() ([]*registryimage.Image, error) {
	labels := map[string]interface{}{
		"gallery_name":       a.GalleryName,
		"resource_group":     a.ResourceGroup,
		"image_definition":   a.ImageName,
		"image_version":      a.Version,
		"source_image_id":    a.SourceImageID,
		"replicated_regions": strings.Join(a.Regions, ","),
	}
	if len(a.CommunityIDs) > 0 {
		labels["community_image_ids"] = strings.Join(a.CommunityIDs, ",")
	}
	images := make([]*registryimage.Image, 0, len(a.Regions))
	for _, region := range a.Regions {
		img, err := registryimage.FromArtifact(a,
			registryimage.WithProvider(providerName),
			registryimage.WithID(a.VersionID),
			registryimage.WithRegion(region),
			registryimage.WithSourceID(a.SourceImageID),
			registryimage.SetLabels(labels),
		)
		if err != nil {
			return nil, err
		}
		images = append(images, img)
	}
	return images, nil
}

var _ packersdk.Artifact = (*Artifact)(nil)
