package docscheck

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// machinePath matches an absolute path that only exists on the machine it was written on: a home, work
// or temporary directory (Linux, macOS and Windows spellings). It does not match paths that are the
// same everywhere (a `#!/usr/bin/env` shebang, the null device, the proc file system) nor a path inside
// a URL or after a variable (`https://host/home/…`, `$DIR/tmp/…`), because the character before the
// slash must not belong to a word, a URL or a variable.
var machinePath = regexp.MustCompile(`(^|[^A-Za-z0-9_.~$}\-/])/(work|root|home|tmp|Users|mnt|var/folders|private/var)/|(?i)\b[a-z]:\\(users|temp)\\`)

// repoFiles lists the repository's files relative to root: git's tracked and not-ignored files when
// root is a git checkout, else every file outside the ignored folders (a tarball of the repository).
func repoFiles(t *testing.T, root string) []string {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	if out, err := cmd.Output(); err == nil {
		var files []string
		for _, f := range strings.Split(string(out), "\x00") {
			if f != "" {
				files = append(files, f)
			}
		}
		return files
	}
	ignored := map[string]bool{".git": true, "bin": true, ".tools": true, "dist": true, ".cache": true, "node_modules": true}
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && ignored[d.Name()] {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(root, path)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestNoMachinePaths fails on any file of the repository that names an absolute path of the machine it
// was written on: a fresh clone elsewhere has no such path, so a test, a doc or a script that needs one
// does not work there. Use a path relative to the repository, t.TempDir(), os.MkdirTemp or $(mktemp -d).
func TestNoMachinePaths(t *testing.T) {
	root := repoFiles(t, repoRoot(t))
	checked := 0
	for _, rel := range root {
		if rel == "go.sum" || strings.HasSuffix(rel, "/go.sum") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(repoRoot(t), rel))
		if err != nil {
			if os.IsNotExist(err) {
				continue // deleted in the work tree but still in the index
			}
			t.Fatal(err)
		}
		if bytes.IndexByte(data, 0) >= 0 {
			continue // binary
		}
		checked++
		for i, line := range strings.Split(string(data), "\n") {
			if m := machinePath.FindString(line); m != "" {
				t.Errorf("%s:%d names a machine path (%q): %s", rel, i+1, strings.TrimSpace(m), strings.TrimSpace(line))
			}
		}
	}
	if checked < 50 {
		t.Fatalf("only %d text files found under %s; the file listing is broken", checked, repoRoot(t))
	}
}

// TestMachinePathPattern pins what the pattern matches and what it leaves alone.
func TestMachinePathPattern(t *testing.T) {
	slash := "/"
	bad := []string{
		"see " + slash + "work" + slash + "shared/examples",
		"`" + slash + "root" + slash + "go/pkg/mod`",
		"--data-dir " + slash + "tmp" + slash + "dry-run",
		"\"" + slash + "home" + slash + "me/src\"",
		slash + "Users" + slash + "me/src",
		"C:" + `\Users\me\src`,
	}
	good := []string{
		"#!" + slash + "usr" + slash + "bin" + slash + "env bash",
		"> " + slash + "dev" + slash + "null",
		slash + "proc" + slash + "self/status",
		"https://example.com" + slash + "home" + slash + "x",
		"$DRY" + slash + "tmp" + slash + "x",
		"a" + slash + "tmp" + slash + "b",
		"./tmp" + slash + "b",
	}
	for _, s := range bad {
		if !machinePath.MatchString(s) {
			t.Errorf("not matched: %q", s)
		}
	}
	for _, s := range good {
		if machinePath.MatchString(s) {
			t.Errorf("matched: %q", s)
		}
	}
}
