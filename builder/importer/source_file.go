package importer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/vhd"
)

// localImage is a source_file after inspection: its format and the VHD to upload.
type localImage struct {
	Path        string
	Format      vhd.Format
	FileSize    int64
	VirtualSize int64 // the disk's size as a VM sees it
	UploadSize  int64 // the VHD's size including the footer: uploadSizeBytes
}

// inspectFile opens path, sniffs its format and checks Azure's size rules. It reads at most 2 KiB.
func inspectFile(path string) (*localImage, error) {
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s does not exist", path)
		}
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrPermission) {
			return nil, fmt.Errorf("%s is not readable by this user (mode %v): fix its permissions", path, fi.Mode().Perm())
		}
		return nil, err
	}
	defer f.Close()
	format, err := vhd.Detect(f, fi.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	img := &localImage{Path: path, Format: format, FileSize: fi.Size()}
	switch format {
	case vhd.FormatFixedVHD:
		img.VirtualSize, img.UploadSize = fi.Size()-vhd.FooterSize, fi.Size()
	default:
		if ext := strings.ToLower(filepath.Ext(path)); ext == ".vhd" {
			return nil, fmt.Errorf("%s is named .vhd but has no VHD footer at its end: it was probably cut short; recreate it, or rename it if it is a raw image", path)
		}
		img.VirtualSize, img.UploadSize = vhd.VirtualSizeForRaw(fi.Size()), vhd.VHDSizeForRaw(fi.Size())
	}
	if err := vhd.CheckVirtualSize(img.VirtualSize); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return img, nil
}
