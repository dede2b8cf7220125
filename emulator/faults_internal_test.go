package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// TestFaultCountUnderConcurrency: a count is taken atomically, so concurrent requests see exactly count
// faults.
func TestFaultCountUnderConcurrency(t *testing.T) {
	fs := &faultSet{}
	rule := &FaultRule{Path: "/x/*", Action: FaultStatus, Status: 503, Count: 5}
	if err := rule.prepare(); err != nil {
		t.Fatal(err)
	}
	fs.add([]*FaultRule{rule})
	h := fs.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for range 40 {
		wg.Go(func() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/X/Y", nil))
			mu.Lock()
			statuses[rec.Code]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if statuses[503] != 5 || statuses[200] != 35 || fs.list()[0].Fired != 5 {
		t.Errorf("statuses %v, fired %d; want 5 faults and 35 passes", statuses, fs.list()[0].Fired)
	}
}

func TestFaultMatching(t *testing.T) {
	cases := []struct {
		rule   FaultRule
		method string
		path   string
		want   bool
	}{
		{FaultRule{Path: "/subscriptions/*/versions/*"}, "PUT", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/i/versions/1.0.0", true},
		{FaultRule{Path: "/subscriptions/*/versions/*"}, "PUT", "/subscriptions/s/resourceGroups/rg", false},
		{FaultRule{Method: "put", Path: "*"}, "PUT", "/a", true},
		{FaultRule{Method: "PUT"}, "GET", "/a", false},
		{FaultRule{PathRegexp: "/galleries/[^/]+$"}, "GET", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/Galleries/g", true},
		{FaultRule{Path: "/a.b"}, "GET", "/aXb", false}, // glob dots are literal
	}
	for _, c := range cases {
		c.rule.Action = FaultReset
		if err := c.rule.prepare(); err != nil {
			t.Fatal(err)
		}
		if got := c.rule.matches(httptest.NewRequest(c.method, c.path, nil)); got != c.want {
			t.Errorf("%+v on %s %s = %v, want %v", c.rule, c.method, c.path, got, c.want)
		}
	}
}

// FuzzDecodeFaultRules: whatever decodes round-trips (encode → decode gives the same rules), and every
// rule that prepare accepts holds its invariants: a known action, a 4xx/5xx status for status faults, a
// probability in [0, 1], a non-negative count, an id, a pattern that matches its own glob, and preparing
// it again (after a JSON round trip, as GET /_emulator/faults shows it) changes nothing.
func FuzzDecodeFaultRules(f *testing.F) {
	f.Add([]byte(`{"action":"status","status":429,"count":1}`))
	f.Add([]byte(`[{"action":"reset","path":"/a/*"}]`))
	f.Add([]byte(`{"rules":[{"action":"latency","latency_ms":5}]}`))
	f.Add([]byte(`{"action":"replication_failure","region":"eastus","probability":0.5,"path_regexp":"^/x"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		rules, err := decodeFaultRules(body)
		if err != nil {
			return
		}
		enc, err := json.Marshal(rules)
		if err != nil {
			t.Fatalf("encoding decoded rules: %v", err)
		}
		again, err := decodeFaultRules(enc)
		if err != nil {
			t.Fatalf("re-decoding %s: %v", enc, err)
		}
		if len(again) != len(rules) || (len(rules) > 0 && !reflect.DeepEqual(again, rules)) {
			t.Fatalf("round trip changed the rules:\n%+v\n%+v", rules, again)
		}
		for i := range rules {
			r := rules[i]
			if r.prepare() != nil {
				continue
			}
			checkPreparedRule(t, r)
		}
	})
}

// checkPreparedRule asserts the invariants of a rule that prepare accepted.
func checkPreparedRule(t *testing.T, r FaultRule) {
	t.Helper()
	switch r.Action {
	case FaultStatus:
		if r.Status < 400 || r.Status > 599 {
			t.Fatalf("accepted status fault with status %d", r.Status)
		}
	case FaultReset, FaultLatency, FaultReplicationFailure, FaultTokenLifetime:
	default:
		t.Fatalf("accepted unknown action %q", r.Action)
	}
	if r.Probability < 0 || r.Probability > 1 || r.Count < 0 || r.ID == "" || r.re == nil {
		t.Fatalf("accepted rule breaks an invariant: %+v", r)
	}
	if r.Path != "" && !r.re.MatchString(strings.ReplaceAll(r.Path, "*", "")) {
		t.Fatalf("pattern %s does not match its own glob %q", r.re, r.Path)
	}
	enc, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back FaultRule
	if err := json.Unmarshal(enc, &back); err != nil {
		t.Fatalf("decoding %s: %v", enc, err)
	}
	if err := back.prepare(); err != nil {
		t.Fatalf("a prepared rule %s is refused when prepared again: %v", enc, err)
	}
	back.re, r.re = nil, nil
	if back != r {
		t.Fatalf("preparing again changed the rule:\n%+v\n%+v", r, back)
	}
}

// FuzzParseOptions: accepted options re-encode to JSON that parses again to the same options (compared
// by their encoding, so nil and empty lists are alike), and they hold validate's invariants.
func FuzzParseOptions(f *testing.F) {
	f.Add([]byte(`{"regions":["eastus"],"replication":{"region_base_delay":"1s"},"token_lifetime":60}`))
	f.Add([]byte(`{"clients":[{"client_id":"a","federated_credentials":[{"issuer":"i","subject":"s"}]}]}`))
	f.Add([]byte(`{"subscriptions":[{"id":"s","tenant_id":"t"}],"page_size":3,"quotas":{"versions_per_region":2}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := ParseOptions(data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "config: ") {
				t.Fatalf("error %q does not say it is about the config", err)
			}
			return
		}
		if o.PageSize < 0 || o.Replication.SecondsPerGiB < 0 {
			t.Fatalf("accepted page_size %d, seconds_per_gib %v", o.PageSize, o.Replication.SecondsPerGiB)
		}
		for _, s := range o.Subscriptions {
			if s.ID == "" {
				t.Fatal("accepted a subscription without an id")
			}
		}
		enc, err := json.Marshal(o)
		if err != nil {
			t.Fatalf("encoding accepted options: %v", err)
		}
		back, err := ParseOptions(enc)
		if err != nil {
			t.Fatalf("accepted options re-encoded as %s are refused: %v", enc, err)
		}
		enc2, err := json.Marshal(back)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(enc, enc2) {
			t.Fatalf("round trip changed the options:\n%s\n%s", enc, enc2)
		}
	})
}

// TestFaultAfterWriteAppliesTheRequest: status_after serves the request for real (the write is
// committed) and then answers with the fault's status instead of the real reply.
func TestFaultAfterWriteAppliesTheRequest(t *testing.T) {
	for _, method := range []string{http.MethodPut, http.MethodPatch, http.MethodDelete} {
		fs := &faultSet{}
		rule := &FaultRule{Method: method, Path: "/x/*", Action: FaultStatusAfter, Status: 500, Count: 1}
		if err := rule.prepare(); err != nil {
			t.Fatal(err)
		}
		fs.add([]*FaultRule{rule})
		applied := 0
		h := fs.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			applied++
			w.WriteHeader(http.StatusCreated)
		}))
		first := httptest.NewRecorder()
		h.ServeHTTP(first, httptest.NewRequest(method, "/x/y", nil))
		second := httptest.NewRecorder()
		h.ServeHTTP(second, httptest.NewRequest(method, "/x/y", nil))
		if applied != 2 || first.Code != 500 || second.Code != http.StatusCreated {
			t.Errorf("%s: applied %d times, replies %d then %d; want 2 applications, 500 then 201", method, applied, first.Code, second.Code)
		}
	}
	if err := (&FaultRule{Action: FaultResetAfter}).prepare(); err != nil {
		t.Errorf("reset_after refused: %v", err)
	}
}
