package vhd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/pageblob"
)

// DefaultConcurrency is how many Put Page requests run at once by default. Six 4 MiB writes in flight
// keep the buffers within 24 MiB, so the whole plugin process stays under 64 MiB while uploading
// (docs/performance.md measures it); each further write in flight costs 4 MiB.
const DefaultConcurrency = 6

// PageWriter is the part of *pageblob.Client the uploader uses.
type PageWriter interface {
	UploadPages(ctx context.Context, body io.ReadSeekCloser, contentRange blob.HTTPRange, o *pageblob.UploadPagesOptions) (pageblob.UploadPagesResponse, error)
}

// Uploader writes an Image's non-zero pages to a page blob (a managed disk's write SAS) in parallel.
// Memory is bounded by Concurrency buffers of 4 MiB whatever the image size; zero pages are never sent,
// since a new upload disk reads as zeros.
type Uploader struct {
	// Concurrency is the number of Put Page requests in flight; 0 means DefaultConcurrency.
	Concurrency int
	// Progress, when set, is called with bytes handled (sent or skipped as zeros) and the total; it may be
	// called from several goroutines, never concurrently.
	Progress func(done, total int64)
}

// Result says what an upload did.
type Result struct {
	Size      int64   // the page blob's size
	BytesSent int64   // bytes written with Put Page: the non-zero pages
	BytesRead int64   // bytes read from the image (holes are skipped without reading)
	Requests  int     // Put Page requests sent
	Ranges    []Range // the ranges written, sorted and merged: what Get Page Ranges should report
}

type job struct {
	buf  []byte
	w    Window
	span int64 // bytes of the image this job accounts for in progress (window plus the hole before it)
}

// Upload writes img to w. It stops at the first failed write (after azcore's retry policy gave up) or
// when ctx is cancelled, and returns what it wrote so far with the error.
func (u Uploader) Upload(ctx context.Context, w PageWriter, img Image) (*Result, error) {
	n := u.Concurrency
	if n <= 0 {
		n = DefaultConcurrency
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	res := &Result{Size: img.Size()}
	var (
		mu   sync.Mutex // guards res.Ranges, res.Requests and progress calls
		done atomic.Int64
		sent atomic.Int64
	)
	report := func(delta int64) {
		d := done.Add(delta)
		if u.Progress != nil {
			mu.Lock()
			u.Progress(d, res.Size)
			mu.Unlock()
		}
	}
	// One buffer per write in flight: the scanner fills the next one while a worker waits (a read from the
	// page cache takes about a millisecond, a 4 MiB Put Page far longer), so a spare buffer would only
	// cost 4 MiB.
	pool := make(chan []byte, n)
	for range n {
		pool <- nil // allocated lazily, so a tiny image never allocates them all
	}
	jobs := make(chan job)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for j := range jobs {
				for _, r := range j.w.Runs {
					if ctx.Err() != nil {
						break
					}
					data := j.w.Data[r.Start-j.w.Off : r.End-j.w.Off]
					_, err := w.UploadPages(ctx, streaming.NopCloser(bytes.NewReader(data)), blob.HTTPRange{Offset: r.Start, Count: r.Len()}, nil)
					if err != nil {
						cancel(fmt.Errorf("writing pages %v: %w", r, err))
						break
					}
					sent.Add(r.Len())
					mu.Lock()
					res.Ranges = append(res.Ranges, r)
					res.Requests++
					mu.Unlock()
				}
				pool <- j.buf
				report(j.span)
			}
		})
	}
	readErr := u.produce(ctx, img, pool, jobs, report, &res.BytesRead)
	close(jobs)
	wg.Wait()

	res.BytesSent = sent.Load()
	sort.Slice(res.Ranges, func(i, j int) bool { return res.Ranges[i].Start < res.Ranges[j].Start })
	res.Ranges = MergeRanges(res.Ranges)
	if err := context.Cause(ctx); err != nil {
		return res, err
	}
	return res, readErr
}

// produce scans img into pooled buffers and hands windows with data to the workers; windows of zeros go
// straight back to the pool.
func (u Uploader) produce(ctx context.Context, img Image, pool chan []byte, jobs chan<- job, report func(int64), read *int64) error {
	s := NewScanner(img)
	var pos int64 // end of the last window, for counting skipped holes in progress
	for {
		var buf []byte
		select {
		case buf = <-pool:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		if buf == nil {
			buf = make([]byte, MaxPageWrite)
		}
		win, err := s.Next(buf)
		if errors.Is(err, io.EOF) {
			pool <- buf
			if pos < img.Size() {
				report(img.Size() - pos)
			}
			return nil
		}
		if err != nil {
			pool <- buf
			return fmt.Errorf("reading the image: %w", err)
		}
		*read += int64(len(win.Data))
		span := win.Off + int64(len(win.Data)) - pos
		pos = win.Off + int64(len(win.Data))
		if len(win.Runs) == 0 {
			pool <- buf
			report(span)
			continue
		}
		select {
		case jobs <- job{buf: buf, w: win, span: span}:
		case <-ctx.Done():
			pool <- buf
			return context.Cause(ctx)
		}
	}
}

// NewPageBlobClient opens the page blob behind a write SAS URL (from beginGetAccess) with azcore's retry
// policy tuned for 4 MiB page writes: transient failures (timeouts, 408/429/5xx, connection resets) are
// retried with exponential backoff, each attempt bounded so a stalled connection is abandoned. transport
// may be nil for the default HTTP client.
func NewPageBlobClient(sasURL string, transport policy.Transporter) (*pageblob.Client, error) {
	opts := &pageblob.ClientOptions{ClientOptions: azcore.ClientOptions{
		Retry: policy.RetryOptions{
			MaxRetries:    6,
			TryTimeout:    2 * time.Minute,
			RetryDelay:    time.Second,
			MaxRetryDelay: 30 * time.Second,
		},
		Transport: transport,
	}}
	return pageblob.NewClientWithNoCredential(sasURL, opts)
}
