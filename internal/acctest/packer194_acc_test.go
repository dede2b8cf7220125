package acctest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

// envPacker194 points at a Packer 1.9.4 binary; `make tools` builds it from tools/packer194 into
// bin/packer-1.9.4, which is also where the test looks when the variable is unset.
const envPacker194 = "PACKER194_BIN"

// packer194 returns the 1.9.4 core, skipping (or failing under ACCTEST_REQUIRED=1, as `make test` runs
// after building it) when it is not there.
func packer194(t *testing.T) string {
	t.Helper()
	p := os.Getenv(envPacker194)
	if p == "" {
		p = filepath.Join(tools.Root, "bin", "packer-1.9.4")
	}
	if st, err := os.Stat(p); err != nil || st.IsDir() {
		msg := "Packer 1.9.4 not found at " + p + "; build it with `make bin/packer-1.9.4` (tools/packer194) or set " + envPacker194
		if os.Getenv(acctest.EnvRequired) != "" && os.Getenv(acctest.EnvSkip) == "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

// TestPacker194PublishFromImage is the older-core smoke test: Packer 1.9.4, which talks to plugins with
// gob only (no protobuf/msgpack negotiation), runs the publish example end to end against the emulator,
// finding the plugin through PACKER_PLUGIN_PATH in both ways 1.9.4 knows:
//   - required_plugins (example/publish-from-image, unchanged): 1.9.4 only accepts an installed plugin
//     for a required_plugins entry, <path>/<source>/packer-plugin-<name>_v<version>_x5.0_<os>_<arch>
//     next to its _SHA256SUM, the layout `packer plugins install --path` (1.10+) writes; a bare binary
//     there is reported as "Missing plugins". The harness's 1.16-installed directory is reused as is.
//   - a bare binary named packer-plugin-azure-gallery, the legacy discovery 1.9.4 applies to templates
//     without required_plugins (the JSON twin, example/publish-from-image-json).
func TestPacker194PublishFromImage(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	old := *tools
	old.Packer = packer194(t)
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	if v := old.RunPacker(ctx, t, t.TempDir(), old.PackerEnv(t), "version"); v.ExitCode != 0 || !strings.Contains(v.Output, "1.9.4") {
		t.Fatalf("%s is not Packer 1.9.4 (%d): %s", old.Packer, v.ExitCode, v.Output)
	}

	t.Run("required_plugins", func(t *testing.T) {
		f := newPublishFixture(ctx, t, 1, "publish-from-image")
		// f.env already has PACKER_PLUGIN_PATH = the installed layout.
		run := old.RunPacker(ctx, t, f.dir, f.env, "build", "-color=false", ".")
		assert194(ctx, t, f, run)
	})

	t.Run("bare binary", func(t *testing.T) {
		pluginDir := t.TempDir()
		data, err := os.ReadFile(tools.Plugin)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(pluginDir, "packer-plugin-azure-gallery"), data, 0o755); err != nil {
			t.Fatal(err)
		}
		f := newPublishFixture(ctx, t, 1, "publish-from-image-json")
		env := append(append([]string{}, f.env...), "PACKER_PLUGIN_PATH="+pluginDir) // the last value wins
		run := old.RunPacker(ctx, t, f.dir, env, "build", "-color=false", "-var", "source_image_id="+f.sourceID, "template.json")
		assert194(ctx, t, f, run)
	})
}

// assert194 checks a 1.9.4 run published 1.0.0 to the three regions and printed the artifact.
func assert194(ctx context.Context, t *testing.T, f *publishFixture, run acctest.Run) {
	t.Helper()
	if run.ExitCode != 0 {
		t.Fatalf("packer 1.9.4 build failed (%d):\n%s", run.ExitCode, run.Output)
	}
	inv := f.inventory(ctx, t)
	assertPublished(t, inv, "1.0.0", threeRegions)
	if len(inv.Versions()) != 1 {
		t.Errorf("want exactly 1 version, got %d", len(inv.Versions()))
	}
	if !strings.Contains(run.Output, "/galleries/golden/images/ubuntu-server/versions/1.0.0") {
		t.Errorf("packer 1.9.4 did not print the artifact (the version ID):\n%s", run.Output)
	}
}
