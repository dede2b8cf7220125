package upload

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/pageblob"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/vhd"
)

// childResult is what an upload child process reports on stdout.
type childResult struct {
	BytesSent int64   `json:"bytes_sent"`
	Requests  int     `json:"requests"`
	Seconds   float64 `json:"seconds"` // the upload itself, measured inside the child
	Verified  bool    `json:"verified"`
	InFlight  float64 `json:"in_flight"` // mean Put Page requests in flight over the upload: is the pipe kept full?
	Wall      float64 `json:"-"`         // process start to exit, measured by the parent
	MaxRSS    int64   `json:"-"`
}

// TestMain lets the test binary double as the upload child: BENCH_UPLOAD_CHILD=uploader|loop with
// BENCH_FILE, BENCH_SAS and BENCH_CONCURRENCY.
func TestMain(m *testing.M) {
	if mode := os.Getenv("BENCH_UPLOAD_CHILD"); mode != "" {
		n, _ := strconv.Atoi(os.Getenv("BENCH_CONCURRENCY"))
		if err := runChild(mode, os.Getenv("BENCH_FILE"), os.Getenv("BENCH_SAS"), n); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func runChild(mode, path, sasURL string, n int) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	var r childResult
	switch mode {
	case "uploader":
		r, err = uploaderChild(f, fi.Size(), sasURL, n)
	case "loop":
		r, err = loopChild(f, vhd.VHDSizeForRaw(fi.Size())-vhd.FooterSize, sasURL, n)
	default:
		err = fmt.Errorf("unknown child mode %q", mode)
	}
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(r)
}

// uploaderChild uploads a raw file exactly as the import builder's upload step does (the VHD view,
// zero skipping, vhd.NewPageBlobClient), then verifies the page ranges outside the timing.
func uploaderChild(f *os.File, size int64, sasURL string, n int) (childResult, error) {
	c, err := vhd.NewPageBlobClient(sasURL, nil)
	if err != nil {
		return childResult{}, err
	}
	fl := &inFlight{}
	start := time.Now()
	res, err := vhd.Uploader{Concurrency: n}.Upload(context.Background(), countingWriter{c, fl}, vhd.NewStream(f, size))
	if err != nil {
		return childResult{}, err
	}
	secs := time.Since(start).Seconds()
	verr := vhd.VerifyPageRanges(context.Background(), c, res.Ranges)
	return childResult{BytesSent: res.BytesSent, Requests: res.Requests, Seconds: secs, Verified: verr == nil, InFlight: fl.mean(secs)}, nil
}

// inFlight integrates the number of writes in flight over time, the same way for the uploader and the
// loop, to show whether a client keeps its parallelism busy (a refill that waits shows as less than n).
type inFlight struct {
	mu   sync.Mutex
	n    int
	last time.Time
	area float64 // request-seconds
}

func (f *inFlight) add(d int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now()
	if !f.last.IsZero() {
		f.area += float64(f.n) * now.Sub(f.last).Seconds()
	}
	f.last, f.n = now, f.n+d
}

func (f *inFlight) mean(secs float64) float64 { return f.area / secs }

// countingWriter counts a PageWriter's requests in flight.
type countingWriter struct {
	vhd.PageWriter
	f *inFlight
}

func (c countingWriter) UploadPages(ctx context.Context, body io.ReadSeekCloser, r blob.HTTPRange, o *pageblob.UploadPagesOptions) (pageblob.UploadPagesResponse, error) {
	c.f.add(1)
	defer c.f.add(-1)
	return c.PageWriter.UploadPages(ctx, body, r, o)
}

// loopChild is the raw baseline: n workers PUT every 4 MiB of the file's first size bytes (zeros
// included, no scanning) with azblob's pageblob.Client.UploadPages and its default options.
func loopChild(f *os.File, size int64, sasURL string, n int) (childResult, error) {
	pc, err := pageblob.NewClientWithNoCredential(sasURL, nil)
	if err != nil {
		return childResult{}, err
	}
	fl := &inFlight{}
	c := countingWriter{pc, fl}
	offs := make(chan int64)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	start := time.Now()
	for range n {
		wg.Go(func() {
			buf := make([]byte, vhd.MaxPageWrite)
			for off := range offs {
				m := min(int64(len(buf)), size-off)
				if _, err := f.ReadAt(buf[:m], off); err != nil && err != io.EOF {
					errs <- err
					return
				}
				body := streaming.NopCloser(bytes.NewReader(buf[:m]))
				if _, err := c.UploadPages(context.Background(), body, blob.HTTPRange{Offset: off, Count: m}, nil); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	var sent int64
	var reqs int
	for off := int64(0); off < size; off += vhd.MaxPageWrite {
		select {
		case offs <- off:
			sent += min(vhd.MaxPageWrite, size-off)
			reqs++
		case err := <-errs:
			close(offs)
			wg.Wait()
			return childResult{}, err
		}
	}
	close(offs)
	wg.Wait()
	select {
	case err := <-errs:
		return childResult{}, err
	default:
	}
	secs := time.Since(start).Seconds()
	return childResult{BytesSent: sent, Requests: reqs, Seconds: secs, Verified: true, InFlight: fl.mean(secs)}, nil
}

// runUploadChild runs the test binary as an upload child and returns its result, its wall time and
// its peak RSS.
func runUploadChild(tb testing.TB, mode, path, sasURL string, concurrency int) childResult {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "BENCH_UPLOAD_CHILD="+mode, "BENCH_FILE="+path, "BENCH_SAS="+sasURL,
		"BENCH_CONCURRENCY="+strconv.Itoa(concurrency))
	cmd.Stderr = os.Stderr
	start := time.Now()
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("%s child: %v", mode, err)
	}
	wall := time.Since(start).Seconds()
	var r childResult
	if err := json.Unmarshal(out, &r); err != nil {
		tb.Fatalf("%s child output %q: %v", mode, out, err)
	}
	r.Wall = wall
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.MaxRSS = ru.Maxrss * 1024 // kilobytes on Linux
	}
	return r
}
