package gallery

import (
	"net/http"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
)

// TestPublishReadsNothingTwice: a publish of a new explicit version into an existing definition reads
// the version once before its PUT (the claim's read; the version list already shows it absent, so
// Observe does not read it), lists the versions once, and, once a read shows it Succeeded, does not
// poll the PUT's operation or read the version again through the poller.
func TestPublishReadsNothingTwice(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	src := e.image("img1", "eastus", 4, armcompute.HyperVGenerationTypesV2)
	rec := &recorder{}
	if _, err := e.publisher(rec).Publish(e.ctx, e.request(src, "1.0.0", "eastus", "westus")); err != nil {
		t.Fatalf("first publish: %v\n%s", err, rec.text())
	}
	mark := len(e.srv.Requests())
	if _, err := e.publisher(rec).Publish(e.ctx, e.request(src, "1.0.1", "eastus", "westus")); err != nil {
		t.Fatalf("second publish: %v\n%s", err, rec.text())
	}
	var beforePut, lists, operations, puts int
	var seen []string
	for _, r := range e.srv.Requests()[mark:] {
		if !strings.HasPrefix(r.Path, "/subscriptions/") {
			continue
		}
		seen = append(seen, r.Method+" "+r.Path)
		switch {
		case r.Method == http.MethodPut && strings.HasSuffix(r.Path, "/versions/1.0.1"):
			puts++
		case r.Method == http.MethodGet && strings.HasSuffix(r.Path, "/versions/1.0.1") && puts == 0:
			beforePut++
		case r.Method == http.MethodGet && strings.HasSuffix(r.Path, "/images/"+testDef+"/versions"):
			lists++
		case strings.Contains(strings.ToLower(r.Path), "operations/"):
			operations++
		}
	}
	if puts != 1 || beforePut != 1 || lists != 1 || operations != 0 {
		t.Errorf("PUTs %d (want 1), reads of the version before its PUT %d (want 1), version lists %d (want 1), operation polls %d (want 0):\n%s",
			puts, beforePut, lists, operations, strings.Join(seen, "\n"))
	}
}
