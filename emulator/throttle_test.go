package emulator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/emulatortest"
)

// settableClock is a clock a test moves forward.
type settableClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *settableClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *settableClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// armCall sends an ARM request with a token the emulator issued and returns status, headers and body.
func armCall(t *testing.T, srv *emulator.Server, ready emulator.Ready, method, path, body string) (int, http.Header, map[string]any) {
	t.Helper()
	tok, err := srv.Identity().IssueToken(ready.ClientID, ready.TenantID)
	if err != nil {
		t.Fatal(err)
	}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, ready.Endpoint+path, rd)
	req.Header.Set("Authorization", "Bearer "+tok)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client(t, ready).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, resp.Header, out
}

func errorOf(body map[string]any) (code, message string, details []any) {
	e, _ := body["error"].(map[string]any)
	code, _ = e["code"].(string)
	message, _ = e["message"].(string)
	details, _ = e["details"].([]any)
	return
}

// TestThrottleBudgets: Compute responses carry x-ms-ratelimit-remaining-resource; once a budget is
// spent the request is refused with 429 OperationNotAllowed + TooManyRequests and a Retry-After up to
// the window's end; the next window serves again. Resource groups and operation polls are not counted.
func TestThrottleBudgets(t *testing.T) {
	clock := &settableClock{t: time.Now().UTC()}
	srv, ready := emulatortest.Start(t, emulator.Options{Clock: clock.now,
		Throttling: emulator.ThrottleConfig{Budgets: map[string]int{"HighCostGet3Min": 3, "CreateUpdateGallery3Min": 50}}})
	sub := "/subscriptions/" + ready.SubscriptionID
	st, h, _ := armCall(t, srv, ready, "PUT", sub+"/resourcegroups/rg?api-version=2021-04-01", `{"location":"eastus"}`)
	if st != 201 || h.Get("x-ms-ratelimit-remaining-resource") != "" {
		t.Fatalf("resource group: %d, header %q", st, h.Get("x-ms-ratelimit-remaining-resource"))
	}
	gal := sub + "/resourceGroups/rg/providers/Microsoft.Compute/galleries/g1?api-version=2026-03-03"
	st, h, _ = armCall(t, srv, ready, "PUT", gal, `{"location":"eastus"}`)
	if want := "Microsoft.Compute/CreateUpdateGallery3Min;49,Microsoft.Compute/CreateUpdateGallery30Min;9999999"; st != 201 || h.Get("x-ms-ratelimit-remaining-resource") != want {
		t.Fatalf("gallery PUT: %d, header %q, want %q", st, h.Get("x-ms-ratelimit-remaining-resource"), want)
	}
	if st, h, _ := armCall(t, srv, ready, "GET", strings.TrimPrefix(h.Get("Azure-AsyncOperation"), ready.Endpoint), ""); st != 200 || h.Get("x-ms-ratelimit-remaining-resource") != "" {
		t.Fatalf("operation poll: %d, header %q", st, h.Get("x-ms-ratelimit-remaining-resource"))
	}
	for i := 2; i >= 0; i-- {
		st, h, _ := armCall(t, srv, ready, "GET", gal, "")
		if want := "Microsoft.Compute/HighCostGet3Min;" + strconv.Itoa(i); st != 200 || !strings.HasPrefix(h.Get("x-ms-ratelimit-remaining-resource"), want) {
			t.Fatalf("GET %d: %d, header %q, want prefix %q", 3-i, st, h.Get("x-ms-ratelimit-remaining-resource"), want)
		}
	}
	clock.add(time.Minute)
	st, h, body := armCall(t, srv, ready, "GET", gal, "")
	code, msg, details := errorOf(body)
	if st != 429 || code != "OperationNotAllowed" || h.Get("Retry-After") != "120" || len(details) != 1 || !strings.Contains(msg, "too many requests") {
		t.Fatalf("over budget: %d %s %q Retry-After %q details %v", st, code, msg, h.Get("Retry-After"), details)
	}
	d := details[0].(map[string]any)
	if d["code"] != "TooManyRequests" || d["target"] != "HighCostGet3Min" || !strings.Contains(d["message"].(string), `"allowedRequestCount":3`) {
		t.Fatalf("detail: %v", d)
	}
	clock.add(2 * time.Minute)
	if st, _, _ := armCall(t, srv, ready, "GET", gal, ""); st != 200 {
		t.Fatalf("next window: %d", st)
	}
}

