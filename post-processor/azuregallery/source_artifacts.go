package azuregallery

import (
	"fmt"
	"strings"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/statecodec"
)

// The import builder's state keys for what it published (see docs/architecture.md).
const (
	statePublishSource = "publish_source"
	stateDataDisks     = "data_disk_snapshots"
	stateSnapshotID    = "snapshot_id"
	stateDiskID        = "disk_id"
)

// fromAzureArmArtifact reads hashicorp/packer-plugin-azure's azure-arm artifact by its Id(), which is, in
// the builder's order: the kept OS disk (keep_os_disk: the managed disk's resource ID), the managed image
// ID, the gallery version it published itself (shared_image_gallery_destination without a managed
// image), or the OS disk's VHD URL (a VHD build). Its State holds only generated_data and the gallery
// destination's names, so the ID decides.
func fromAzureArmArtifact(c *Config, in packersdk.Artifact) (*source, error) {
	id := strings.TrimSpace(in.Id())
	if gallery.IsBlobURI(id) {
		if c.SourceStorageAccountID == "" {
			return nil, fmt.Errorf("the azure-arm artifact is a VHD (%s): set source_storage_account_id to the resource ID of the storage account that holds it (Azure needs it to publish a VHD), build with managed_image_name, or import the VHD with the azure-gallery-import builder", id)
		}
		return &source{ImageID: id, From: "azure-arm", Kind: gallery.SourceVHD, StorageAccountID: c.SourceStorageAccountID, Location: c.SourceLocation}, nil
	}
	sid, err := gallery.ParseSourceID(id)
	if err != nil {
		return nil, fmt.Errorf("the azure-arm artifact's ID: %w; set managed_image_name in the azure-arm builder, or set source_image_id", err)
	}
	from := map[gallery.SourceKind]string{
		gallery.SourceManagedImage:        "azure-arm",
		gallery.SourceDisk:                "azure-arm (kept OS disk)",
		gallery.SourceSnapshot:            "azure-arm (snapshot)",
		gallery.SourceGalleryImageVersion: "azure-arm (gallery version)",
	}[sid.Kind]
	return &source{ImageID: sid.ID, From: from, Kind: sid.Kind}, nil
}

// fromImporterArtifact reads the import builder's artifact: a snapshot or disk when its publish_source
// says so, otherwise (and for artifacts of builds before publish_source) a managed image.
func fromImporterArtifact(in packersdk.Artifact) (*source, error) {
	fields, err := statecodec.NewFields(map[string]interface{}{
		statePublishSource: in.State(statePublishSource), stateSnapshotID: in.State(stateSnapshotID), stateDiskID: in.State(stateDiskID),
		stateDataDisks: in.State(stateDataDisks),
	})
	if err != nil {
		return nil, err
	}
	publish, snap, disk := fields.String(statePublishSource), fields.String(stateSnapshotID), fields.String(stateDiskID)
	dataDisks := fields.String(stateDataDisks)
	if err := fields.Err(); err != nil {
		return nil, fmt.Errorf("reading the azure-gallery-import artifact: %w", err)
	}
	var kind gallery.SourceKind
	id := ""
	switch publish {
	case "", "managed_image":
		return fromImporter(in)
	case "snapshot":
		kind, id = gallery.SourceSnapshot, snap
	case "disk":
		kind, id = gallery.SourceDisk, disk
	default:
		return nil, fmt.Errorf("the azure-gallery-import artifact says publish_source %q, which this post-processor does not know: use the same plugin version for the builder and the post-processor", publish)
	}
	if id == "" {
		id = strings.TrimSpace(in.Id())
	}
	if _, err := gallery.ParseSourceID(id, kind); err != nil {
		return nil, fmt.Errorf("the azure-gallery-import artifact's %s: %w", kind, err)
	}
	s, err := importerHints(in, "")
	if err != nil {
		return nil, err
	}
	s.ImageID, s.Kind, s.DataDiskSnapshots = id, kind, dataDisks
	if _, err := parseDataDiskSnapshots(dataDisks); err != nil {
		return nil, fmt.Errorf("the azure-gallery-import artifact's data disks: %w", err)
	}
	return s, nil
}
