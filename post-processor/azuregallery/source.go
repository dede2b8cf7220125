package azuregallery

import (
	"fmt"
	"strings"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/statecodec"
)

// The BuilderIds of the artifacts the post-processor can publish.
const (
	// azureArmBuilderID is hashicorp/packer-plugin-azure's azure-arm builder.
	azureArmBuilderID = "Azure.ResourceManagement.VMImage"
	// importerBuilderID is this plugin's azure-gallery-import builder.
	importerBuilderID = "azure-gallery.importer"
)

// The import builder's artifact state keys (see docs/architecture.md).
const (
	stateManagedImageID   = "managed_image_id"
	stateLocation         = "location"
	stateOSType           = "os_type"
	stateHyperVGeneration = "hyper_v_generation"
	stateArchitecture     = "architecture"
	stateSizeBytes        = "size_bytes"
)

// source is the managed image to publish and what the previous step already knows about it. The hints
// are optional: the core reads the image from Azure anyway, and uses them only to cross-check.
type source struct {
	ImageID          string
	From             string // where the ID came from, for messages: "source_image_id", "azure-arm", "azure-gallery-import"
	Location         string
	OSType           string
	HyperVGeneration string
	Architecture     string
	SizeBytes        int64
	// Kind is the source's kind when known before the core reads it ("" = the core decides from the ID);
	// StorageAccountID goes with a VHD, whose Location the configuration gives.
	Kind             gallery.SourceKind
	StorageAccountID string
	// DataDiskSnapshots are the import builder's data disk snapshots, "lun=id" pairs joined by commas.
	DataDiskSnapshots string
}

// resolveSource picks the image to publish: source_image_id or source_image_version_id (configuration
// forbids both) wins, then the input artifact.
func resolveSource(sourceImageID, sourceVersionID string, in packersdk.Artifact) (*source, error) {
	return resolveSourceConfig(&Config{SourceImageID: sourceImageID, SourceImageVersionID: sourceVersionID}, in)
}

// resolveSourceConfig is resolveSource with the snapshot, disk and VHD sources of config_source.go.
func resolveSourceConfig(c *Config, in packersdk.Artifact) (*source, error) {
	if s := c.configuredSource(); s != nil {
		return s, nil
	}
	sourceImageID, sourceVersionID := c.SourceImageID, c.SourceImageVersionID
	if sourceImageID != "" {
		return &source{ImageID: sourceImageID, From: "source_image_id"}, nil
	}
	if sourceVersionID != "" {
		if k := c.sourceKind(); k == gallery.SourceCommunityVersion || k == gallery.SourceSharedVersion {
			return &source{ImageID: sourceVersionID, From: "source_image_version_id", Kind: k, Location: c.SourceLocation}, nil
		}
		return &source{ImageID: sourceVersionID, From: "source_image_version_id"}, nil
	}
	if in == nil {
		return nil, fmt.Errorf("no image to publish: set source_image_id or source_image_version_id, or run the post-processor after the azure-arm builder, the azure-gallery-import builder or another azure-gallery post-processor")
	}
	switch id := in.BuilderId(); id {
	case azureArmBuilderID:
		return fromAzureArmArtifact(c, in) // source_artifacts.go
	case importerBuilderID:
		return fromImporterArtifact(in) // source_artifacts.go
	case ArtifactBuilderID:
		return fromGalleryVersion(in)
	default:
		return nil, fmt.Errorf("cannot publish the artifact of builder %q: the azure-gallery post-processor takes a managed image from the azure-arm builder (%s) or the azure-gallery-import builder (%s), or promotes the version of another azure-gallery post-processor (%s); for other builders set source_image_id to a managed image's resource ID",
			id, azureArmBuilderID, importerBuilderID, ArtifactBuilderID)
	}
}

// fromImporter reads the import builder's artifact. Its state crosses RPC as msgpack, so each value is
// decoded with statecodec rather than asserted.
func fromImporter(in packersdk.Artifact) (*source, error) {
	s, err := importerHints(in, stateManagedImageID)
	if err != nil {
		return nil, err
	}
	if s.ImageID == "" {
		s.ImageID = strings.TrimSpace(in.Id())
	}
	if err := checkManagedImageID(s.ImageID); err != nil {
		return nil, fmt.Errorf("the azure-gallery-import artifact's ID: %w", err)
	}
	return s, nil
}

// importerHints reads the import builder's hints (location, OS type, generation, architecture, size)
// and the ID under idKey ("" = none).
func importerHints(in packersdk.Artifact, idKey string) (*source, error) {
	state := map[string]interface{}{}
	for _, key := range []string{idKey, stateLocation, stateOSType, stateHyperVGeneration, stateArchitecture, stateSizeBytes} {
		state[key] = in.State(key)
	}
	fields, err := statecodec.NewFields(state)
	if err != nil {
		return nil, err
	}
	s := &source{
		ImageID:          fields.String(idKey),
		From:             "azure-gallery-import",
		Location:         gallery.NormalizeRegion(fields.String(stateLocation)),
		OSType:           fields.String(stateOSType),
		HyperVGeneration: fields.String(stateHyperVGeneration),
		Architecture:     fields.String(stateArchitecture),
		SizeBytes:        fields.Int64(stateSizeBytes),
	}
	if err := fields.Err(); err != nil {
		return nil, fmt.Errorf("reading the azure-gallery-import artifact: %w", err)
	}
	return s, nil
}

func checkManagedImageID(id string) error {
	_, err := gallery.ParseSourceID(id, gallery.SourceManagedImage)
	return err
}