// TestThrottleFaultShapes: a 429 status rule answers in Compute's shape with the Retry-After it names
// (1 s by default, so tests stay fast), or in ARM's ResourceCollectionRequestsThrottled shape with its
// 120 s cool-down.
func TestThrottleFaultShapes(t *testing.T) {
	srv, ready := emulatortest.Start(t, emulator.Options{})
	hc := client(t, ready)
	path := "/subscriptions/" + ready.SubscriptionID + "/resourceGroups/rg/providers/Microsoft.Compute/galleries/g1"
	for _, c := range []struct {
		rule             map[string]any
		code, retryAfter string
		inMsg            string
	}{
		{map[string]any{"status": 429}, "OperationNotAllowed", "1", "too many requests"},
		{map[string]any{"status": 429, "retry_after": 120}, "OperationNotAllowed", "120", "too many requests"},
		{map[string]any{"status": 429, "throttle": "arm"}, "ResourceCollectionRequestsThrottled", "120", "Please try after '120' seconds"},
	} {
		c.rule["action"], c.rule["path"], c.rule["count"] = "status", path, 1
		if st := admin(t, hc, ready, http.MethodPost, "/_emulator/faults", c.rule, nil); st != http.StatusCreated {
			t.Fatalf("install %v: %d", c.rule, st)
		}
		st, h, body := armCall(t, srv, ready, "GET", path+"?api-version=2026-03-03", "")
		code, msg, details := errorOf(body)
		if st != 429 || code != c.code || h.Get("Retry-After") != c.retryAfter || !strings.Contains(msg, c.inMsg) || h.Get("x-ms-error-code") != c.code {
			t.Errorf("rule %v: %d %s %q Retry-After %q", c.rule, st, code, msg, h.Get("Retry-After"))
		}
		if c.code == "OperationNotAllowed" && (len(details) != 1 || details[0].(map[string]any)["code"] != "TooManyRequests") {
			t.Errorf("rule %v: details %v", c.rule, details)
		}
	}
	for _, bad := range []map[string]any{
		{"action": "status", "status": 503, "throttle": "arm"},
		{"action": "status", "status": 429, "throttle": "both"},
		{"action": "replication_profile", "profile": "zigzag"},
	} {
		if st := admin(t, hc, ready, http.MethodPost, "/_emulator/faults", bad, nil); st != http.StatusBadRequest {
			t.Errorf("rule %v: %d, want 400", bad, st)
		}
	}
	if st := admin(t, hc, ready, http.MethodPost, "/_emulator/faults", map[string]any{"action": "replication_profile", "profile": "stall", "region": "eastus"}, nil); st != http.StatusCreated {
		t.Errorf("replication_profile rule: %d", st)
	}
}

// TestParseNewOptions: throttling, profiles, delete lag and the in-flight conflict parse and validate.
func TestParseNewOptions(t *testing.T) {
	o, err := emulator.ParseOptions([]byte(`{"throttling":{"budgets":{"HighCostGet30Min":800}},"delete_lag":"15s",
		"in_flight_put_conflict":true,"replication":{"profile":"s_curve","region_profiles":{"westeurope":"stall"}}}`))
	if err != nil || o.Throttling.Budgets["HighCostGet30Min"] != 800 || o.DeleteLag.D() != 15*time.Second || !o.InFlightPutConflict ||
		o.Replication.Profile != "s_curve" || o.Replication.RegionProfiles["westeurope"] != "stall" {
		t.Fatalf("%+v %v", o, err)
	}
	for _, bad := range []string{`{"throttling":{"budgets":{"Nope":1}}}`, `{"throttling":{"budgets":{"HighCostGet30Min":0}}}`,
		`{"replication":{"profile":"zigzag"}}`, `{"delete_lag":"-1s"}`} {
		if _, err := emulator.ParseOptions([]byte(bad)); err == nil {
			t.Errorf("%s was accepted", bad)
		}
	}
}

