package importer

import (
	"context"
	"fmt"

	registryimage "github.com/hashicorp/packer-plugin-sdk/packer/registry/image"
)

// BuilderID identifies this builder's artifacts to post-processors.
const BuilderID = "azure-gallery.importer"

// Artifact is the managed image the build created. Its state carries what the gallery post-processor
// needs (location, OS type, generation, architecture, size), so nothing has to be guessed downstream.
type Artifact struct {
	ImageID          string
	ImageName        string
	ResourceGroup    string
	Location         string
	OSType           string
	HyperVGeneration string
	Architecture     string
	SizeBytes        int64
	StateData        map[string]any

	// destroy deletes the image; nil for an artifact rebuilt from state.
	destroy func(ctx context.Context) error
}

func (*Artifact) BuilderId() string { return BuilderID } //nolint:revive // Packer's interface name

// Files is empty: the image lives in Azure.
func (*Artifact) Files() []string { return nil }

// Id is the managed image's resource ID.
func (a *Artifact) Id() string { return a.ImageID } //nolint:revive // Packer's interface name

func (a *Artifact) String() string {
	return fmt.Sprintf("Azure managed image %s in %s (%s, %s, %s, %d MiB): %s", a.ImageName, a.Location, a.OSType, a.HyperVGeneration, a.Architecture, a.SizeBytes>>20, a.ImageID)
}

// State answers the keys documented for this builder and HCP Packer's metadata key.
func (a *Artifact) State(name string) any {
	switch name {
	case "managed_image_id":
		return a.ImageID
	case "managed_image_name":
		return a.ImageName
	case "managed_image_resource_group_name":
		return a.ResourceGroup
	case "location":
		return a.Location
	case "os_type":
		return a.OSType
	case "hyper_v_generation":
		return a.HyperVGeneration
	case "architecture":
		return a.Architecture
	case "size_bytes":
		return a.SizeBytes
	case registryimage.ArtifactStateURI:
		return a.registryImage()
	}
	return a.StateData[name]
}

// registryImage is the HCP Packer record: provider azure, the image ID and its region.
func (a *Artifact) registryImage() *registryimage.Image {
	img, err := registryimage.FromArtifact(a,
		registryimage.WithProvider("azure"),
		registryimage.WithID(a.ImageID),
		registryimage.WithRegion(a.Location),
		registryimage.WithSourceID(a.sourceLabel()),
	)
	if err != nil {
		return nil
	}
	img.Labels = map[string]string{
		"os_type":            a.OSType,
		"hyper_v_generation": a.HyperVGeneration,
		"architecture":       a.Architecture,
		"managed_image_name": a.ImageName,
		"resource_group":     a.ResourceGroup,
	}
	return img
}

func (a *Artifact) sourceLabel() string {
	if s, ok := a.StateData["source"].(string); ok {
		return s
	}
	return ""
}

// Destroy deletes the managed image. Packer calls it when a post-processor does not keep its input.
func (a *Artifact) Destroy() error {
	if a.destroy == nil {
		return fmt.Errorf("cannot delete image %s: this artifact has no Azure connection", a.ImageID)
	}
	ctx, cancel := cleanupContext()
	defer cancel()
	return a.destroy(ctx)
}
