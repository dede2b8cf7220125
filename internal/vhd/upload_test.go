package vhd

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/pageblob"
)

// memBlob is an in-memory page blob that checks Put Page's rules.
type memBlob struct {
	mu       sync.Mutex
	data     []byte
	written  []Range
	inflight atomic.Int32
	peak     atomic.Int32
	failAt   int64 // fail the write covering this offset (when > 0)
	delay    time.Duration
}

func (m *memBlob) UploadPages(ctx context.Context, body io.ReadSeekCloser, r blob.HTTPRange, _ *pageblob.UploadPagesOptions) (pageblob.UploadPagesResponse, error) {
	cur := m.inflight.Add(1)
	defer m.inflight.Add(-1)
	for p := m.peak.Load(); cur > p && !m.peak.CompareAndSwap(p, cur); p = m.peak.Load() {
	}
	if m.delay > 0 {
		select {
		case <-time.After(m.delay):
		case <-ctx.Done():
			return pageblob.UploadPagesResponse{}, ctx.Err()
		}
	}
	b, _ := io.ReadAll(body)
	if r.Offset%512 != 0 || r.Count%512 != 0 || r.Count > MaxPageWrite || int64(len(b)) != r.Count {
		return pageblob.UploadPagesResponse{}, errors.New("invalid page write")
	}
	if m.failAt > 0 && r.Offset <= m.failAt && m.failAt < r.Offset+r.Count {
		return pageblob.UploadPagesResponse{}, errors.New("injected failure")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	copy(m.data[r.Offset:], b)
	m.written = append(m.written, Range{r.Offset, r.Offset + r.Count})
	return pageblob.UploadPagesResponse{}, nil
}

// NewGetPageRangesPager returns the written ranges unmerged, two per page, as a server might.
func (m *memBlob) NewGetPageRangesPager(*pageblob.GetPageRangesOptions) *runtime.Pager[pageblob.GetPageRangesResponse] {
	m.mu.Lock()
	rs := append([]Range(nil), m.written...)
	m.mu.Unlock()
	sortRanges(rs)
	i := 0
	return runtime.NewPager(runtime.PagingHandler[pageblob.GetPageRangesResponse]{
		More: func(pageblob.GetPageRangesResponse) bool { return i < len(rs) },
		Fetcher: func(context.Context, *pageblob.GetPageRangesResponse) (pageblob.GetPageRangesResponse, error) {
			var resp pageblob.GetPageRangesResponse
			for k := 0; k < 2 && i < len(rs); k, i = k+1, i+1 {
				s, e := rs[i].Start, rs[i].End-1
				resp.PageRange = append(resp.PageRange, &pageblob.PageRange{Start: &s, End: &e})
			}
			return resp, nil
		},
	})
}

func sortRanges(rs []Range) {
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && rs[j].Start < rs[j-1].Start; j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}

// sparseImage builds a raw image of size bytes with data at the given offsets.
func sparseImage(size int64, at ...int64) []byte {
	b := make([]byte, size)
	for i, off := range at {
		for k := int64(0); k < 3000 && off+k < size; k++ {
			b[off+k] = byte(i + 1)
		}
	}
	return b
}

func TestUploadWritesExactlyTheNonZeroPages(t *testing.T) {
	raw := sparseImage(40*MiB+1000, 0, 7*MiB+100, 8*MiB-1000, 33*MiB, 40*MiB)
	img := NewStreamWithFooter(bytes.NewReader(raw), int64(len(raw)), NewFixedFooter(41*MiB, time.Unix(0, 0), [16]byte{7}))
	m := &memBlob{data: make([]byte, img.Size())}
	var last, calls int64
	u := Uploader{Concurrency: 3, Progress: func(done, total int64) {
		if done < last || total != img.Size() {
			t.Errorf("progress went %d → %d of %d", last, done, total)
		}
		last = done
		calls++
	}}
	res, err := u.Upload(context.Background(), m, img)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := io.ReadAll(io.NewSectionReader(img, 0, img.Size()))
	if !bytes.Equal(m.data, want) {
		t.Fatal("blob bytes differ from the VHD view")
	}
	var nonZero int64
	for _, r := range collectRuns(t, img) {
		nonZero += r.Len()
	}
	if res.BytesSent != nonZero {
		t.Errorf("sent %d bytes, non-zero pages hold %d", res.BytesSent, nonZero)
	}
	if last != img.Size() || calls == 0 {
		t.Errorf("progress ended at %d of %d after %d calls", last, img.Size(), calls)
	}
	if err := VerifyPageRanges(context.Background(), m, res.Ranges); err != nil {
		t.Fatal(err)
	}
	if p := m.peak.Load(); p > 3 {
		t.Errorf("%d writes in flight, limit 3", p)
	}
}

func TestVerifyPageRangesReportsMismatch(t *testing.T) {
	m := &memBlob{data: make([]byte, 4*MiB), written: []Range{{0, 512}, {1024, 2048}}}
	err := VerifyPageRanges(context.Background(), m, []Range{{0, 512}, {1024, 1536}})
	var me *MismatchError
	if !errors.As(err, &me) || me.First != "sent [1024,1536) but the disk has [1024,2048)" {
		t.Fatalf("got %v", err)
	}
	err = VerifyPageRanges(context.Background(), m, []Range{{0, 512}, {1024, 2048}, {4096, 8192}})
	if !errors.As(err, &me) || me.First != "range [4096,8192) was sent but is missing on the disk" {
		t.Fatalf("got %v", err)
	}
}

func TestUploadStopsOnWriteError(t *testing.T) {
	raw := bytes.Repeat([]byte{1}, 32*MiB)
	img := NewStream(bytes.NewReader(raw), int64(len(raw)))
	m := &memBlob{data: make([]byte, img.Size()), failAt: 9 * MiB}
	res, err := Uploader{Concurrency: 2}.Upload(context.Background(), m, img)
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("injected failure")) {
		t.Fatalf("err = %v", err)
	}
	if res.BytesSent >= img.Size() {
		t.Errorf("sent everything (%d) despite the failure", res.BytesSent)
	}
}

func TestUploadCancel(t *testing.T) {
	raw := bytes.Repeat([]byte{1}, 64*MiB)
	img := NewStream(bytes.NewReader(raw), int64(len(raw)))
	m := &memBlob{data: make([]byte, img.Size()), delay: 200 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	res, err := Uploader{}.Upload(ctx, m, img)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if res.BytesSent >= img.Size() {
		t.Error("upload finished despite cancellation")
	}
	if m.inflight.Load() != 0 {
		t.Error("writes still in flight after Upload returned")
	}
}
