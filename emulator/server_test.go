package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/emulatortest"
)

const metadataPath = "/metadata/endpoints"

// admin calls a /_emulator route and decodes the JSON answer into out (if not nil).
func admin(t *testing.T, hc *http.Client, ready emulator.Ready, method, path string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, ready.Endpoint+path, rd)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

func client(t *testing.T, ready emulator.Ready) *http.Client {
	t.Helper()
	hc, err := ready.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	return hc
}

// azcorePipeline is azcore's standard pipeline (with its retry policy) over a transport trusting the CA.
func azcorePipeline(t *testing.T, ready emulator.Ready) runtime.Pipeline {
	t.Helper()
	return runtime.NewPipeline("emulatortest", "v0", runtime.PipelineOptions{}, &policy.ClientOptions{
		Transport: client(t, ready),
		Retry:     policy.RetryOptions{MaxRetries: 3, RetryDelay: 10 * time.Millisecond, MaxRetryDelay: 2 * time.Second},
	})
}

func getMetadata(t *testing.T, pl runtime.Pipeline, ready emulator.Ready) (*http.Response, error) {
	t.Helper()
	req, err := runtime.NewRequest(context.Background(), http.MethodGet, ready.Endpoint+metadataPath+"?api-version=2022-09-01")
	if err != nil {
		t.Fatal(err)
	}
	return pl.Do(req)
}

type faultList struct {
	Rules []emulator.FaultRule `json:"rules"`
}

type requestList struct {
	Requests []emulator.RequestLogEntry `json:"requests"`
}

func statusesFor(t *testing.T, hc *http.Client, ready emulator.Ready, path string) []int {
	t.Helper()
	var log requestList
	admin(t, hc, ready, http.MethodGet, "/_emulator/requests", nil, &log)
	var out []int
	for _, e := range log.Requests {
		if e.Path == path {
			out = append(out, e.Status)
		}
	}
	return out
}

func TestFault429RetriedByAzcore(t *testing.T) {
	_, ready := emulatortest.Start(t, emulator.Options{})
	hc := client(t, ready)
	var added faultList
	status := admin(t, hc, ready, http.MethodPost, "/_emulator/faults",
		map[string]any{"method": "GET", "path": "/metadata/*", "action": "status", "status": 429, "retry_after": 1, "count": 2}, &added)
	if status != http.StatusCreated || len(added.Rules) != 1 || added.Rules[0].ID == "" {
		t.Fatalf("POST faults: %d %+v", status, added)
	}
	resp, err := getMetadata(t, azcorePipeline(t, ready), ready)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("azcore should retry the two 429s and succeed: %v %v", resp, err)
	}
	var rules faultList
	admin(t, hc, ready, http.MethodGet, "/_emulator/faults", nil, &rules)
	if len(rules.Rules) != 1 || rules.Rules[0].Fired != 2 {
		t.Errorf("fire count: %+v", rules.Rules)
	}
	if got := statusesFor(t, hc, ready, metadataPath); len(got) != 3 || got[0] != 429 || got[1] != 429 || got[2] != 200 {
		t.Errorf("request log statuses = %v, want [429 429 200]", got)
	}
}

func TestFaultStatusBody(t *testing.T) {
	_, ready := emulatortest.Start(t, emulator.Options{})
	hc := client(t, ready)
	admin(t, hc, ready, http.MethodPost, "/_emulator/faults",
		[]map[string]any{{"path_regexp": "^/metadata/", "action": "status", "status": 503, "count": 1}}, nil)
	resp, err := hc.Get(ready.Endpoint + metadataPath + "?api-version=2022-09-01")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != 503 || body.Error.Code != "ServiceUnavailable" || resp.Header.Get("x-ms-error-code") != "ServiceUnavailable" {
		t.Errorf("got %d %+v %q", resp.StatusCode, body, resp.Header.Get("x-ms-error-code"))
	}
	if resp2, err := hc.Get(ready.Endpoint + metadataPath + "?api-version=2022-09-01"); err != nil || resp2.StatusCode != 200 {
		t.Errorf("count 1 should fire once: %v %v", resp2, err)
	}
}

