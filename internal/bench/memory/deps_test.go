package memory

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

// TestPluginLinksNoDownloaderStack: the plugin binary must not link packer-plugin-sdk's
// multistep/commonsteps, whose go-getter S3/GCS getters pull in gRPC, envoy and the AWS and Google SDKs.
// Linking them cost about 20 MiB of resident memory in every plugin process (docs/performance.md).
func TestPluginLinksNoDownloaderStack(t *testing.T) {
	root, err := acctest.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "list", "-deps", ".")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		switch {
		case pkg == "github.com/hashicorp/packer-plugin-sdk/multistep/commonsteps",
			pkg == "google.golang.org/grpc",
			strings.HasPrefix(pkg, "github.com/hashicorp/go-getter/s3"), strings.HasPrefix(pkg, "github.com/hashicorp/go-getter/gcs"),
			strings.HasPrefix(pkg, "cloud.google.com/go/"):
			t.Errorf("the plugin links %s (via the SDK's download steps); see docs/performance.md", pkg)
		}
	}
}
