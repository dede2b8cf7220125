package azuregallery

import (
	"strings"
	"testing"
)

func TestPromoteFromGalleryArtifact(t *testing.T) {
	// The real artifact's generated_data, sent through msgpack as Packer's RPC does.
	art := &Artifact{VersionID: testVersionID, Version: "1.2.3"}
	in := &fakeArtifact{builderID: ArtifactBuilderID, id: art.Id(), state: map[string]interface{}{"generated_data": art.State("generated_data")}, t: t}
	s, err := resolveSource("", "", in)
	if err != nil {
		t.Fatal(err)
	}
	if s.ImageID != testVersionID || s.From != "azure-gallery" {
		t.Errorf("source = %+v", s)
	}
}

func TestPromoteFromGalleryArtifactErrors(t *testing.T) {
	other := strings.Replace(testVersionID, "1.2.3", "9.9.9", 1)
	for _, tc := range []struct {
		name  string
		id    string
		state map[string]interface{}
		want  string
	}{
		{"inconsistent", testVersionID, map[string]interface{}{"generated_data": map[string]interface{}{generatedDataVersionID: other}}, "inconsistent"},
		{"wrong type in state", testVersionID, map[string]interface{}{"generated_data": map[string]interface{}{generatedDataVersionID: []interface{}{1}}}, "generated_data"},
		{"not a version", testImageID, nil, "set source_image_version_id"},
		{"no ID at all", "", nil, "set source_image_version_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := resolveSource("", "", &fakeArtifact{builderID: ArtifactBuilderID, id: tc.id, state: tc.state, t: t})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want %q", err, tc.want)
			}
		})
	}
	// The ID comes from generated_data when Id() is empty.
	s, err := resolveSource("", "", &fakeArtifact{builderID: ArtifactBuilderID, state: map[string]interface{}{"generated_data": map[string]interface{}{generatedDataVersionID: testVersionID}}, t: t})
	if err != nil || s.ImageID != testVersionID {
		t.Fatalf("from generated_data: %+v, %v", s, err)
	}
}
