package arm

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const testSub = "00000000-0000-0000-0000-000000000001"

// fakeClock is a settable clock for tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// harness is a Service behind a plain httptest server, with a fake clock.
type harness struct {
	t     testing.TB
	svc   *Service
	srv   *httptest.Server
	clock *fakeClock
	// snap makes every request record the inventory just before it is sent, in before.
	snap   bool
	before string
}

func (h *harness) snapshotBefore() {
	if h.snap {
		b, err := h.svc.Inventory()
		if err != nil {
			h.t.Fatal(err)
		}
		h.before = string(b)
	}
}

func newHarness(t testing.TB, opts Options) *harness {
	t.Helper()
	return newHarnessWithClock(t, opts, &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)})
}

// newHarnessWithClock shares a clock between Services (restart tests).
func newHarnessWithClock(t testing.TB, opts Options, clock *fakeClock) *harness {
	t.Helper()
	opts.Clock = clock.Now
	svc, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, svc: svc, clock: clock}
	h.srv = httptest.NewServer(svc)
	t.Cleanup(func() { h.srv.Close(); svc.Close() })
	return h
}

// response is a decoded reply.
type response struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    []byte
}

func (r response) errCode() string { return str(obj(r.Body, "error"), "code") }

func (h *harness) do(method, path string, body any) response {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		switch b := body.(type) {
		case string:
			rd = strings.NewReader(b)
		default:
			raw, err := json.Marshal(b)
			if err != nil {
				h.t.Fatal(err)
			}
			rd = bytes.NewReader(raw)
		}
	}
	u := path
	if !strings.HasPrefix(u, "http") {
		u = h.srv.URL + path
	}
	h.snapshotBefore()
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := response{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &out.Body)
	}
	return out
}

// must fails the test unless the status matches.
func (h *harness) must(status int, method, path string, body any) response {
	h.t.Helper()
	r := h.do(method, path, body)
	if r.Status != status {
		h.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, status, r.Raw)
	}
	return r
}

// waitOp advances the clock until the operation at the Azure-AsyncOperation header is done.
func (h *harness) waitOp(r response) map[string]any {
	h.t.Helper()
	u := r.Header.Get("Azure-AsyncOperation")
	if u == "" {
		h.t.Fatalf("no Azure-AsyncOperation header: %v", r.Header)
	}
	for i := 0; i < 100000; i++ {
		st := h.must(200, "GET", u, nil)
		if s := str(st.Body, "status"); s != "InProgress" {
			return st.Body
		}
		h.clock.Advance(500 * time.Millisecond)
	}
	h.t.Fatal("operation never finished")
	return nil
}

const (
	apiGallery = "2026-03-03"
	apiImage   = "2026-04-01"
	apiDisk    = "2026-03-02"
	apiRG      = "2021-04-01"
)

func rgPath(rg string) string { return "/subscriptions/" + testSub + "/resourceGroups/" + rg }

func computePath(rg, rest string) string {
	return rgPath(rg) + "/providers/Microsoft.Compute/" + rest
}

func withAPI(path, v string) string {
	if strings.Contains(path, "?") {
		return path + "&api-version=" + v
	}
	return path + "?api-version=" + v
}

// fixture creates a resource group, a gallery, a definition and a managed image from an Empty disk.
type fixture struct {
	rg, gallery, def, imageID, diskID string
}

func (h *harness) createRG(rg, loc string) {
	h.t.Helper()
	h.must(201, "PUT", withAPI(rgPath(rg), apiRG), map[string]any{"location": loc})
}

func (h *harness) put(status int, path, api string, body any) response {
	h.t.Helper()
	r := h.must(status, "PUT", withAPI(path, api), body)
	h.waitOp(r)
	return r
}

func (h *harness) baseFixture(loc, hv, osState string) fixture {
	h.t.Helper()
	f := fixture{rg: "rg1", gallery: "gal1", def: "def1"}
	h.createRG(f.rg, loc)
	h.put(201, computePath(f.rg, "galleries/"+f.gallery), apiGallery, map[string]any{"location": loc})
	h.put(201, computePath(f.rg, "galleries/"+f.gallery+"/images/"+f.def), apiGallery, map[string]any{"location": loc,
		"properties": map[string]any{"osType": "Linux", "osState": osState, "hyperVGeneration": hv,
			"identifier": map[string]any{"publisher": "p", "offer": "o", "sku": "s"}}})
	f.diskID = computePath(f.rg, "disks/disk1")
	h.put(202, f.diskID, apiDisk, map[string]any{"location": loc, "properties": map[string]any{"creationData": map[string]any{"createOption": "Empty"}, "diskSizeGB": 4, "hyperVGeneration": hv, "osType": "Linux"}})
	f.imageID = computePath(f.rg, "images/img1")
	h.put(201, f.imageID, apiImage, map[string]any{"location": loc, "properties": map[string]any{"hyperVGeneration": hv, "storageProfile": map[string]any{
		"osDisk": map[string]any{"osType": "Linux", "osState": "Generalized", "managedDisk": map[string]any{"id": f.diskID}}}}})
	return f
}

func (f fixture) versionPath(v string) string {
	return computePath(f.rg, "galleries/"+f.gallery+"/images/"+f.def+"/versions/"+v)
}

func versionBody(loc, source string, regions ...any) map[string]any {
	pp := map[string]any{}
	if regions != nil {
		pp["targetRegions"] = regions
	}
	return map[string]any{"location": loc, "properties": map[string]any{
		"publishingProfile": pp, "storageProfile": map[string]any{"source": map[string]any{"id": source}}}}
}

func region(name string, replicas int) map[string]any {
	return map[string]any{"name": name, "regionalReplicaCount": replicas}
}

func stringsReader(s string) io.Reader { return strings.NewReader(s) }

func errorsAs(err error, target any) bool { return errors.As(err, target) }
