package azure

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// NoDeadlineThrottleLimit is how long one call honours Retry-After in total when its context has no
// deadline (the builder, the data source): long enough for Compute's 20-minute cool-downs, short
// enough that a throttled subscription cannot hang a build for ever.
const NoDeadlineThrottleLimit = time.Hour

// throttleMargin is kept free after a throttled wait, so the retried request itself still fits the
// deadline.
const throttleMargin = 5 * time.Second

// Throttle describes one throttled wait: Azure answered 429 (or 503) with a Retry-After that azcore's
// retry policy did not honour, because it is longer than MaxRetryDelay or azcore's retries ran out.
type Throttle struct {
	// Operation is the request's method and path ("GET /subscriptions/…/versions/1.0.0").
	Operation string
	// StatusCode and Code are Azure's answer (429 and, on Compute, "OperationNotAllowed").
	StatusCode int
	Code       string
	// RetryAfter is what Azure asked for; Until is when the wait ends.
	RetryAfter time.Duration
	Until      time.Time
}

// String says what is throttled and until when the call waits, for the progress output.
func (t Throttle) String() string {
	code := t.Code
	if code == "" {
		code = "(no code)"
	}
	return fmt.Sprintf("Throttled: Azure answered %s with HTTP %d %s and Retry-After %s; waiting until %s.",
		shortOperation(t.Operation), t.StatusCode, code, t.RetryAfter, t.Until.UTC().Format("15:04:05Z"))
}

// shortOperation drops the subscription and resource group from "GET /subscriptions/…/providers/X":
// the run's output names them already.
func shortOperation(op string) string {
	if i := strings.Index(strings.ToLower(op), "/providers/"); i >= 0 {
		if sp := strings.IndexByte(op, ' '); sp >= 0 && sp < i {
			return op[:sp+1] + op[i+len("/providers/"):]
		}
	}
	return op
}

// ThrottledError is returned when a Retry-After does not fit in what is left of the run (its context's
// deadline) or exceeds NoDeadlineThrottleLimit. It wraps Azure's *azcore.ResponseError.
type ThrottledError struct {
	Throttle
	// Deadline is the context's deadline (zero when it had none); Timeout is the run's timeout, when the
	// caller named it with WithCallWatch.
	Deadline time.Time
	Timeout  time.Duration
	// Now is when Azure's answer arrived.
	Now time.Time
	err error
}

// Error names the operation, the Retry-After and the timeout it does not fit in.
func (e *ThrottledError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Azure throttled %s (HTTP %d %s) and asked to retry after %s (at %s)", e.Operation, e.StatusCode,
		orUnknown(e.Code), e.RetryAfter, e.Until.UTC().Format("15:04:05Z"))
	switch {
	case e.Deadline.IsZero():
		fmt.Fprintf(&b, ", longer than the %s this plugin waits for a throttled call without a timeout; retry later", NoDeadlineThrottleLimit)
	default:
		left := max(e.Deadline.Sub(e.Now), 0).Round(time.Second)
		if e.Timeout > 0 {
			fmt.Fprintf(&b, ", after the end of the run's timeout (timeout = %s, %s left, ends at %s)", e.Timeout, left, e.Deadline.UTC().Format("15:04:05Z"))
		} else {
			fmt.Fprintf(&b, ", after the end of the run's deadline (%s left, ends at %s)", left, e.Deadline.UTC().Format("15:04:05Z"))
		}
		b.WriteString("; raise timeout, or re-run once the subscription's request budget has recovered")
	}
	return b.String()
}

// Unwrap returns Azure's response error.
func (e *ThrottledError) Unwrap() error { return e.err }

// CallWatch is what a caller asks of the ARM calls made with a context (WithCallWatch).
type CallWatch struct {
	// Notify is called before each throttled wait, so the caller can say it is throttled and until when.
	Notify func(Throttle)
	// Timeout names the run's timeout in a ThrottledError.
	Timeout time.Duration
	// Requests, when set, counts every HTTP request sent (retries included).
	Requests *atomic.Int64
}

type callWatchKey struct{}

// WithCallWatch returns a context whose ARM calls report to w. A field left zero keeps the value of an
// outer watch, so a wait can add a request counter under the publish's notifier.
func WithCallWatch(ctx context.Context, w CallWatch) context.Context {
	outer := watchOf(ctx)
	if w.Notify == nil {
		w.Notify = outer.Notify
	}
	if w.Timeout == 0 {
		w.Timeout = outer.Timeout
	}
	if w.Requests == nil {
		w.Requests = outer.Requests
	}
	return context.WithValue(ctx, callWatchKey{}, w)
}

