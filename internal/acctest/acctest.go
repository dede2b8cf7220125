// Package acctest is the acceptance-test harness: it runs the real `packer` binary with the real plugin
// binary against the emulator (and Azurite) as separate processes, and reads the emulator's inventory so
// tests assert on the final state rather than on log text.
//
// It imports nothing from packer-plugin-sdk. Tools are found or built once per test binary by Setup,
// usually from TestMain:
//
//	var tools *acctest.Tools
//	func TestMain(m *testing.M) { os.Exit(acctest.Main(m, &tools)) }
//
// and each test starts with acctest.Require(t, tools).
package acctest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/azuritetest"
)

// PluginSource is the address the plugin is installed under; templates name it in required_plugins.
const PluginSource = "github.com/azure-gallery/azure-gallery"

// PluginVersion is the version the harness stamps on the plugin binary, so that `version = ">= 0.1.0"`
// constraints (which refuse pre-releases) accept it.
const PluginVersion = "0.1.0"

// Environment variables that steer the harness.
const (
	// EnvPacker points at the packer binary to use.
	EnvPacker = "PACKER_BIN"
	// EnvRequired makes missing tools a failure instead of a skip (set by `make test`).
	EnvRequired = "ACCTEST_REQUIRED"
	// EnvSkip skips acceptance tests on purpose (for quick unit runs).
	EnvSkip = "ACCTEST_SKIP"
)

// Tools are the binaries an acceptance run uses. Build them once with Setup.
type Tools struct {
	// Root is the module root (the directory with go.mod).
	Root string
	// Packer is the packer core binary.
	Packer string
	// Plugin is the freshly built plugin binary.
	Plugin string
	// PluginDir is a PACKER_PLUGIN_PATH with the plugin installed by `packer plugins install --path`.
	PluginDir string
	// Emulator is the freshly built azure-gallery-emulator binary.
	Emulator string
	// Azurite is azurite-blob, or "" when it is not installed.
	Azurite string
	// work is the temporary directory holding the builds; Close removes it.
	work string
	// unavailable says why Setup failed; Require skips or fails with it.
	unavailable string
}

// Main is a TestMain body: it runs Setup (unless acceptance tests are skipped), stores the tools in
// *out, runs the tests and cleans up. When Setup fails, *out stays nil and each test skips (or fails
// under ACCTEST_REQUIRED=1) with the reason, which is also printed once.
func Main(m *testing.M, out **Tools) int {
	var reason error
	if os.Getenv(EnvSkip) != "" {
		reason = fmt.Errorf("%s is set", EnvSkip)
	} else {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
		t, err := Setup(ctx)
		cancel()
		if err != nil {
			reason = err
		} else {
			*out = t
			defer t.Close()
		}
	}
	if reason != nil {
		fmt.Fprintf(os.Stderr, "acctest: acceptance tests will not run: %v\n", reason)
		*out = &Tools{unavailable: reason.Error()}
	}
	return m.Run()
}

// Require skips the test (or fails it under ACCTEST_REQUIRED=1) when the tools are not available.
func Require(t testing.TB, tools *Tools) {
	t.Helper()
	if tools != nil && tools.unavailable == "" {
		return
	}
	reason := "Setup did not run"
	if tools != nil {
		reason = tools.unavailable
	}
	msg := "acceptance tools unavailable: " + reason
	if requiredMode() {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// Setup finds or builds packer, builds the plugin and the emulator, and installs the plugin into a
// private PACKER_PLUGIN_PATH with `packer plugins install --path`.
func Setup(ctx context.Context) (*Tools, error) { return SetupIn(ctx, "acctest-") }

// SetupIn is Setup with the builds in a new temporary folder whose name starts with prefix, so a caller
// other than the tests (the demo) names its folder for what it is.
func SetupIn(ctx context.Context, prefix string) (*Tools, error) {
	root, err := ModuleRoot()
	if err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp("", prefix)
	if err != nil {
		return nil, err
	}
	t := &Tools{Root: root, work: work, PluginDir: filepath.Join(work, "plugins")}
	fail := func(err error) (*Tools, error) {
		t.Close()
		return nil, err
	}
	if t.Packer, err = FindPacker(ctx, root); err != nil {
		return fail(err)
	}
	t.Plugin = filepath.Join(work, "packer-plugin-azure-gallery")
	ldflags := "-X github.com/azure-gallery/packer-plugin-azure-gallery/version.Version=" + PluginVersion +
		" -X github.com/azure-gallery/packer-plugin-azure-gallery/version.VersionPrerelease="
	if err := goBuild(ctx, root, t.Plugin, ldflags, "."); err != nil {
		return fail(err)
	}
	t.Emulator = filepath.Join(work, "azure-gallery-emulator")
	if err := goBuild(ctx, root, t.Emulator, "", "./cmd/azure-gallery-emulator"); err != nil {
		return fail(err)
	}
	install := exec.CommandContext(ctx, t.Packer, "plugins", "install", "--path", t.Plugin, PluginSource)
	install.Env = append(os.Environ(), "PACKER_PLUGIN_PATH="+t.PluginDir, "CHECKPOINT_DISABLE=1", "PACKER_CONFIG_DIR="+filepath.Join(work, "packer-config"))
	if out, err := install.CombinedOutput(); err != nil {
		return fail(fmt.Errorf("packer plugins install --path: %w\n%s", err, out))
	}
	if az, err := azuritetest.Bin(); err == nil {
		t.Azurite = az
	}
	return t, nil
}

// Close removes the builds.
func (t *Tools) Close() {
	if t != nil && t.work != "" {
		_ = os.RemoveAll(t.work)
	}
}

// ModuleRoot is the directory whose go.mod declares the plugin (azuritetest.ModuleRoot).
func ModuleRoot() (string, error) { return azuritetest.ModuleRoot() }

// FindPacker returns $PACKER_BIN, else `packer` on PATH, else bin/packer under root, building it from
// the pinned tools/packer module when it is missing.
func FindPacker(ctx context.Context, root string) (string, error) {
	if p := os.Getenv(EnvPacker); p != "" {
		if !fileExists(p) {
			return "", fmt.Errorf("%s=%s does not exist", EnvPacker, p)
		}
		return p, nil
	}
	if p, err := exec.LookPath("packer"); err == nil {
		return p, nil
	}
	bin := filepath.Join(root, "bin", "packer")
	if fileExists(bin) {
		return bin, nil
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-C", filepath.Join(root, "tools", "packer"), "-o", bin, "github.com/hashicorp/packer")
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building packer from tools/packer: %w\n%s", err, out)
	}
	return bin, nil
}

func goBuild(ctx context.Context, root, out, ldflags, pkg string) error {
	args := []string{"build", "-o", out}
	if ldflags != "" {
		args = append(args, "-ldflags", ldflags)
	}
	cmd := exec.CommandContext(ctx, "go", append(args, pkg)...)
	cmd.Dir = root
	// Built as the release is (and as `make test` builds everything): the compiled dependencies are shared.
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod -trimpath", "CGO_ENABLED=0")
	if o, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, o)
	}
	return nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// requiredMode reports whether missing tools fail tests (ACCTEST_REQUIRED=1, as `make test` sets).
func requiredMode() bool { return azuritetest.Required() }