func TestFaultReset(t *testing.T) {
	_, ready := emulatortest.Start(t, emulator.Options{})
	hc := client(t, ready)
	admin(t, hc, ready, http.MethodPost, "/_emulator/faults", map[string]any{"method": "GET", "path": metadataPath, "action": "reset", "count": 1}, nil)
	_, err := hc.Get(ready.Endpoint + metadataPath + "?api-version=2022-09-01")
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("want connection reset by peer, got %v", err)
	}
	// azcore retries a reset connection.
	admin(t, hc, ready, http.MethodPost, "/_emulator/faults", map[string]any{"method": "GET", "path": metadataPath, "action": "reset", "count": 1}, nil)
	resp, err := getMetadata(t, azcorePipeline(t, ready), ready)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("azcore should retry the reset: %v %v", resp, err)
	}
	var rules faultList
	admin(t, hc, ready, http.MethodGet, "/_emulator/faults", nil, &rules)
	if len(rules.Rules) != 2 || rules.Rules[0].Fired != 1 || rules.Rules[1].Fired != 1 {
		t.Errorf("fire counts: %+v", rules.Rules)
	}
	if got := statusesFor(t, hc, ready, metadataPath); len(got) != 3 || got[0] != 0 || got[1] != 0 || got[2] != 200 {
		t.Errorf("request log statuses = %v, want [0 0 200]", got)
	}
}

