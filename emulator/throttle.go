package emulator

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// ThrottleConfig is the Compute resource provider's throttling model: per-subscription budgets per
// operation group and window, reported on every Compute response in x-ms-ratelimit-remaining-resource
// and answered with 429 OperationNotAllowed / TooManyRequests once spent.
type ThrottleConfig struct {
	// Disabled turns the model off (no headers, no 429s from budgets).
	Disabled bool `json:"disabled,omitempty"`
	// Budgets overrides a policy's allowed requests per window, by policy name (see throttlePolicies).
	Budgets map[string]int `json:"budgets,omitempty"`
}

// throttlePolicy is one of Compute's operation-group budgets.
type throttlePolicy struct {
	Name   string
	Window time.Duration
	// Default is large so that tests and benchmarks, which run many publishes, never meet it.
	Default int
	// Applies selects the requests the policy counts.
	Applies func(method, path string) bool
}

// throttlePolicies: reads of Compute resources count against HighCostGet*, writes of gallery
// resources against CreateUpdateGallery*. Polls of operation status are not counted.
var throttlePolicies = []throttlePolicy{
	{"HighCostGet3Min", 3 * time.Minute, 1_000_000, computeRead},
	{"HighCostGet30Min", 30 * time.Minute, 10_000_000, computeRead},
	{"CreateUpdateGallery3Min", 3 * time.Minute, 1_000_000, galleryWrite},
	{"CreateUpdateGallery30Min", 30 * time.Minute, 10_000_000, galleryWrite},
}

// checkBudget validates a configured budget: a known policy and a positive count.
func checkBudget(name string, n int) error {
	for _, p := range throttlePolicies {
		if p.Name == name {
			if n <= 0 {
				return fmt.Errorf("%d: a budget must be positive (disable throttling with throttling.disabled)", n)
			}
			return nil
		}
	}
	names := make([]string, 0, len(throttlePolicies))
	for _, p := range throttlePolicies {
		names = append(names, p.Name)
	}
	return fmt.Errorf("unknown policy; use one of %s", strings.Join(names, ", "))
}

func computePath(path string) bool {
	p := strings.ToLower(path)
	return strings.Contains(p, "/providers/microsoft.compute/") && !strings.Contains(p, "/providers/microsoft.compute/locations/")
}

func computeRead(method, path string) bool { return method == http.MethodGet && computePath(path) }

func galleryWrite(method, path string) bool {
	return (method == http.MethodPut || method == http.MethodPatch) && computePath(path) &&
		strings.Contains(strings.ToLower(path), "/microsoft.compute/galleries/")
}

// throttleWindow counts one subscription's requests against one policy in a fixed window.
type throttleWindow struct {
	start time.Time
	count int
}

// throttler holds the windows; it is safe for concurrent use.
type throttler struct {
	cfg   ThrottleConfig
	clock func() time.Time
	mu    sync.Mutex
	win   map[string]*throttleWindow // subscription + "/" + policy
}

func newThrottler(cfg ThrottleConfig, clock func() time.Time) *throttler {
	return &throttler{cfg: cfg, clock: clock, win: map[string]*throttleWindow{}}
}

func (t *throttler) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.win = map[string]*throttleWindow{}
}

func (t *throttler) limit(p throttlePolicy) int {
	if n, ok := t.cfg.Budgets[p.Name]; ok {
		return n
	}
	return p.Default
}

// throttleVerdict is what one request spent: the remaining counts for the header and, when a budget is
// exhausted, the policy that refused it.
type throttleVerdict struct {
	remaining []string
	refused   *throttlePolicy
	window    *throttleWindow
	limit     int
	retry     time.Duration
}

// charge counts r against every policy that applies to it.
func (t *throttler) charge(r *http.Request) throttleVerdict {
	var v throttleVerdict
	sub := subscriptionOf(r.URL.Path)
	if t.cfg.Disabled || sub == "" {
		return v
	}
	now := t.clock()
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, p := range throttlePolicies {
		if !p.Applies(r.Method, r.URL.Path) {
			continue
		}
		k := strings.ToLower(sub) + "/" + p.Name
		w := t.win[k]
		if w == nil || !now.Before(w.start.Add(p.Window)) {
			w = &throttleWindow{start: now}
			t.win[k] = w
		}
		w.count++
		lim := t.limit(p)
		v.remaining = append(v.remaining, fmt.Sprintf("Microsoft.Compute/%s;%d", p.Name, max(0, lim-w.count)))
		if w.count > lim && v.refused == nil {
			c := *w
			v.refused, v.window, v.limit, v.retry = &throttlePolicies[i], &c, lim, w.start.Add(p.Window).Sub(now)
		}
	}
	return v
}

