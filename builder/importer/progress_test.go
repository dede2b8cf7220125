package importer

import (
	"io"
	"testing"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
)

// countingUi records what the tracked stream reports, as Packer core's side of the RPC would.
type countingUi struct {
	packersdk.MockUi
	reads, bytes int64
	closed       bool
}

func (u *countingUi) TrackProgress(_ string, _, _ int64, s io.ReadCloser) io.ReadCloser {
	return &countingReader{s, u}
}

type countingReader struct {
	io.ReadCloser
	u *countingUi
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.u.reads++
	c.u.bytes += int64(n)
	return n, err
}

func (c *countingReader) Close() error { c.u.closed = true; return c.ReadCloser.Close() }

func TestProgressBarReportsExactlyAndInFewReads(t *testing.T) {
	ui := &countingUi{}
	const total = 1<<30 + 512
	bar := newProgressBar(ui, "disk", total)
	for _, d := range []int64{512, 4 << 20, 700 << 20, total} { // a hole skip of hundreds of MiB included
		bar.update(d, total)
	}
	bar.close()
	if ui.bytes != total || !ui.closed {
		t.Fatalf("bar saw %d bytes (closed %v), want %d", ui.bytes, ui.closed, total)
	}
	if max := int64(total/progressStep + 4); ui.reads > max {
		t.Fatalf("%d reads (RPC calls under Packer), want at most %d", ui.reads, max)
	}
}