func TestFaultLatencyAndTokenLifetime(t *testing.T) {
	srv, ready := emulatortest.Start(t, emulator.Options{})
	hc := client(t, ready)
	added, err := srv.AddFaults(
		emulator.FaultRule{Path: metadataPath, Action: emulator.FaultLatency, LatencyMS: 150, Count: 1},
		emulator.FaultRule{Action: emulator.FaultTokenLifetime, Seconds: 7},
	)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hc.Get(ready.Endpoint + metadataPath + "?api-version=2022-09-01"); err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 || reqs[0].DurationMS < 150 || len(reqs[0].Faults) != 1 || reqs[0].Faults[0] != added[0].ID {
		t.Errorf("latency entry: %+v", reqs)
	}
	form := strings.NewReader("grant_type=client_credentials&client_id=" + ready.ClientID + "&client_secret=" + ready.ClientSecret +
		"&scope=https%3A%2F%2Fmanagement.azure-gallery-emulator.local%2F.default")
	resp, err := hc.Post(ready.Endpoint+"/"+ready.TenantID+"/oauth2/v2.0/token", "application/x-www-form-urlencoded", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		ExpiresIn int `json:"expires_in"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	if tok.ExpiresIn != 7 {
		t.Errorf("expires_in after a token_lifetime fault = %d, want 7", tok.ExpiresIn)
	}
}

func TestFaultRuleValidation(t *testing.T) {
	_, ready := emulatortest.Start(t, emulator.Options{})
	hc := client(t, ready)
	for _, bad := range []any{
		map[string]any{"action": "explode"},
		map[string]any{"action": "status", "status": 200},
		map[string]any{"action": "latency"},
		map[string]any{"action": "status", "probability": 2},
		map[string]any{"action": "status", "path_regexp": "("},
		map[string]any{"action": "status", "typo_field": 1},
		map[string]any{"action": "replication_failure"},
	} {
		var out struct {
			Error struct{ Code string } `json:"error"`
		}
		if status := admin(t, hc, ready, http.MethodPost, "/_emulator/faults", bad, &out); status != 400 || out.Error.Code != "InvalidFaultRule" {
			t.Errorf("%v: %d %+v", bad, status, out)
		}
	}
	var rules faultList
	admin(t, hc, ready, http.MethodGet, "/_emulator/faults", nil, &rules)
	if len(rules.Rules) != 0 {
		t.Errorf("a bad rule was installed: %+v", rules.Rules)
	}
}

func TestResetClearsFaultsAndLog(t *testing.T) {
	srv, ready := emulatortest.Start(t, emulator.Options{})
	hc := client(t, ready)
	if _, err := srv.AddFaults(emulator.FaultRule{Path: "/nothing", Action: emulator.FaultStatus}); err != nil {
		t.Fatal(err)
	}
	_, _ = hc.Get(ready.Endpoint + metadataPath + "?api-version=2022-09-01")
	if status := admin(t, hc, ready, http.MethodPost, "/_emulator/reset", nil, nil); status != http.StatusNoContent {
		t.Fatalf("reset: %d", status)
	}
	if len(srv.Faults()) != 0 || len(srv.Requests()) != 0 {
		t.Errorf("after reset: faults %v, requests %v", srv.Faults(), srv.Requests())
	}
	var inv json.RawMessage
	if status := admin(t, hc, ready, http.MethodGet, "/_emulator/inventory", nil, &inv); status != 200 {
		t.Errorf("inventory: %d", status)
	}
}

func TestARMNeedsToken(t *testing.T) {
	_, ready := emulatortest.Start(t, emulator.Options{})
	resp, err := client(t, ready).Get(ready.Endpoint + "/subscriptions/" + ready.SubscriptionID + "/resourcegroups?api-version=2021-04-01")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "authorization_uri=") {
		t.Errorf("ARM without a token: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
}

func TestRestartKeepsIdentity(t *testing.T) {
	dir := t.TempDir()
	first, ready1 := emulatortest.Start(t, emulator.Options{DataDir: dir})
	tok, err := first.Identity().IssueToken(ready1.ClientID, ready1.TenantID)
	if err != nil {
		t.Fatal(err)
	}
	ca1, _ := os.ReadFile(ready1.CAFile)
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	_, ready2 := emulatortest.Start(t, emulator.Options{DataDir: dir})
	ca2, _ := os.ReadFile(ready2.CAFile)
	if ready2.ClientSecret != ready1.ClientSecret || ready2.TenantID != ready1.TenantID || ready2.SubscriptionID != ready1.SubscriptionID || !bytes.Equal(ca1, ca2) {
		t.Fatalf("identity changed across restarts: %+v vs %+v", ready1, ready2)
	}
	if ready2.CAFile != filepath.Join(dir, "ca.pem") {
		t.Errorf("ca_file = %s", ready2.CAFile)
	}
	req, _ := http.NewRequest(http.MethodGet, ready2.Endpoint+"/subscriptions/"+ready2.SubscriptionID+"?api-version=2022-12-01", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := client(t, ready2).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("a token from before the restart (another port): %d", resp.StatusCode)
	}
}

func TestParseOptions(t *testing.T) {
	o, err := emulator.ParseOptions([]byte(`{
		"subscriptions": [{"id": "sub-1", "tenant_id": "t-1"}],
		"clients": [{"client_id": "app", "client_secret": "pw", "federated_credentials": [{"issuer": "https://issuer", "subject": "s"}]}],
		"regions": ["eastus"],
		"replication": {"seconds_per_gib": 3, "region_base_delay": "1.5s", "region_delays": {"westus": 4}},
		"operation_delay": "250ms", "token_lifetime": 600, "page_size": 5,
		"quotas": {"galleries_per_region": 1}}`))
	if err != nil {
		t.Fatal(err)
	}
	if o.Replication.RegionBaseDelay.D() != 1500*time.Millisecond || o.Replication.RegionDelays["westus"].D() != 4*time.Second ||
		o.TokenLifetime.D() != 10*time.Minute || o.OperationDelay.D() != 250*time.Millisecond || o.Quotas.GalleriesPerRegion != 1 {
		t.Errorf("parsed: %+v", o)
	}
	for _, bad := range []string{`{"regoins": []}`, `{"token_lifetime": "ten"}`, `{"clients": [{"client_secret": "x"}]}`} {
		if _, err := emulator.ParseOptions([]byte(bad)); err == nil {
			t.Errorf("%s: want an error", bad)
		}
	}
	o.DataDir = t.TempDir()
	srv, ready := emulatortest.Start(t, o)
	if ready.TenantID != "t-1" || ready.SubscriptionID != "sub-1" || ready.ClientID != "app" || ready.ClientSecret != "pw" {
		t.Errorf("ready from config: %+v", ready)
	}
	if got := srv.Options().Clients[0].TenantID; got != "t-1" {
		t.Errorf("client tenant defaulted to %q, want the first tenant t-1", got)
	}
}