// TestThrottleMidReplication: a 429 with Retry-After 120 injected while a version replicates answers one
// read in Compute's shape and leaves the replication alone (a pure function of time): the next read
// still shows it in progress, and it completes on schedule.
func TestThrottleMidReplication(t *testing.T) {
	clock := &settableClock{t: time.Now().UTC()}
	srv, ready := emulatortest.Start(t, emulator.Options{Clock: clock.now, Regions: []string{"eastus", "westus"},
		Replication: emulator.ReplicationConfig{SecondsPerGiB: 0.001, RegionBaseDelay: emulator.Duration(10 * time.Second)}})
	hc := client(t, ready)
	cp := "/subscriptions/" + ready.SubscriptionID + "/resourceGroups/rg/providers/Microsoft.Compute"
	for _, c := range []struct{ path, body string }{
		{"/subscriptions/" + ready.SubscriptionID + "/resourcegroups/rg?api-version=2021-04-01", `{"location":"eastus"}`},
		{cp + "/disks/d?api-version=2026-03-02", `{"location":"eastus","properties":{"creationData":{"createOption":"Empty"},"diskSizeGB":4,"hyperVGeneration":"V2"}}`},
		{cp + "/images/i?api-version=2026-04-01", `{"location":"eastus","properties":{"hyperVGeneration":"V2","storageProfile":{"osDisk":{"osType":"Linux","osState":"Generalized","managedDisk":{"id":"` + cp + `/disks/d"}}}}}`},
		{cp + "/galleries/g?api-version=2026-03-03", `{"location":"eastus"}`},
		{cp + "/galleries/g/images/d?api-version=2026-03-03", `{"location":"eastus","properties":{"osType":"Linux","osState":"Generalized","identifier":{"publisher":"p","offer":"o","sku":"s"}}}`},
		{cp + "/galleries/g/images/d/versions/1.0.0?api-version=2026-03-03", `{"location":"eastus","properties":{"storageProfile":{"source":{"id":"` + cp + `/images/i"}},"publishingProfile":{"targetRegions":[{"name":"eastus"},{"name":"westus"}]}}}`},
	} {
		if st, _, body := armCall(t, srv, ready, "PUT", c.path, c.body); st != 200 && st != 201 && st != 202 {
			t.Fatalf("PUT %s: %d %v", c.path, st, body)
		}
	}
	version := cp + "/galleries/g/images/d/versions/1.0.0"
	admin(t, hc, ready, http.MethodPost, "/_emulator/faults",
		map[string]any{"method": "GET", "path": version, "action": "status", "status": 429, "retry_after": 120, "count": 1}, nil)
	clock.add(4 * time.Second)
	st, h, body := armCall(t, srv, ready, "GET", version+"?api-version=2026-03-03", "")
	if code, _, _ := errorOf(body); st != 429 || code != "OperationNotAllowed" || h.Get("Retry-After") != "120" {
		t.Fatalf("throttled read: %d %s Retry-After %q", st, code, h.Get("Retry-After"))
	}
	state := func() string {
		_, _, body := armCall(t, srv, ready, "GET", version+"?api-version=2026-03-03", "")
		p, _ := body["properties"].(map[string]any)
		s, _ := p["provisioningState"].(string)
		return s
	}
	if s := state(); s != "Creating" {
		t.Fatalf("after the 429, 4 s in: %s", s)
	}
	clock.add(7 * time.Second)
	if s := state(); s != "Succeeded" {
		t.Fatalf("11 s in (10 s replication): %s", s)
	}
}
