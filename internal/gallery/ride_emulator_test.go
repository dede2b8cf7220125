package gallery

import (
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/arm"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
)

// Azure's answer to deleting a parent while its children are still going away (issue 11: about 10–20 s
// after a version's delete has finished).
func cannotDelete(pathRegexp string, count int) emulator.FaultRule {
	return emulator.FaultRule{Method: "DELETE", PathRegexp: pathRegexp, Count: count, Action: emulator.FaultStatus, Status: 409,
		Code: "CannotDeleteResource", Message: "Can not delete resource before nested resources are deleted."}
}

const (
	definitionPath = `^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Compute/galleries/[^/]+/images/[^/]+$`
	galleryPath    = `^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Compute/galleries/[^/]+$`
)

// TestCleanupRidesOutCannotDeleteResource: cleanup_on_failure retries the definition's and the
// gallery's 409 CannotDeleteResource and leaves nothing behind.
func TestCleanupRidesOutCannotDeleteResource(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	src := e.image("img1", "eastus", 4, armcompute.HyperVGenerationTypesV2)
	e.srv.ARM().AddReplicationFailure(arm.ReplicationFailure{Region: "eastus", Details: "boom", Count: 1})
	if _, err := e.srv.AddFaults(cannotDelete(definitionPath, 2), cannotDelete(galleryPath, 1)); err != nil {
		t.Fatal(err)
	}
	req := e.request(src, "1.0.0")
	req.CleanupOnFailure = true
	rec := &recorder{}
	if _, err := e.publisher(rec).Publish(e.ctx, req); err == nil {
		t.Fatal("failure expected")
	}
	if _, err := e.compute.NewGalleriesClient().Get(e.ctx, testRG, testGallery, nil); !azure.IsNotFound(err) {
		t.Errorf("gallery created by the failed run remains: %v\n%s", err, rec.text())
	}
	out := rec.text()
	if n := strings.Count(out, "(409 CannotDeleteResource); retry"); n != 3 {
		t.Errorf("%d retries announced, want 3:\n%s", n, out)
	}
	if strings.Contains(out, "behind") {
		t.Errorf("cleanup reported leftovers:\n%s", out)
	}
}

// TestCleanupNamesWhatItLeaves: when the definition still refuses after the bound, cleanup names the
// definition's ID with Azure's error, and the gallery it could not attempt.
func TestCleanupNamesWhatItLeaves(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	src := e.image("img1", "eastus", 4, armcompute.HyperVGenerationTypesV2)
	e.srv.ARM().AddReplicationFailure(arm.ReplicationFailure{Region: "eastus", Details: "boom", Count: 1})
	if _, err := e.srv.AddFaults(cannotDelete(definitionPath, 0)); err != nil {
		t.Fatal(err)
	}
	req := e.request(src, "1.0.0")
	req.CleanupOnFailure = true
	rec := &recorder{}
	p := e.publisher(rec)
	p.deleteBound = 3 * time.Second
	if _, err := p.Publish(e.ctx, req); err == nil {
		t.Fatal("failure expected")
	}
	out := rec.text()
	defID := "/subscriptions/" + e.ready.SubscriptionID + "/resourceGroups/" + testRG + "/providers/Microsoft.Compute/galleries/" + testGallery + "/images/" + testDef
	for _, want := range []string{"cleanup_on_failure: left 2 resource(s) behind",
		"image definition " + testDef + " (" + defID + "): ", "CannotDeleteResource",
		"gallery " + testGallery + " (/subscriptions/", "not attempted: image definition " + testDef + " is still there"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if _, err := e.version("1.0.0"); !azure.IsNotFound(err) {
		t.Errorf("the version was not deleted: %v", err)
	}
	t.Logf("cleanup output:\n%s", out)
}

// TestPublishRidesOutThrottlingDuringTheWait: a 429 whose Retry-After exceeds azcore's MaxRetryDelay
// (1 s in this session, as 60 s in the plugin's) in the middle of replication is waited out, the
// progress says so, and the publish succeeds; one that does not fit in the timeout fails naming it.
func TestPublishRidesOutThrottlingDuringTheWait(t *testing.T) {
	e := newEnv(t, emulator.Options{Replication: emulator.ReplicationConfig{SecondsPerGiB: 1, RegionBaseDelay: emulator.Duration(100 * time.Millisecond)}})
	src := e.image("img1", "eastus", 4, armcompute.HyperVGenerationTypesV2)
	throttle := func(retryAfter int) *recorder {
		installed := false
		return &recorder{hook: func(s string) {
			if strings.Contains(s, " Replicating ") && !installed {
				installed = true
				if _, err := e.srv.AddFaults(emulator.FaultRule{Method: "GET", Path: "/subscriptions/*/versions/*", Count: 1,
					Action: emulator.FaultStatus, Status: 429, RetryAfter: retryAfter, Code: "OperationNotAllowed"}); err != nil {
					t.Error(err)
				}
			}
		}}
	}
	rec := throttle(2)
	res, err := e.publisher(rec).Publish(e.ctx, e.request(src, "1.0.0"))
	if err != nil {
		t.Fatalf("throttled wait: %v\n%s", err, rec.text())
	}
	if !strings.Contains(rec.text(), "Throttled: Azure answered GET Microsoft.Compute/galleries/gal/images/ubuntu/versions/1.0.0 with HTTP 429 OperationNotAllowed and Retry-After 2s; waiting until") {
		t.Errorf("the throttled wait was not announced:\n%s", rec.text())
	}
	if res.Requests < 2 {
		t.Errorf("%d requests counted", res.Requests)
	}

	rec = throttle(1200)
	req := e.request(src, "1.0.1")
	req.Timeout = time.Minute
	_, err = e.publisher(rec).Publish(e.ctx, req)
	if err == nil || !azure.IsThrottled(err) {
		t.Fatalf("Retry-After 1200 in a 1m timeout: %v\n%s", err, rec.text())
	}
	for _, want := range []string{"reading the replication status of version 1.0.1", "retry after 20m0s", "timeout = 1m0s", "HTTP 429 OperationNotAllowed"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
}