func subscriptionOf(path string) string {
	seg := strings.Split(strings.Trim(path, "/"), "/")
	if len(seg) >= 2 && strings.EqualFold(seg[0], "subscriptions") {
		return seg[1]
	}
	return ""
}

// middleware adds x-ms-ratelimit-remaining-resource to Compute responses and answers 429 once a
// budget is spent.
func (t *throttler) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := t.charge(r)
		if len(v.remaining) > 0 {
			w.Header().Set("x-ms-ratelimit-remaining-resource", strings.Join(v.remaining, ","))
		}
		if v.refused == nil {
			next.ServeHTTP(w, r)
			return
		}
		secs := int(math.Ceil(v.retry.Seconds()))
		detail, _ := json.Marshal(map[string]any{"operationGroup": v.refused.Name, "startTime": v.window.start.Format(time.RFC3339Nano),
			"endTime": v.window.start.Add(v.refused.Window).Format(time.RFC3339Nano), "allowedRequestCount": v.limit,
			"measuredRequestCount": v.window.count})
		writeThrottle(w, computeThrottle(v.refused.Name, string(detail)), secs)
	})
}

// throttleBody is an ARM error with details, as Compute and ARM answer a throttled request.
type throttleBody struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details []throttleBody `json:"details,omitempty"`
	Target  string         `json:"target,omitempty"`
}

// computeThrottle is the Compute resource provider's 429: OperationNotAllowed with a TooManyRequests
// detail whose target is the operation group and whose message is the window as JSON.
func computeThrottle(group, detail string) throttleBody {
	return throttleBody{Code: "OperationNotAllowed",
		Message: "The server rejected the request because too many requests have been received for this subscription.",
		Details: []throttleBody{{Code: "TooManyRequests", Target: group, Message: detail}}}
}

// armThrottle is ARM's own 429 for too many requests on one resource collection.
func armThrottle(r *http.Request, retry int) throttleBody {
	return throttleBody{Code: "ResourceCollectionRequestsThrottled",
		Message: fmt.Sprintf("Operation '%s %s' failed as server encountered too many requests. Please try after '%d' seconds.",
			r.Method, r.URL.Path, retry)}
}

func writeThrottle(w http.ResponseWriter, body throttleBody, retryAfter int) {
	h := w.Header()
	if retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(retryAfter))
	}
	h.Set("x-ms-error-code", body.Code)
	h.Set("x-ms-request-id", uuid.NewString())
	h.Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusTooManyRequests)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": body})
}

// Throttle styles of a 429 status fault rule (FaultRule.Throttle).
const (
	ThrottleCompute = "compute" // Compute's OperationNotAllowed + TooManyRequests (the default)
	ThrottleARM     = "arm"     // ARM's ResourceCollectionRequestsThrottled, Retry-After 120 by default
)

// armThrottleCooldown is ARM's cool-down for a throttled resource collection.
const armThrottleCooldown = 120

// prepareThrottleFault validates the throttle style of a 429 status rule and sets its Retry-After
// default: 1 s for Compute's shape (short, so tests stay fast; set retry_after for Azure's 120 or
// 1200), ARM's 120 s cool-down for its shape.
func prepareThrottleFault(f *FaultRule) error {
	if f.Throttle != "" && f.Status != http.StatusTooManyRequests {
		return fmt.Errorf("throttle %q: only a status 429 rule has a throttle style", f.Throttle)
	}
	if f.Status != http.StatusTooManyRequests {
		return nil
	}
	switch f.Throttle {
	case "", ThrottleCompute:
		if f.RetryAfter == 0 {
			f.RetryAfter = 1
		}
	case ThrottleARM:
		if f.RetryAfter == 0 {
			f.RetryAfter = armThrottleCooldown
		}
	default:
		return fmt.Errorf("throttle %q: use %q or %q", f.Throttle, ThrottleCompute, ThrottleARM)
	}
	return nil
}

// writeThrottleFault answers a 429 status rule in Azure's shape (unless the rule names its own code).
func writeThrottleFault(w http.ResponseWriter, r *http.Request, f *FaultRule) {
	body := computeThrottle("HighCostGet30Min", fmt.Sprintf(`{"operationGroup":"HighCostGet30Min","faultRule":%q}`, f.ID))
	if r.Method != http.MethodGet {
		body = computeThrottle("CreateUpdateGallery3Min", fmt.Sprintf(`{"operationGroup":"CreateUpdateGallery3Min","faultRule":%q}`, f.ID))
	}
	if f.Throttle == ThrottleARM {
		body = armThrottle(r, f.RetryAfter)
	}
	if f.Message != "" {
		body.Message = f.Message
	}
	writeThrottle(w, body, f.RetryAfter)
}
