package upload

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/vhd"
)

// childResult is what the uploader child process reports on stdout.
type childResult struct {
	BytesSent int64   `json:"bytes_sent"`
	BytesRead int64   `json:"bytes_read"`
	Requests  int     `json:"requests"`
	Seconds   float64 `json:"seconds"`
	Verified  bool    `json:"verified"`
}

// TestMain lets the test binary double as the uploader child: BENCH_UPLOAD_CHILD=file,sas,concurrency.
func TestMain(m *testing.M) {
	if os.Getenv("BENCH_UPLOAD_CHILD") == "1" {
		if err := runChild(os.Getenv("BENCH_FILE"), os.Getenv("BENCH_SAS"), os.Getenv("BENCH_CONCURRENCY")); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runChild uploads a raw file as the import builder does (VHD view, zero skipping, verification).
func runChild(path, sasURL, conc string) error {
	n, _ := strconv.Atoi(conc)
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	img := vhd.NewStream(f, fi.Size())
	c, err := vhd.NewPageBlobClient(sasURL, nil)
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := vhd.Uploader{Concurrency: n}.Upload(context.Background(), c, img)
	if err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	verr := vhd.VerifyPageRanges(context.Background(), c, res.Ranges)
	return json.NewEncoder(os.Stdout).Encode(childResult{res.BytesSent, res.BytesRead, res.Requests, secs, verr == nil})
}

// uploadInChild runs the uploader in a child process and returns its result and peak RSS in bytes.
func uploadInChild(tb testing.TB, path, sasURL string, concurrency int) (childResult, int64) {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "BENCH_UPLOAD_CHILD=1", "BENCH_FILE="+path, "BENCH_SAS="+sasURL, "BENCH_CONCURRENCY="+strconv.Itoa(concurrency))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("uploader child: %v", err)
	}
	var r childResult
	if err := json.Unmarshal(out, &r); err != nil {
		tb.Fatalf("uploader child output %q: %v", out, err)
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var rss int64
	if ru != nil {
		rss = ru.Maxrss * 1024 // kilobytes on Linux
	}
	return r, rss
}
