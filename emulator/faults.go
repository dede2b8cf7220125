package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Fault actions. The first three act on matching requests; the last two change the emulator's behaviour
// when installed.
const (
	FaultStatus             = "status"              // answer with Status (429, 500, 503...) and an ARM error body
	FaultReset              = "reset"               // close the connection with a TCP RST
	FaultLatency            = "latency"             // wait LatencyMS, then serve normally
	FaultReplicationFailure = "replication_failure" // make replication to Region fail with Details
	FaultTokenLifetime      = "token_lifetime"      // issue tokens that live Seconds from now on
	FaultReplicationProfile = "replication_profile" // give versions replicating afterwards the progress Profile
	// FaultStatusAfter and FaultResetAfter apply the request first (the write is committed, as when
	// Azure commits a PUT, PATCH or DELETE whose reply is then lost on the way back) and then answer
	// with Status or reset the connection instead of the real reply: a lost reply.
	FaultStatusAfter = "status_after"
	FaultResetAfter  = "reset_after"
)

// FaultRule is one installed fault. Method and Path (a glob where * matches any characters, '/'
// included) or PathRegexp select requests, case-insensitively; empty selects all. Count limits how many
// times it fires (0 = unlimited); Probability (0 = always) makes it random.
type FaultRule struct {
	ID          string  `json:"id"`
	Method      string  `json:"method,omitempty"`
	Path        string  `json:"path,omitempty"`
	PathRegexp  string  `json:"path_regexp,omitempty"`
	Probability float64 `json:"probability,omitempty"`
	Count       int     `json:"count,omitempty"`
	Action      string  `json:"action"`

	Status     int    `json:"status,omitempty"`      // status: default 503
	RetryAfter int    `json:"retry_after,omitempty"` // status: Retry-After seconds; default 1 for 429
	Code       string `json:"code,omitempty"`        // status: error code; default by status
	Message    string `json:"message,omitempty"`     // status: error message
	LatencyMS  int    `json:"latency_ms,omitempty"`  // latency
	Region     string `json:"region,omitempty"`      // replication_failure
	Details    string `json:"details,omitempty"`     // replication_failure
	Seconds    int    `json:"seconds,omitempty"`     // token_lifetime
	Throttle   string `json:"throttle,omitempty"`    // status 429: "compute" (default) or "arm" (throttle.go)
	Profile    string `json:"profile,omitempty"`     // replication_profile (region optional)

	// Fired counts the requests this rule acted on (for install-time actions: 1 once applied).
	Fired int `json:"fired"`

	re *regexp.Regexp
}

// prepare validates a rule and compiles its path pattern.
func (f *FaultRule) prepare() error {
	switch f.Action {
	case FaultStatus, FaultStatusAfter:
		if f.Status == 0 {
			f.Status = http.StatusServiceUnavailable
		}
		if f.Status < 400 || f.Status > 599 {
			return fmt.Errorf("status %d: a status fault needs a 4xx or 5xx status", f.Status)
		}
		if err := prepareThrottleFault(f); err != nil {
			return err
		}
	case FaultReset, FaultResetAfter:
	case FaultLatency:
		if f.LatencyMS <= 0 {
			return fmt.Errorf("a latency fault needs latency_ms > 0")
		}
	case FaultReplicationFailure:
		if f.Region == "" {
			return fmt.Errorf("a replication_failure fault needs a region")
		}
	case FaultTokenLifetime:
		if f.Seconds <= 0 {
			return fmt.Errorf("a token_lifetime fault needs seconds > 0")
		}
	case FaultReplicationProfile:
		if err := checkProfile(f.Profile); err != nil {
			return err
		}
	default:
		return fmt.Errorf("action %q: use one of status, reset, status_after, reset_after, latency, replication_failure, token_lifetime, replication_profile", f.Action)
	}
	if f.Probability < 0 || f.Probability > 1 {
		return fmt.Errorf("probability %v: must be between 0 and 1 (0 = always)", f.Probability)
	}
	if f.Count < 0 {
		return fmt.Errorf("count %d: must not be negative (0 = unlimited)", f.Count)
	}
	pattern := "(?i)^.*$"
	switch {
	case f.PathRegexp != "" && f.Path != "":
		return fmt.Errorf("give path (a glob) or path_regexp, not both")
	case f.PathRegexp != "":
		pattern = "(?i)" + f.PathRegexp
	case f.Path != "":
		pattern = "(?i)^" + strings.ReplaceAll(regexp.QuoteMeta(f.Path), `\*`, ".*") + "$"
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return fmt.Errorf("path_regexp: %w", err)
	}
	f.re = re
	if f.ID == "" {
		f.ID = uuid.NewString()
	}
	return nil
}

func (f *FaultRule) matches(r *http.Request) bool {
	if f.Method != "" && f.Method != "*" && !strings.EqualFold(f.Method, r.Method) {
		return false
	}
	return f.re.MatchString(r.URL.Path)
}

