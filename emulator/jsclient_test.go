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

// jsClients are the Azure JavaScript SDK generations the JS client test runs: the new-style
// @azure/arm-compute 25.1.1 (GalleryRP 2025-12-03) and the old autorest-style 23.3.0 (2025-03-03),
// each with @azure/identity 4.14.1 and @azure/arm-resources 8.0.0 (resource groups at 2025-04-01).
var jsClients = []struct {
	name, dir, style, galleryAPI string
	packages                     []string
}{
	{"arm-compute-25.1.1", "jsclient", "new", "2025-12-03", []string{"@azure/arm-compute@25.1.1", "@azure/identity@4.14.1", "@azure/arm-resources@8.0.0"}},
	{"arm-compute-23.3.0", "jsclient23", "old", "2025-03-03", []string{"@azure/arm-compute@23.3.0", "@azure/identity@4.14.1", "@azure/arm-resources@8.0.0"}},
}

// needTool finds a program; without it the test skips, or fails when required (requiredBy names the
// environment variable that made it required, for the message).
func needTool(t *testing.T, name string, required bool, requiredBy string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if required {
		t.Fatalf("%s is not installed, and %s=1 requires this test to run", name, requiredBy)
	}
	t.Skipf("%s is not installed (set %s=1 to make that a failure)", name, requiredBy)
	return ""
}

// jsClientDir installs the pinned packages into .tools/NAME (git-ignored) once and returns it.
func jsClientDir(t *testing.T, npm, name string, jsPackages []string) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", ".tools", name))
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
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name":"`+name+`","private":true}`+"\n"), 0o644); err != nil {
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

// TestJavaScriptSDK runs the Azure JavaScript SDK against the emulator, in both generations (see
// jsClients): resource group, disk, image, gallery, definition and a version to two regions, read back.
// It needs node and npm; ACCTEST_REQUIRED=1 turns their absence into a failure.
func TestJavaScriptSDK(t *testing.T) {
	node := needTool(t, "node", os.Getenv("ACCTEST_REQUIRED") == "1", "ACCTEST_REQUIRED")
	npm := needTool(t, "npm", os.Getenv("ACCTEST_REQUIRED") == "1", "ACCTEST_REQUIRED")
	for _, c := range jsClients {
		t.Run(c.name, func(t *testing.T) {
			runJSClient(t, node, jsClientDir(t, npm, c.dir, c.packages), c.style, c.galleryAPI)
		})
	}
}

func runJSClient(t *testing.T, node, dir, style, galleryAPI string) {
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
		"EMU_STYLE="+style, "EMU_ENDPOINT="+ready.Endpoint, "EMU_TENANT="+ready.TenantID, "EMU_CLIENT_ID="+ready.ClientID,
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
	if !strings.Contains(joined, "api-version="+galleryAPI) || !strings.Contains(joined, "api-version=2025-04-01") {
		t.Errorf("requests did not use the pinned api-versions:\n%s", joined)
	}
}
