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
// Memory is bounded by Concurrency buffers of 4 MiB whatever the image size (one per worker); zero
// pages are never sent, since a new upload disk reads as zeros.
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

// Upload writes img to w. It stops at the first failed write (after azcore's retry policy gave up) or
// when ctx is cancelled, and returns what it wrote so far with the error.
func (u Uploader) Upload(ctx context.Context, w PageWriter, img Image) (*Result, error) {
	n := u.Concurrency
	if n <= 0 {
		n = DefaultConcurrency
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	up := &upload{u: u, w: w, img: img, scan: NewScanner(img), res: &Result{Size: img.Size()}, cancel: cancel}
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { up.work(ctx) })
	}
	wg.Wait()

	res := up.res
	res.BytesSent, res.BytesRead = up.sent.Load(), up.read.Load()
	sort.Slice(res.Ranges, func(i, j int) bool { return res.Ranges[i].Start < res.Ranges[j].Start })
	res.Ranges = MergeRanges(res.Ranges)
	return res, context.Cause(ctx)
}

// upload is the state one Upload's workers share.
type upload struct {
	u      Uploader
	w      PageWriter
	img    Image
	cancel context.CancelCauseFunc
	// scanMu guards the scanner and pos, the end of the last window claimed (for counting skipped holes
	// in progress).
	scanMu sync.Mutex
	scan   *Scanner
	pos    int64
	// mu guards res.Ranges, res.Requests, done and progress calls.
	mu         sync.Mutex
	res        *Result
	done       int64
	sent, read atomic.Int64
}

// work is one worker, with one buffer: it claims the next window, reads it, and writes its non-zero
// runs, until the image is done or the upload failed. Every worker reads for itself, as a plain loop
// of reads and Put Pages does: a buffer is refilled by its own worker the moment its write returns,
// with no hand-off to a reader that serves every worker in turn, and reads run side by side.
func (up *upload) work(ctx context.Context) {
	var buf []byte // allocated at the first window, so a tiny image never allocates them all
	for ctx.Err() == nil {
		r, span, err := up.claim()
		if errors.Is(err, io.EOF) {
			up.report(span)
			return
		}
		if buf == nil && err == nil {
			buf = make([]byte, MaxPageWrite)
		}
		var win Window
		if err == nil {
			win, err = ReadWindow(up.img, buf, r)
		}
		if err != nil {
			up.cancel(fmt.Errorf("reading the image: %w", err))
			return
		}
		up.read.Add(r.Len())
		if !up.write(ctx, win) {
			return
		}
		up.report(span)
	}
}

// claim reserves the next window of the image. span is the bytes of the image it accounts for in
// progress: the window and the hole before it, or at the end the hole after the last window.
func (up *upload) claim() (Range, int64, error) {
	up.scanMu.Lock()
	defer up.scanMu.Unlock()
	r, err := up.scan.Claim(MaxPageWrite)
	if errors.Is(err, io.EOF) {
		span := max(up.img.Size()-up.pos, 0)
		up.pos = up.img.Size()
		return Range{}, span, err
	}
	if err != nil {
		return Range{}, 0, err
	}
	span := r.End - up.pos
	up.pos = r.End
	return r, span, nil
}

// write sends a window's non-zero runs; it reports false when a write failed or the upload stopped.
func (up *upload) write(ctx context.Context, win Window) bool {
	for _, r := range win.Runs {
		if ctx.Err() != nil {
			return false
		}
		data := win.Data[r.Start-win.Off : r.End-win.Off]
		if _, err := up.w.UploadPages(ctx, streaming.NopCloser(bytes.NewReader(data)), blob.HTTPRange{Offset: r.Start, Count: r.Len()}, nil); err != nil {
			up.cancel(fmt.Errorf("writing pages %v: %w", r, err))
			return false
		}
		up.sent.Add(r.Len())
		up.mu.Lock()
		up.res.Ranges = append(up.res.Ranges, r)
		up.res.Requests++
		up.mu.Unlock()
	}
	return true
}

// report adds delta bytes handled (sent or skipped) and calls Progress.
func (up *upload) report(delta int64) {
	if delta <= 0 {
		return
	}
	up.mu.Lock()
	defer up.mu.Unlock()
	up.done += delta
	if up.u.Progress != nil {
		up.u.Progress(up.done, up.res.Size)
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
