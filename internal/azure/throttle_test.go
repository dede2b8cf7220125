package azure

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
)

// scripted is a fake transport: each request gets the next answer of the script (the last one repeats).
type scripted struct {
	mu      sync.Mutex
	answers []answer
	seen    []string
}

type answer struct {
	status  int
	headers map[string]string
	body    string
}

func (s *scripted) Do(req *http.Request) (*http.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = append(s.seen, req.Method+" "+req.URL.Path)
	a := s.answers[min(len(s.seen), len(s.answers))-1]
	h := http.Header{"Content-Type": {"application/json"}}
	for k, v := range a.headers {
		h.Set(k, v)
	}
	return &http.Response{StatusCode: a.status, Header: h, Body: io.NopCloser(strings.NewReader(a.body)), Request: req}, nil
}

func (s *scripted) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seen)
}

// staticCred hands out a fixed token.
type staticCred struct{}

func (staticCred) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: "t", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// fakeSleeper records the throttled waits instead of sleeping them.
type fakeSleeper struct {
	mu    sync.Mutex
	slept []time.Duration
}

func (f *fakeSleeper) sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.slept = append(f.slept, d)
	return ctx.Err()
}

func fakeSession(tr *scripted, sl *fakeSleeper) *Session {
	cfg := cloud.Configuration{ActiveDirectoryAuthorityHost: "https://login.test/", Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
		cloud.ResourceManager: {Endpoint: "https://management.test", Audience: "https://management.test"}}}
	s := NewSessionWithCredential("00000000-0000-0000-0000-000000000001", staticCred{}, cfg, WithTransport(tr))
	s.opts.throttle = &throttlePolicy{now: time.Now, sleep: sl.sleep}
	return s
}

const throttledBody = `{"error":{"code":"OperationNotAllowed","message":"The server rejected the request because too many requests have been received for this subscription.","details":[{"code":"TooManyRequests","target":"HighCostGet30Min"}]}}`

const versionBody = `{"id":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d/versions/1.0.0","name":"1.0.0","properties":{"provisioningState":"Creating"}}`

func getVersion(ctx context.Context, s *Session) error {
	cf, err := s.Compute("")
	if err != nil {
		return err
	}
	_, err = cf.NewGalleryImageVersionsClient().Get(ctx, "rg", "g", "d", "1.0.0", nil)
	return err
}

// TestLongRetryAfterIsHonoured: a 429 with Retry-After 120 s (above azcore's 60 s MaxRetryDelay, where
// azcore gives up at once) is waited out when the run's deadline allows, the caller is told it is
// throttled and until when, and the read then succeeds.
func TestLongRetryAfterIsHonoured(t *testing.T) {
	for _, ra := range []string{"120", "1200"} {
		tr := &scripted{answers: []answer{
			{status: 429, headers: map[string]string{"Retry-After": ra, "x-ms-error-code": "OperationNotAllowed"}, body: throttledBody},
			{status: 200, body: versionBody},
		}}
		sl := &fakeSleeper{}
		var told []Throttle
		var reqs atomic.Int64
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Hour)
		ctx = WithCallWatch(ctx, CallWatch{Notify: func(th Throttle) { told = append(told, th) }, Requests: &reqs})
		before := time.Now()
		if err := getVersion(ctx, fakeSession(tr, sl)); err != nil {
			t.Fatalf("Retry-After %s: %v", ra, err)
		}
		cancel()
		want := mustSeconds(t, ra)
		if len(sl.slept) != 1 || sl.slept[0] != want {
			t.Errorf("Retry-After %s: slept %v, want [%s]", ra, sl.slept, want)
		}
		if len(told) != 1 || told[0].Code != "OperationNotAllowed" || told[0].StatusCode != 429 ||
			!strings.Contains(told[0].Operation, "GET /subscriptions/") || told[0].Until.Before(before.Add(want)) {
			t.Errorf("Retry-After %s: notified %+v", ra, told)
		}
		if tr.count() != 2 || reqs.Load() != 2 {
			t.Errorf("Retry-After %s: %d requests sent, %d counted; want 2", ra, tr.count(), reqs.Load())
		}
	}
}

// TestRetryAfterBeyondTheTimeoutFails: a Retry-After that ends after the run's deadline fails at once
// with a message naming the operation, the Retry-After and the timeout; Azure's error stays reachable.
func TestRetryAfterBeyondTheTimeoutFails(t *testing.T) {
	tr := &scripted{answers: []answer{{status: 429, headers: map[string]string{"Retry-After": "1200"}, body: throttledBody}}}
	sl := &fakeSleeper{}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	ctx = WithCallWatch(ctx, CallWatch{Timeout: 10 * time.Minute})
	err := getVersion(ctx, fakeSession(tr, sl))
	var te *ThrottledError
	if !errors.As(err, &te) {
		t.Fatalf("want a ThrottledError, got %v", err)
	}
	msg := Explain(err).Error()
	for _, want := range []string{"GET /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d/versions/1.0.0",
		"HTTP 429 OperationNotAllowed", "retry after 20m0s", "timeout = 10m0s", "raise timeout"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q: %s", want, msg)
		}
	}
	var re *azcore.ResponseError
	if !errors.As(err, &re) || re.StatusCode != 429 {
		t.Errorf("Azure's response error is not reachable: %v", err)
	}
	if len(sl.slept) != 0 || tr.count() != 1 {
		t.Errorf("slept %v and sent %d requests; want no wait and one request", sl.slept, tr.count())
	}

	// Without a deadline (the builder), a wait longer than NoDeadlineThrottleLimit fails the same way.
	tr = &scripted{answers: []answer{{status: 429, headers: map[string]string{"Retry-After": "7200"}, body: throttledBody}}}
	err = getVersion(context.Background(), fakeSession(tr, sl))
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "without a timeout") {
		t.Errorf("no deadline, Retry-After 2h: %v", err)
	}
}

