package emulator

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// RequestLogEntry is one served request, as GET /_emulator/requests returns it.
type RequestLogEntry struct {
	Time       time.Time `json:"time"`
	Method     string    `json:"method"`
	Path       string    `json:"path"`
	Query      string    `json:"query,omitempty"`
	Status     int       `json:"status"` // 0 when a reset fault closed the connection
	DurationMS float64   `json:"duration_ms"`
	Faults     []string  `json:"faults,omitempty"` // ids of the fault rules that fired
}

// requestLog is a bounded ring of entries, oldest dropped first.
type requestLog struct {
	mu      sync.Mutex
	entries []RequestLogEntry
	next    int
	full    bool
	out     io.Writer
}

func newRequestLog(size int, out io.Writer) *requestLog {
	return &requestLog{entries: make([]RequestLogEntry, size), out: out}
}

func (l *requestLog) add(e RequestLogEntry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries[l.next] = e
	l.next = (l.next + 1) % len(l.entries)
	if l.next == 0 {
		l.full = true
	}
	if l.out != nil {
		fmt.Fprintf(l.out, "%s %s %s %d %.1fms%s\n", e.Time.UTC().Format(time.RFC3339Nano), e.Method, e.Path, e.Status, e.DurationMS, faultNote(e.Faults))
	}
}

func faultNote(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return fmt.Sprintf(" faults=%v", ids)
}

// snapshot returns the entries oldest first.
func (l *requestLog) snapshot() []RequestLogEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.full {
		return append([]RequestLogEntry{}, l.entries[:l.next]...)
	}
	return append(append([]RequestLogEntry{}, l.entries[l.next:]...), l.entries[:l.next]...)
}

func (l *requestLog) clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	clear(l.entries)
	l.next, l.full = 0, false
}

type logEntryKey struct{}

// logEntryFrom lets inner middleware (faults) annotate the entry being recorded.
func logEntryFrom(ctx context.Context) *RequestLogEntry {
	e, _ := ctx.Value(logEntryKey{}).(*RequestLogEntry)
	return e
}

func (l *requestLog) middleware(now func() time.Time, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		e := &RequestLogEntry{Time: now(), Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery}
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), logEntryKey{}, e)))
		e.Status = rec.status
		if rec.status == 0 && !rec.hijacked {
			e.Status = http.StatusOK
		}
		e.DurationMS = float64(time.Since(start).Microseconds()) / 1000
		l.add(*e)
	})
}

// statusRecorder remembers the status; Unwrap lets http.ResponseController reach Hijack and Flush.
type statusRecorder struct {
	http.ResponseWriter
	status   int
	hijacked bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter {
	// Reaching the writer underneath is how a reset fault hijacks; the entry then has no status.
	s.hijacked = true
	return s.ResponseWriter
}