// faultSet holds the installed rules in order.
type faultSet struct {
	mu    sync.Mutex
	rules []*FaultRule
}

func (fs *faultSet) add(rules []*FaultRule) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.rules = append(fs.rules, rules...)
}

func (fs *faultSet) list() []FaultRule {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := make([]FaultRule, 0, len(fs.rules))
	for _, r := range fs.rules {
		out = append(out, *r)
	}
	return out
}

func (fs *faultSet) clear() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.rules = nil
}

func (fs *faultSet) remove(id string) bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, r := range fs.rules {
		if r.ID == id {
			fs.rules = append(fs.rules[:i], fs.rules[i+1:]...)
			return true
		}
	}
	return false
}

// pick decides which request-time rules fire for r: every firing latency rule, then the first firing
// status or reset rule. Counts are taken under the lock so a count of 1 fires exactly once.
func (fs *faultSet) pick(r *http.Request) (latency time.Duration, final *FaultRule, fired []string) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for _, f := range fs.rules {
		if !requestTime(f.Action) {
			continue
		}
		if final != nil && f.Action != FaultLatency {
			continue
		}
		if !f.matches(r) || (f.Count > 0 && f.Fired >= f.Count) || (f.Probability > 0 && rand.Float64() >= f.Probability) {
			continue
		}
		f.Fired++
		fired = append(fired, f.ID)
		if f.Action == FaultLatency {
			latency += time.Duration(f.LatencyMS) * time.Millisecond
		} else {
			c := *f
			final = &c
		}
	}
	return latency, final, fired
}

// middleware applies request-time faults before next.
func (fs *faultSet) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		latency, final, fired := fs.pick(r)
		if len(fired) > 0 {
			if e := logEntryFrom(r.Context()); e != nil {
				e.Faults = fired
			}
		}
		if latency > 0 && !sleepCtx(r.Context(), latency) {
			return
		}
		switch {
		case final == nil:
			next.ServeHTTP(w, r)
		case final.Action == FaultReset:
			resetConnection(w)
		case final.Action == FaultStatusAfter || final.Action == FaultResetAfter:
			lostReply(w, r, next, final)
		case final.Status == http.StatusTooManyRequests && final.Code == "":
			writeThrottleFault(w, r, final)
		default:
			writeFaultStatus(w, final)
		}
	})
}

// requestTime says whether an action acts on matching requests (rather than when installed).
func requestTime(action string) bool {
	switch action {
	case FaultLatency, FaultStatus, FaultReset, FaultStatusAfter, FaultResetAfter:
		return true
	}
	return false
}

// lostReply serves r for real into a discarded reply, so the write is committed, and then fails the
// reply the client sees: a status answer or a connection reset.
func lostReply(w http.ResponseWriter, r *http.Request, next http.Handler, f *FaultRule) {
	next.ServeHTTP(&discardedReply{header: http.Header{}}, r)
	if f.Action == FaultResetAfter {
		resetConnection(w)
		return
	}
	writeFaultStatus(w, f)
}

// discardedReply is a ResponseWriter that drops what it is given.
type discardedReply struct{ header http.Header }

func (d *discardedReply) Header() http.Header         { return d.header }
func (d *discardedReply) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardedReply) WriteHeader(int)             {}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// resetConnection hijacks the connection and closes it with SO_LINGER 0, so the client sees a TCP reset
// ("connection reset by peer"), not an orderly close.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, "reset fault: cannot hijack: "+err.Error(), http.StatusInternalServerError)
		return
	}
	raw := conn
	if nc, ok := conn.(interface{ NetConn() net.Conn }); ok {
		raw = nc.NetConn()
	}
	if tcp, ok := raw.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = raw.Close()
}

func writeFaultStatus(w http.ResponseWriter, f *FaultRule) {
	code, message := f.Code, f.Message
	if code == "" {
		switch f.Status {
		case http.StatusTooManyRequests:
			code = "TooManyRequests"
		case http.StatusInternalServerError:
			code = "InternalServerError"
		case http.StatusServiceUnavailable:
			code = "ServiceUnavailable"
		default:
			code = strings.ReplaceAll(http.StatusText(f.Status), " ", "")
		}
	}
	if message == "" {
		message = fmt.Sprintf("%s (fault injected by rule %s). Please retry the request.", http.StatusText(f.Status), f.ID)
	}
	h := w.Header()
	if f.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(f.RetryAfter))
	}
	h.Set("x-ms-error-code", code)
	h.Set("x-ms-request-id", uuid.NewString())
	h.Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(f.Status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": message}})
}

// RemoveFault removes one installed rule by ID and returns it as it stood (with its Fired count); ok is
// false when no rule has that ID.
func (s *Server) RemoveFault(id string) (rule FaultRule, ok bool) {
	for _, r := range s.faults.list() {
		if r.ID == id {
			rule, ok = r, s.faults.remove(id)
		}
	}
	return rule, ok
}
