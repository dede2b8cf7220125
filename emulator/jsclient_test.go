package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/emulatortest"
)

// jsPackages are the Azure JavaScript SDK packages the JS client test pins.
var jsPackages = []string{"@azure/arm-compute@25.1.1", "@azure/identity@4.14.1", "@azure/arm-resources@8.0.0"}

// needTool finds a program; without it the test skips, or fails under ACCTEST_REQUIRED=1.
func needTool(t *testing.T, name, requiredEnv string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv(requiredEnv) == "1" {
		t.Fatalf("%s is not installed, and %s=1 requires this test to run", name, requiredEnv)
	}
	t.Skipf("%s is not installed (set %s=1 to make that a failure)", name, requiredEnv)
	return ""
}

// jsClientDir installs the pinned packages into .tools/jsclient (git-ignored) once and returns it.
func jsClientDir(t *testing.T, npm string) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", ".tools", "jsclient"))
	if err != nil {
		t.Fatal(err)
	}
	installed := true
	for _, p := range jsPackages {
		name, version, _ := strings.Cut(p[1:], "@")
		b, err := os.ReadFile(filepath.Join(dir, "node_modules", "@"+name, "package.json"))
		var pkg struct{ Version string }
		if err != nil || json.Unmarshal(b, &pkg) != nil || pkg.Version != version {
			installed = false
		}
	}
	if installed {
		return dir
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name":"jsclient","private":true}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, append([]string{"install", "--no-audit", "--no-fund", "--save-exact"}, jsPackages...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm install %v: %v\n%s", jsPackages, err, out)
	}
	return dir
}

// TestJavaScriptSDK runs the Azure JavaScript SDK (@azure/arm-compute 25.1.1 at GalleryRP 2025-12-03,
// @azure/arm-resources 8.0.0 at 2025-04-01, @azure/identity 4.14.1) against the emulator: resource
// group, disk, image, gallery, definition and a version to two regions, read back. It needs node and
// npm; ACCTEST_REQUIRED=1 turns their absence into a failure.
func TestJavaScriptSDK(t *testing.T) {
	node := needTool(t, "node", "ACCTEST_REQUIRED")
	npm := needTool(t, "npm", "ACCTEST_REQUIRED")
	dir := jsClientDir(t, npm)
	srv, ready := emulatortest.Start(t, emulator.Options{
		Regions:        []string{"eastus", "westus"},
		Replication:    emulator.ReplicationConfig{SecondsPerGiB: 0.01, RegionBaseDelay: emulator.Duration(500 * time.Millisecond)},
		OperationDelay: emulator.Duration(50 * time.Millisecond),
	})
	script, err := filepath.Abs(filepath.Join("testdata", "jsclient", "publish.cjs"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(dir, "node_modules"), "NODE_EXTRA_CA_CERTS="+ready.CAFile, "NODE_NO_WARNINGS=1",
		"EMU_ENDPOINT="+ready.Endpoint, "EMU_TENANT="+ready.TenantID, "EMU_CLIENT_ID="+ready.ClientID,
		"EMU_CLIENT_SECRET="+ready.ClientSecret, "EMU_SUBSCRIPTION="+ready.SubscriptionID, "EMU_AUDIENCE="+srv.Identity().Audience())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node publish.cjs: %v\nstderr:\n%s\nstdout:\n%s", err, stderr.String(), stdout.String())
	}
	var got struct {
		Created, Version, Source, Aggregated string
		Regions, SecurityType, Versions      []string
		Definition                           map[string]string
	}
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("script output %q: %v", stdout.String(), err)
	}
	if got.Created != "Succeeded" || got.Version != "Succeeded" || got.Aggregated != "Completed" ||
		!strings.HasSuffix(got.Source, "/images/src-image") || len(got.Regions) != 2 ||
		got.Definition["sku"] != "25" || !slices.Equal(got.Versions, []string{"1.0.0"}) ||
		!slices.Contains(got.SecurityType, "SecurityType=TrustedLaunchSupported") {
		t.Fatalf("read back: %+v", got)
	}
	// The requests went out at the api-versions the packages pin.
	seen := map[string]bool{}
	for _, e := range srv.Requests() {
		if strings.Contains(e.Path, "/galleries/") {
			seen["galleries "+e.Query] = true
		}
		if strings.HasSuffix(strings.ToLower(e.Path), "/resourcegroups/rg-js") {
			seen["rg "+e.Query] = true
		}
	}
	var keys []string
	for k := range seen {
		keys = append(keys, k)
	}
	joined := strings.Join(keys, "\n")
	if !strings.Contains(joined, "api-version=2025-12-03") || !strings.Contains(joined, "api-version=2025-04-01") {
		t.Errorf("requests did not use the pinned api-versions:\n%s", joined)
	}
}
