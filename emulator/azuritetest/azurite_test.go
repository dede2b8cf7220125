package azuritetest

import (
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestStartServesBlobs: Start gives an endpoint on which Azurite answers HTTP, and Stop ends it.
func TestStartServesBlobs(t *testing.T) {
	ep := Start(t)
	if !strings.HasPrefix(ep, "http://127.0.0.1:") || !strings.HasSuffix(ep, "/"+Account) {
		t.Fatalf("endpoint %q", ep)
	}
	resp, err := http.Get(ep + "?comp=list")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("x-ms-request-id") == "" {
		t.Fatalf("no Azurite answer on %s: %v", ep, resp.Header)
	}
}

// TestStopEndsTheProcess: after Stop nothing listens on the port any more.
func TestStopEndsTheProcess(t *testing.T) {
	bin, err := Bin()
	if err != nil {
		Unavailable(t, err.Error())
	}
	p, err := StartProcess(bin, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimSuffix(strings.TrimPrefix(p.BlobEndpoint, "http://"), "/"+Account)
	p.Stop()
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Fatalf("something still listens on %s after Stop", addr)
	}
}

// TestMissingBinaryUnderRequired: with AZURITE_BLOB pointing nowhere, Bin refuses, and Start fails the
// test under ACCTEST_REQUIRED=1 instead of skipping it.
func TestMissingBinaryUnderRequired(t *testing.T) {
	t.Setenv(EnvBin, filepath.Join(t.TempDir(), "no-azurite"))
	t.Setenv(EnvRequired, "1")
	t.Setenv(EnvSkip, "")
	if _, err := Bin(); err == nil {
		t.Fatal("Bin accepted a missing binary")
	}
	rec := &recorder{TB: t}
	done := make(chan struct{})
	go func() { defer close(done); Start(rec) }()
	<-done
	if !rec.failed || rec.skipped {
		t.Fatalf("under %s=1 a missing Azurite: failed=%v skipped=%v, want a failure", EnvRequired, rec.failed, rec.skipped)
	}
	t.Setenv(EnvRequired, "")
	rec = &recorder{TB: t}
	done = make(chan struct{})
	go func() { defer close(done); Start(rec) }()
	<-done
	if rec.failed || !rec.skipped {
		t.Fatalf("without %s a missing Azurite: failed=%v skipped=%v, want a skip", EnvRequired, rec.failed, rec.skipped)
	}
}

// recorder is a testing.TB that records Fatal and Skip (ending its goroutine as the real ones do).
type recorder struct {
	testing.TB
	failed, skipped bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Fatal(args ...any)     { r.failed = true; runtime.Goexit() }
func (r *recorder) Fatalf(string, ...any) { r.failed = true; runtime.Goexit() }
func (r *recorder) Skip(args ...any)      { r.skipped = true; runtime.Goexit() }
func (r *recorder) Skipf(string, ...any)  { r.skipped = true; runtime.Goexit() }