func watchOf(ctx context.Context) CallWatch {
	w, _ := ctx.Value(callWatchKey{}).(CallWatch)
	return w
}

// RetryAfter reads how long a response asks to wait: retry-after-ms, x-ms-retry-after-ms, or Retry-After
// in seconds or as an HTTP date. Zero when it asks nothing.
func RetryAfter(resp *http.Response) time.Duration {
	return retryAfterAt(resp, time.Now())
}

func retryAfterAt(resp *http.Response, now time.Time) time.Duration {
	if resp == nil {
		return 0
	}
	for _, h := range []string{"retry-after-ms", "x-ms-retry-after-ms"} {
		if ms, err := strconv.ParseInt(strings.TrimSpace(resp.Header.Get(h)), 10, 64); err == nil && ms > 0 {
			return time.Duration(ms) * time.Millisecond
		}
	}
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Duration(max(s, 0)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

// throttlePolicy runs once per call, outside azcore's retry policy. When a call still ends in a 429 or
// 503 that asks to retry later, it waits as asked if the wait fits before the context's deadline (or
// within NoDeadlineThrottleLimit), telling the CallWatch's Notify first, and sends the call again;
// otherwise it fails with a ThrottledError. The run's deadline bounds the loop.
type throttlePolicy struct {
	now   func() time.Time
	sleep func(context.Context, time.Duration) error
}

func newThrottlePolicy() *throttlePolicy {
	return &throttlePolicy{now: time.Now, sleep: Sleep}
}

type noResendKey struct{}

// WithNoResend returns a context whose calls the throttle policy never sends again: the caller reads the
// resource back before any retry of its own (the version PUT, which must not land blindly on a version
// another run created meanwhile). Pair it with azcore's policy.WithRetryOptions(MaxRetries: -1).
func WithNoResend(ctx context.Context) context.Context {
	return context.WithValue(ctx, noResendKey{}, true)
}

// Do implements policy.Policy.
func (p *throttlePolicy) Do(req *policy.Request) (*http.Response, error) {
	ctx := req.Raw().Context()
	if ctx.Value(noResendKey{}) != nil {
		return req.Next()
	}
	var waited time.Duration
	for {
		if err := req.RewindBody(); err != nil {
			return nil, err
		}
		resp, err := req.Next()
		if err != nil || (resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable) {
			return resp, err
		}
		now := p.now()
		ra := retryAfterAt(resp, now)
		if ra <= 0 {
			return resp, nil // no Retry-After: azcore's own back-off already ran its course
		}
		rerr := runtime.NewResponseError(resp) // reads (and keeps) the body, for the error code
		th := Throttle{Operation: req.Raw().Method + " " + req.Raw().URL.Path, StatusCode: resp.StatusCode,
			Code: errorCode(rerr), RetryAfter: ra, Until: now.Add(ra)}
		w := watchOf(ctx)
		deadline, hasDeadline := ctx.Deadline()
		if (hasDeadline && th.Until.Add(throttleMargin).After(deadline)) || (!hasDeadline && waited+ra > NoDeadlineThrottleLimit) {
			te := &ThrottledError{Throttle: th, Deadline: deadline, Timeout: w.Timeout, Now: now, err: rerr}
			if !hasDeadline {
				te.Deadline = time.Time{}
			}
			return nil, te
		}
		runtime.Drain(resp)
		if w.Notify != nil {
			w.Notify(th)
		}
		if err := p.sleep(ctx, ra); err != nil {
			return nil, err
		}
		waited += ra
	}
}

// errorCode is the ARM error code azcore read from the header or the body.
func errorCode(err error) string {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return re.ErrorCode
	}
	return ""
}

// countPolicy runs once per try, so it counts every HTTP request, retries included, for a context that
// carries a CallWatch with Requests.
type countPolicy struct{}

// Do implements policy.Policy.
func (countPolicy) Do(req *policy.Request) (*http.Response, error) {
	if c := watchOf(req.Raw().Context()).Requests; c != nil {
		c.Add(1)
	}
	return req.Next()
}

// Sleep waits d or until ctx ends, whichever is first: Ctrl-C stops a wait at once. It is the plugin's
// one sleep between Azure calls (throttled waits, delete back-off, the replication wait).
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// IsThrottled reports whether err is a throttled call that did not fit.
func IsThrottled(err error) bool {
	var te *ThrottledError
	return errors.As(err, &te)
}
