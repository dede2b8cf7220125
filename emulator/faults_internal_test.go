package emulator

import (
	"net/http"
	"net/http/httptest"
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

func FuzzDecodeFaultRules(f *testing.F) {
	f.Add([]byte(`{"action":"status","status":429,"count":1}`))
	f.Add([]byte(`[{"action":"reset","path":"/a/*"}]`))
	f.Add([]byte(`{"rules":[{"action":"latency","latency_ms":5}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		rules, err := decodeFaultRules(body)
		if err != nil {
			return
		}
		for i := range rules {
			if rules[i].prepare() == nil && rules[i].re == nil {
				t.Fatal("a prepared rule has no pattern")
			}
		}
	})
}

func FuzzParseOptions(f *testing.F) {
	f.Add([]byte(`{"regions":["eastus"],"replication":{"region_base_delay":"1s"},"token_lifetime":60}`))
	f.Add([]byte(`{"clients":[{"client_id":"a","federated_credentials":[{"issuer":"i","subject":"s"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ParseOptions(data) // must not panic
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
