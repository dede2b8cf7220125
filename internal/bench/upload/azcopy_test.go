package upload

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// azcopyUpload runs azcopy (the binary named by $AZCOPY, built into .tools/bin and never committed) to
// upload path as a page blob to sasURL (--from-to, since it cannot infer an emulator URL; and
// --skip-version-check, so it does not try to reach the network on start), and returns its wall time
// (process start to exit) and peak RSS in bytes.
func azcopyUpload(tb testing.TB, bin, path, sasURL string) (float64, int64) {
	tb.Helper()
	dir := tb.TempDir()
	cmd := exec.Command(bin, "copy", path, sasURL, "--blob-type", "PageBlob", "--from-to", "LocalBlob",
		"--skip-version-check", "--log-level", "ERROR", "--output-level", "quiet")
	cmd.Env = append(os.Environ(), "AZCOPY_LOG_LOCATION="+dir, "AZCOPY_JOB_PLAN_LOCATION="+dir)
	out := &limitedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	start := time.Now()
	if err := cmd.Run(); err != nil {
		tb.Fatalf("azcopy: %v\n%s", err, out.b)
	}
	secs := time.Since(start).Seconds()
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss * 1024
	}
	return secs, rss
}

// limitedBuffer keeps the first 64 KiB of a child's output for error messages.
type limitedBuffer struct{ b []byte }

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := 64<<10 - len(l.b); room > 0 {
		l.b = append(l.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}
