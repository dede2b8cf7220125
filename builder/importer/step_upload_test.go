package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUnchangedNoticesASizeChange: the check compares the file's size now with the inspected size, so
// a file that grew or shrank after inspection fails the upload.
func TestUnchangedNoticesASizeChange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "disk.raw")
	if err := os.WriteFile(path, make([]byte, 4096), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img := &localImage{Path: path, FileSize: 4096}
	if err := unchanged(f, img); err != nil {
		t.Fatalf("unchanged file refused: %v", err)
	}
	if err := os.Truncate(path, 1024); err != nil {
		t.Fatal(err)
	}
	if err := unchanged(f, img); err == nil || !strings.Contains(err.Error(), "changed size during the build (4096 bytes when inspected, 1024 now)") {
		t.Errorf("shrunk file: %v", err)
	}
}