// TestRetryAfterParsing covers the forms Azure and azcore use.
func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		h    map[string]string
		want time.Duration
	}{
		{map[string]string{"Retry-After": "120"}, 120 * time.Second},
		{map[string]string{"Retry-After": now.Add(20 * time.Minute).Format(http.TimeFormat)}, 20 * time.Minute},
		{map[string]string{"retry-after-ms": "1500"}, 1500 * time.Millisecond},
		{map[string]string{"x-ms-retry-after-ms": "250", "Retry-After": "9"}, 250 * time.Millisecond},
		{map[string]string{"Retry-After": "soon"}, 0},
		{nil, 0},
	} {
		resp := &http.Response{Header: http.Header{}}
		for k, v := range tc.h {
			resp.Header.Set(k, v)
		}
		if got := retryAfterAt(resp, now); got != tc.want {
			t.Errorf("%v: %s, want %s", tc.h, got, tc.want)
		}
	}
}

func mustSeconds(t *testing.T, s string) time.Duration {
	t.Helper()
	d, err := time.ParseDuration(s + "s")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestDeleteRetriesCannotDeleteResource: a parent's delete answered 409 CannotDeleteResource (its
// children are still going away) is retried until it succeeds; past the bound the error is returned;
// a 404 counts as deleted.
func TestDeleteRetriesCannotDeleteResource(t *testing.T) {
	conflict := answer{status: 409, headers: map[string]string{"x-ms-error-code": "CannotDeleteResource"},
		body: `{"error":{"code":"CannotDeleteResource","message":"Can not delete resource before nested resources are deleted."}}`}
	tr := &scripted{answers: []answer{conflict, conflict, {status: 200}}}
	s := fakeSession(tr, &fakeSleeper{})
	cf, _ := s.Compute("")
	images := cf.NewGalleryImagesClient()
	begin := func(ctx context.Context) (*armPoller, error) { return images.BeginDelete(ctx, "rg", "g", "d", nil) }
	var retries []time.Duration
	o := DeleteOptions{FirstDelay: time.Millisecond, OnRetry: func(_ int, d time.Duration, _ error) { retries = append(retries, d) }}
	if err := Delete(context.Background(), begin, o); err != nil {
		t.Fatalf("delete after two conflicts: %v", err)
	}
	if tr.count() != 3 || len(retries) != 2 || retries[1] != 2*retries[0] {
		t.Errorf("%d requests, retries %v; want 3 requests and a doubling back-off", tr.count(), retries)
	}

	tr = &scripted{answers: []answer{conflict}}
	s = fakeSession(tr, &fakeSleeper{})
	cf, _ = s.Compute("")
	images = cf.NewGalleryImagesClient()
	start := time.Now()
	err := Delete(context.Background(), begin, DeleteOptions{FirstDelay: 5 * time.Millisecond, Bound: 200 * time.Millisecond})
	if !HasCode(err, "CannotDeleteResource") || time.Since(start) > 5*time.Second || tr.count() < 3 {
		t.Errorf("bounded retry: err %v after %s and %d requests", err, time.Since(start), tr.count())
	}

	tr = &scripted{answers: []answer{{status: 404, headers: map[string]string{"x-ms-error-code": "ResourceNotFound"}, body: `{"error":{"code":"ResourceNotFound","message":"gone"}}`}}}
	s = fakeSession(tr, &fakeSleeper{})
	cf, _ = s.Compute("")
	images = cf.NewGalleryImagesClient()
	if err := Delete(context.Background(), begin, DeleteOptions{}); err != nil {
		t.Errorf("404 on delete: %v", err)
	}
	// Another conflict (not CannotDeleteResource) is not retried.
	tr = &scripted{answers: []answer{{status: 409, body: `{"error":{"code":"Conflict","message":"busy"}}`}}}
	s = fakeSession(tr, &fakeSleeper{})
	cf, _ = s.Compute("")
	images = cf.NewGalleryImagesClient()
	if err := Delete(context.Background(), begin, DeleteOptions{FirstDelay: time.Millisecond}); err == nil || tr.count() != 1 {
		t.Errorf("other 409: err %v after %d requests", err, tr.count())
	}
}

type armPoller = runtime.Poller[armcompute.GalleryImagesClientDeleteResponse]
