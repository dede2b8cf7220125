package emulator_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/emulatortest"
)

// azRunner runs the real az CLI against one emulator with its own config directory.
type azRunner struct {
	t   *testing.T
	bin string
	env []string
}

func (a azRunner) run(args ...string) (string, error) {
	a.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, a.bin, append(args, "--only-show-errors")...)
	cmd.Env = a.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (a azRunner) must(args ...string) string {
	a.t.Helper()
	out, err := a.run(args...)
	if err != nil {
		a.t.Fatalf("az %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// TestAzureCLI drives the real azure-cli (Debian's 2.45 package) against the emulator: cloud register
// with the ADFS-style authority, service-principal login, resource group, disk, image (az rest, as the
// package's az image create is broken), gallery, definition, version, az sig image-version update
// (which PUTs the version back without its source), and the delete lag a back-to-back delete meets.
// It is opt-in: without az it skips, unless AZCLI_REQUIRED=1 makes that a failure.
func TestAzureCLI(t *testing.T) {
	bin := needTool(t, "az", os.Getenv("AZCLI_REQUIRED") == "1", "AZCLI_REQUIRED")
	_, ready := emulatortest.Start(t, emulator.Options{
		Regions:        []string{"eastus", "westus"},
		Replication:    emulator.ReplicationConfig{SecondsPerGiB: 0.01, RegionBaseDelay: emulator.Duration(500 * time.Millisecond)},
		OperationDelay: emulator.Duration(50 * time.Millisecond),
		DeleteLag:      emulator.Duration(time.Hour),
	})
	az := azRunner{t: t, bin: bin, env: append(os.Environ(), "AZURE_CONFIG_DIR="+t.TempDir(), "REQUESTS_CA_BUNDLE="+ready.CAFile,
		"AZURE_CORE_COLLECT_TELEMETRY=false", "AZURE_CORE_NO_COLOR=true")}
	az.must("cloud", "register", "-n", "Emulator", "--endpoint-resource-manager", ready.Endpoint+"/",
		"--endpoint-active-directory", ready.Endpoint+"/adfs")
	az.must("cloud", "set", "-n", "Emulator")
	az.must("login", "--service-principal", "-u", ready.ClientID, "-p", ready.ClientSecret, "--tenant", ready.TenantID, "-o", "none")
	sub := ready.SubscriptionID
	rgID := "/subscriptions/" + sub + "/resourceGroups/rgaz/providers/Microsoft.Compute"
	az.must("group", "create", "-n", "rgaz", "-l", "eastus", "-o", "none")
	az.must("disk", "create", "-g", "rgaz", "-n", "d1", "--size-gb", "4", "--hyper-v-generation", "V2", "--os-type", "Linux", "-o", "none")
	az.must("rest", "--method", "put", "--url", rgID+"/images/img1?api-version=2022-11-01", "-o", "none", "--body",
		`{"location":"eastus","properties":{"hyperVGeneration":"V2","storageProfile":{"osDisk":{"osType":"Linux","osState":"Generalized","managedDisk":{"id":"`+rgID+`/disks/d1"}}}}}`)
	az.must("sig", "create", "-g", "rgaz", "-r", "galaz", "-o", "none")
	az.must("sig", "image-definition", "create", "-g", "rgaz", "-r", "galaz", "-i", "defaz", "--publisher", "p", "--offer", "o", "--sku", "s",
		"--os-type", "Linux", "--hyper-v-generation", "V2", "-o", "none")
	out, err := az.run("sig", "image-definition", "create", "-g", "rgaz", "-r", "galaz", "-i", "defaz2", "--publisher", "p", "--offer", "o",
		"--sku", "s", "--os-type", "Linux", "--hyper-v-generation", "V2", "-o", "none")
	if err == nil || !strings.Contains(out, "Choose a different publisher, offer, sku combination") {
		t.Fatalf("duplicate identifier: %v\n%s", err, out)
	}
	az.must("sig", "image-version", "create", "-g", "rgaz", "-r", "galaz", "-i", "defaz", "-e", "1.0.0",
		"--managed-image", rgID+"/images/img1", "--target-regions", "eastus", "westus", "-o", "none")
	az.must("sig", "image-version", "update", "-g", "rgaz", "-r", "galaz", "-i", "defaz", "-e", "1.0.0", "--set", "tags.updated=yes", "-o", "none")
	var v struct {
		State, Src string
		Tags       map[string]string
	}
	show := az.must("sig", "image-version", "show", "-g", "rgaz", "-r", "galaz", "-i", "defaz", "-e", "1.0.0",
		"--query", "{state:provisioningState,src:storageProfile.source.id,tags:tags}", "-o", "json")
	if err := json.Unmarshal([]byte(show), &v); err != nil || v.State != "Succeeded" || !strings.HasSuffix(v.Src, "/images/img1") || v.Tags["updated"] != "yes" {
		t.Fatalf("after az sig image-version update: %+v %v\n%s", v, err, show)
	}
	az.must("sig", "image-version", "delete", "-g", "rgaz", "-r", "galaz", "-i", "defaz", "-e", "1.0.0")
	out, err = az.run("sig", "image-definition", "delete", "-g", "rgaz", "-r", "galaz", "-i", "defaz")
	if err == nil || !strings.Contains(out, "CannotDeleteResource") {
		t.Fatalf("definition delete right after its version: %v\n%s", err, out)
	}
}
