package acctest_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

// TestManifestChaining chains the artifact into Packer's manifest post-processor, across the plugin RPC,
// and checks what it recorded: the builder type, the version ID as artifact_id, and the custom data.
func TestManifestChaining(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	f := newPublishFixture(ctx, t, 1, "publish-from-image")
	manifest := filepath.Join(t.TempDir(), "manifest.json")
	dir, err := filepath.Abs(filepath.Join("testdata", "manifest"))
	if err != nil {
		t.Fatal(err)
	}
	run := tools.RunPacker(ctx, t, dir, append(f.env, "PKR_VAR_manifest_path="+manifest), "build", "-color=false", ".")
	if run.ExitCode != 0 {
		t.Fatalf("packer build failed (%d):\n%s", run.ExitCode, run.Output)
	}
	data, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Builds []struct {
			BuilderType string            `json:"builder_type"`
			ArtifactID  string            `json:"artifact_id"`
			CustomData  map[string]string `json:"custom_data"`
		} `json:"builds"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("manifest: %v\n%s", err, data)
	}
	if len(m.Builds) != 1 {
		t.Fatalf("want 1 build in the manifest, got %d:\n%s", len(m.Builds), data)
	}
	b := m.Builds[0]
	inv := f.inventory(ctx, t)
	if len(inv.Versions()) != 1 {
		t.Fatalf("want 1 version, got %d", len(inv.Versions()))
	}
	if want := inv.Versions()[0].ID(); !strings.EqualFold(b.ArtifactID, want) {
		t.Errorf("artifact_id = %q, want the version ID %q", b.ArtifactID, want)
	}
	if b.CustomData["gallery"] != "golden" {
		t.Errorf("custom_data = %v", b.CustomData)
	}
}
