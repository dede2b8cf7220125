package importer

import (
	"io"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
)

// progressBar drives Packer's progress bar, which tracks a stream, from the uploader's (done, total)
// callbacks: it reads as many bytes from the tracked stream as the upload advanced. The stream yields
// zeros and costs nothing.
type progressBar struct {
	rc      io.ReadCloser
	shown   int64
	scratch [32 << 10]byte
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func newProgressBar(ui packersdk.Ui, name string, total int64) *progressBar {
	return &progressBar{rc: ui.TrackProgress(name, 0, total, io.NopCloser(zeros{}))}
}

// update moves the bar to done bytes; the uploader never calls it concurrently.
func (p *progressBar) update(done, _ int64) {
	for p.shown < done {
		n, err := p.rc.Read(p.scratch[:min(done-p.shown, int64(len(p.scratch)))])
		p.shown += int64(n)
		if err != nil || n == 0 {
			return
		}
	}
}

func (p *progressBar) close() { _ = p.rc.Close() }
