package importer

import (
	"io"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
)

// progressStep is the most one Read of the tracked stream reports. Over the plugin RPC every Read is one
// call to Packer core (which allocates that many bytes to feed its bar), so reads are few and bounded.
const progressStep = 4 << 20

// progressBar drives Packer's progress bar, which tracks a stream, from the uploader's (done, total)
// callbacks: it reads as many bytes from the tracked stream as the upload advanced.
type progressBar struct {
	rc      io.ReadCloser
	shown   int64
	scratch []byte // never written, so its pages are never resident
}

// untouched is a stream of zeros that does not write them: its reader's buffer is fresh zeroed memory.
type untouched struct{}

func (untouched) Read(p []byte) (int, error) { return len(p), nil }

func newProgressBar(ui packersdk.Ui, name string, total int64) *progressBar {
	return &progressBar{rc: ui.TrackProgress(name, 0, total, io.NopCloser(untouched{})), scratch: make([]byte, progressStep)}
}

// update moves the bar to done bytes; the uploader never calls it concurrently.
func (p *progressBar) update(done, _ int64) {
	for p.shown < done {
		n, err := p.rc.Read(p.scratch[:min(done-p.shown, progressStep)])
		p.shown += int64(n)
		if err != nil || n == 0 {
			return
		}
	}
}

func (p *progressBar) close() { _ = p.rc.Close() }
