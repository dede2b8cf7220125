package azuregallery

import (
	"fmt"
	"strings"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/statecodec"
)

// generatedDataVersionID is the key of the version ID in this post-processor's generated_data.
const generatedDataVersionID = "GalleryImageVersionID"

// fromGalleryVersion reads a previous azure-gallery post-processor's artifact, to promote its version.
// Id() is the version ID; generated_data crosses RPC as msgpack, so it is decoded with statecodec and
// only used to cross-check, never asserted.
func fromGalleryVersion(in packersdk.Artifact) (*source, error) {
	id := strings.TrimSpace(in.Id())
	if raw := in.State("generated_data"); raw != nil {
		fields, err := statecodec.NewFields(raw)
		if err != nil {
			return nil, fmt.Errorf("reading the azure-gallery artifact's generated_data: %w", err)
		}
		fromState := strings.TrimSpace(fields.String(generatedDataVersionID))
		if err := fields.Err(); err != nil {
			return nil, fmt.Errorf("reading the azure-gallery artifact's generated_data: %w", err)
		}
		switch {
		case id == "":
			id = fromState
		case fromState != "" && !strings.EqualFold(fromState, id):
			return nil, fmt.Errorf("the azure-gallery artifact is inconsistent: its ID is %s but its generated_data names %s; set source_image_version_id to the version to promote", id, fromState)
		}
	}
	if _, err := gallery.ParseSourceID(id, gallery.SourceGalleryImageVersion); err != nil {
		return nil, fmt.Errorf("the azure-gallery artifact's ID: %w; set source_image_version_id", err)
	}
	return &source{ImageID: id, From: "azure-gallery"}, nil
}
