package main

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeZip writes an archive holding the named (empty) files.
func writeZip(t *testing.T, path string, names ...string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := zip.NewWriter(f)
	for _, n := range names {
		if _, err := w.Create(n); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// fakeDist lays out a release of linux/arm64 only (its binaries are not run: describe runs only on
// linux/amd64); withLicense says whether the archive holds LICENSE.
func fakeDist(t *testing.T, withLicense bool) string {
	t.Helper()
	dist := t.TempDir()
	if err := os.WriteFile(filepath.Join(dist, "metadata.json"), []byte(`{"version":"0.1.0-SNAPSHOT-abc"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	base := project + "_v0.1.0-SNAPSHOT-abc_x5.0_linux_arm64"
	files := []string{base, "azure-gallery-emulator", "README.md"}
	if withLicense {
		files = append(files, "LICENSE")
	}
	writeZip(t, filepath.Join(dist, base+".zip"), files...)
	data, err := os.ReadFile(filepath.Join(dist, base+".zip"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	sums := fmt.Sprintf("%s  %s.zip\n", hex.EncodeToString(sum[:]), base)
	if err := os.WriteFile(filepath.Join(dist, project+"_v0.1.0-SNAPSHOT-abc_SHA256SUMS"), []byte(sums), 0o644); err != nil {
		t.Fatal(err)
	}
	return dist
}

// TestCheckLicense: an archive without LICENSE is a problem that names it; with LICENSE, none.
func TestCheckLicense(t *testing.T) {
	arm64 := []platform{{"linux", "arm64"}}
	problems, err := check(fakeDist(t, false), "x5.0", arm64)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 1 || !strings.Contains(problems[0], "lacks LICENSE") {
		t.Errorf("without LICENSE: problems = %q, want one naming LICENSE", problems)
	}
	problems, err = check(fakeDist(t, true), "x5.0", arm64)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 0 {
		t.Errorf("with LICENSE: problems = %q", problems)
	}
}

// TestSelectPlatforms: host picks this machine's platform only; all is the six.
func TestSelectPlatforms(t *testing.T) {
	got, err := selectPlatforms("host", "darwin", "arm64")
	if err != nil || len(got) != 1 || got[0] != (platform{"darwin", "arm64"}) {
		t.Errorf("host = %v, %v", got, err)
	}
	if got, _ := selectPlatforms("all", "linux", "amd64"); len(got) != 6 {
		t.Errorf("all = %d platforms", len(got))
	}
	if _, err := selectPlatforms("host", "plan9", "386"); err == nil {
		t.Error("plan9/386 accepted as a release platform")
	}
	if _, err := selectPlatforms("some", "linux", "amd64"); err == nil {
		t.Error("-platforms some accepted")
	}
}
