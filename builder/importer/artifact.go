package importer

import (
	"context"
	"fmt"

	registryimage "github.com/hashicorp/packer-plugin-sdk/packer/registry/image"
)

// BuilderID identifies this builder's artifacts to post-processors.
const BuilderID = "azure-gallery.importer"

// Artifact is what the build left for the gallery post-processor: a managed image, a snapshot or a disk
// (PublishSource). Its state carries what the post-processor needs (location, OS type, generation,
// architecture, size), so nothing has to be guessed downstream.
type Artifact struct {
	// PublishSource is "managed_image", "snapshot" or "disk"; SnapshotID and DiskID are set for the
	// latter two, ImageID for the first.
	PublishSource    string
	SnapshotID       string
	DiskID           string
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

// Id is the resource ID of what the build published: the snapshot, the disk or the managed image.
func (a *Artifact) Id() string { //nolint:revive // Packer's interface name
	switch a.PublishSource {
	case publishSnapshot:
		return a.SnapshotID
	case publishDisk:
		return a.DiskID
	}
	return a.ImageID
}

func (a *Artifact) String() string {
	what := map[string]string{publishSnapshot: "snapshot", publishDisk: "managed disk"}[a.PublishSource]
	if what == "" {
		what = "managed image"
	}
	return fmt.Sprintf("Azure %s %s in %s (%s, %s, %s, %d MiB): %s", what, a.ImageName, a.Location, a.OSType, a.HyperVGeneration, a.Architecture, a.SizeBytes>>20, a.Id())
}

// State answers the keys documented for this builder and HCP Packer's metadata key.
func (a *Artifact) State(name string) any {
	switch name {
	case "publish_source":
		return a.PublishSource
	case "snapshot_id":
		return a.SnapshotID
	case "disk_id":
		return a.DiskID
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
		registryimage.WithID(a.Id()),
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

// Destroy deletes what the build created (never a source snapshot or disk it passed on). Packer calls it
// when a post-processor does not keep its input.
func (a *Artifact) Destroy() error {
	if a.destroy == nil {
		return fmt.Errorf("cannot delete %s: this artifact has no Azure connection", a.Id())
	}
	ctx, cancel := cleanupContext()
	defer cancel()
	return a.destroy(ctx)
}
