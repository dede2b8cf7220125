package importer

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/hashicorp/packer-plugin-sdk/multistep"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/vhd"
)

// stepUpload writes source_file to the disk's write SAS with the parallel page uploader: raw images go
// through the on-the-fly VHD view, zero ranges are skipped, and Packer's progress bar follows along.
type stepUpload struct{}

func (stepUpload) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	r, err := getRun(state)
	if err != nil {
		return multistep.ActionHalt
	}
	f, err := os.Open(r.local.Path)
	if err != nil {
		return halt(state, r.ui, fmt.Errorf("source_file: %w", err))
	}
	defer f.Close()
	var img vhd.Image = vhd.NewFileImage(f, r.local.FileSize)
	if r.local.Format == vhd.FormatRaw {
		img = vhd.NewStream(f, r.local.FileSize)
	}
	if err := unchanged(f, r.local); err != nil {
		return halt(state, r.ui, err)
	}
	client, err := vhd.NewPageBlobClient(r.sasURL, r.az.blobTransport)
	if err != nil {
		return halt(state, r.ui, fmt.Errorf("opening the disk's SAS URL: %w", err))
	}
	r.ui.Say(fmt.Sprintf("Uploading %s (%d MiB) with %d parallel writes...", r.local.Path, img.Size()>>20, r.cfg.UploadConcurrency))
	bar := newProgressBar(r.ui, r.local.Path, img.Size())
	start := time.Now()
	res, err := vhd.Uploader{Concurrency: r.cfg.UploadConcurrency, Progress: bar.update}.Upload(ctx, client, img)
	bar.close()
	if err != nil {
		return halt(state, r.ui, fmt.Errorf("uploading %s: %w", r.local.Path, err))
	}
	if err := unchanged(f, r.local); err != nil {
		return halt(state, r.ui, err)
	}
	r.upload = res
	secs := max(time.Since(start).Seconds(), 0.001)
	r.ui.Say(fmt.Sprintf("Uploaded %d MiB of data (%d MiB of zeros skipped) in %.1fs, %.1f MiB/s",
		res.BytesSent>>20, (res.Size-res.BytesSent)>>20, secs, float64(res.BytesSent)/secs/(1<<20)))
	return multistep.ActionContinue
}

func (stepUpload) Cleanup(multistep.StateBag) {}

// unchanged compares the open file's size now with the size inspected at the start of the build (the
// disk was created for that size), so a file rewritten meanwhile fails instead of uploading a torn image.
func unchanged(f *os.File, img *localImage) error {
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("source_file %s: %w", img.Path, err)
	}
	if fi.Size() != img.FileSize {
		return fmt.Errorf("source_file %s changed size during the build (%d bytes when inspected, %d now); rebuild it and run the build again", img.Path, img.FileSize, fi.Size())
	}
	return nil
}
