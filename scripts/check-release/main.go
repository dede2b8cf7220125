// Command check-release checks what `goreleaser release --snapshot --clean` left in dist/: for every
// platform the archive and the binary names (with the plugin API version), the emulator, the README and
// the LICENSE beside the plugin, that SHA256SUMS lists exactly the archives with their true hashes, and
// that the host platform's plugin binary describes itself with the injected version and the API version.
//
// Usage: go run ./scripts/check-release -dist dist -api x5.0 [-platforms all|host]
//
// -platforms host checks only this machine's platform: what `goreleaser release --single-target` builds
// (`make release-check`, part of `make test`); `all` (the default) checks the six release platforms
// (`make release-snapshot`).
package main

import (
	"archive/zip"
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
)

const project = "packer-plugin-azure-gallery"

// platform is one release target.
type platform struct{ os, arch string }

// platforms are the release targets; .goreleaser.yml must build exactly these.
var platforms = []platform{
	{"linux", "amd64"}, {"linux", "arm64"},
	{"darwin", "amd64"}, {"darwin", "arm64"},
	{"windows", "amd64"}, {"windows", "arm64"},
}

func main() {
	dist := flag.String("dist", "dist", "goreleaser's output directory")
	api := flag.String("api", "", "the plugin API version every name must carry, e.g. x5.0")
	which := flag.String("platforms", "all", "all: the six release platforms; host: only this machine's (a --single-target snapshot)")
	flag.Parse()
	if *api == "" {
		fmt.Fprintln(os.Stderr, "check-release: -api is required (the api_version of `describe`)")
		os.Exit(2)
	}
	targets, err := selectPlatforms(*which, runtime.GOOS, runtime.GOARCH)
	if err != nil {
		fmt.Fprintln(os.Stderr, "check-release:", err)
		os.Exit(2)
	}
	problems, err := check(*dist, *api, targets)
	if err != nil {
		fmt.Fprintln(os.Stderr, "check-release:", err)
		os.Exit(1)
	}
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, "check-release:", p)
	}
	if len(problems) > 0 {
		os.Exit(1)
	}
}

// selectPlatforms is every release platform ("all") or only the host's ("host"), which must be one of them.
func selectPlatforms(which, goos, goarch string) ([]platform, error) {
	switch which {
	case "all":
		return platforms, nil
	case "host":
		for _, p := range platforms {
			if p.os == goos && p.arch == goarch {
				return []platform{p}, nil
			}
		}
		return nil, fmt.Errorf("this host (%s/%s) is not a release platform", goos, goarch)
	}
	return nil, fmt.Errorf("-platforms %q: want all or host", which)
}

// archiveFiles are the files every archive holds besides the plugin binary.
func archiveFiles(exe string) []string {
	return []string{"azure-gallery-emulator" + exe, "README.md", "LICENSE"}
}

// check returns every problem it finds (not only the first), or an error when dist cannot be read.
func check(dist, api string, targets []platform) ([]string, error) {
	version, err := releaseVersion(dist)
	if err != nil {
		return nil, err
	}
	fmt.Printf("release %s, plugin API %s, in %s\n", version, api, dist)
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	var archives []string
	for _, p := range targets {
		exe := ""
		if p.os == "windows" {
			exe = ".exe"
		}
		base := fmt.Sprintf("%s_v%s_%s_%s_%s", project, version, api, p.os, p.arch)
		archive := base + ".zip"
		archives = append(archives, archive)
		names, err := zipNames(filepath.Join(dist, archive))
		if err != nil {
			add("%s/%s: %v", p.os, p.arch, err)
			continue
		}
		missing := 0
		for _, want := range append([]string{base + exe}, archiveFiles(exe)...) {
			if !names[want] {
				missing++
				add("%s lacks %s (it holds %s)", archive, want, strings.Join(sortedKeys(names), ", "))
			}
		}
		if missing > 0 {
			continue
		}
		fmt.Printf("ok  %s: %s, %s\n", archive, base+exe, strings.Join(archiveFiles(exe), ", "))
	}
	problems = append(problems, checkSums(dist, version, archives)...)
	if !slices.Contains(targets, platform{"linux", "amd64"}) {
		fmt.Println("--  describe skipped: linux/amd64 is not among the platforms checked")
		return problems, nil
	}
	if msg := checkDescribe(dist, version, api); msg != "" {
		add("%s", msg)
	}
	if msg := checkEmulatorVersion(dist, version, api); msg != "" {
		add("%s", msg)
	}
	return problems, nil
}

// releaseVersion reads the version goreleaser used from dist/metadata.json.
func releaseVersion(dist string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dist, "metadata.json"))
	if err != nil {
		return "", fmt.Errorf("%w; run goreleaser release --snapshot --clean first", err)
	}
	var m struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(b, &m); err != nil || m.Version == "" {
		return "", fmt.Errorf("dist/metadata.json has no version (%w)", err)
	}
	return m.Version, nil
}

func zipNames(path string) (map[string]bool, error) {
	r, err := zip.OpenReader(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	names := map[string]bool{}
	for _, f := range r.File {
		names[f.Name] = true
	}
	return names, nil
}

// checkSums verifies that the SHA256SUMS file lists exactly the archives, each with its real hash.
func checkSums(dist, version string, archives []string) []string {
	var problems []string
	name := fmt.Sprintf("%s_v%s_SHA256SUMS", project, version)
	f, err := os.Open(filepath.Join(dist, name))
	if err != nil {
		return []string{err.Error()}
	}
	defer f.Close()
	listed := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 2 || len(fields[0]) != 64 {
			problems = append(problems, fmt.Sprintf("%s: malformed line %q", name, sc.Text()))
			continue
		}
		listed[fields[1]] = fields[0]
	}
	for _, a := range archives {
		want, ok := listed[a]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s does not list %s", name, a))
			continue
		}
		delete(listed, a)
		got, err := sha256File(filepath.Join(dist, a))
		if err != nil {
			problems = append(problems, err.Error())
		} else if got != want {
			problems = append(problems, fmt.Sprintf("%s: %s has sha256 %s, the file has %s", name, a, want, got))
		}
	}
	for extra := range listed {
		problems = append(problems, fmt.Sprintf("%s lists %s, which is not a release archive", name, extra))
	}
	if len(problems) == 0 {
		fmt.Printf("ok  %s: %d archives, hashes match\n", name, len(archives))
	}
	return problems
}

func sha256File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// checkDescribe runs `describe` on the linux/amd64 plugin binary, taken from its archive (what users
// download), and checks the version and API version it reports. On another host it says so and passes.
func checkDescribe(dist, version, api string) string {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		fmt.Printf("--  describe skipped: this host is %s/%s, not linux/amd64\n", runtime.GOOS, runtime.GOARCH)
		return ""
	}
	base := fmt.Sprintf("%s_v%s_%s_linux_amd64", project, version, api)
	bin, err := extract(filepath.Join(dist, base+".zip"), base)
	if err != nil {
		return err.Error()
	}
	defer os.RemoveAll(filepath.Dir(bin))
	out, err := exec.Command(bin, "describe").Output()
	if err != nil {
		return fmt.Sprintf("%s describe: %v", base, err)
	}
	var d struct {
		Version    string `json:"version"`
		APIVersion string `json:"api_version"`
	}
	if err := json.Unmarshal(out, &d); err != nil {
		return fmt.Sprintf("%s describe printed %q: %v", base, out, err)
	}
	if d.Version != version || d.APIVersion != api {
		return fmt.Sprintf("%s describe reports version %q and API %q; want %q (injected with ldflags) and %q", base, d.Version, d.APIVersion, version, api)
	}
	fmt.Printf("ok  %s describe: version %s, api_version %s\n", base, d.Version, d.APIVersion)
	return ""
}

// checkEmulatorVersion runs `azure-gallery-emulator --version` from the linux/amd64 archive: the
// second binary must carry the same injected version as the plugin.
func checkEmulatorVersion(dist, version, api string) string {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		return ""
	}
	archive := filepath.Join(dist, fmt.Sprintf("%s_v%s_%s_linux_amd64.zip", project, version, api))
	bin, err := extract(archive, "azure-gallery-emulator")
	if err != nil {
		return err.Error()
	}
	defer os.RemoveAll(filepath.Dir(bin))
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		return fmt.Sprintf("azure-gallery-emulator --version: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != "azure-gallery-emulator "+version {
		return fmt.Sprintf("azure-gallery-emulator --version printed %q; want \"azure-gallery-emulator %s\"", got, version)
	}
	fmt.Printf("ok  azure-gallery-emulator --version: %s\n", version)
	return ""
}

// extract copies one file out of a zip into a new temporary directory and makes it executable.
func extract(archive, name string) (string, error) {
	r, err := zip.OpenReader(archive)
	if err != nil {
		return "", err
	}
	defer r.Close()
	for _, f := range r.File {
		if f.Name != name {
			continue
		}
		dir, err := os.MkdirTemp("", "check-release-")
		if err != nil {
			return "", err
		}
		rc, err := f.Open()
		if err != nil {
			return "", err
		}
		defer rc.Close()
		out := filepath.Join(dir, name)
		w, err := os.OpenFile(out, os.O_CREATE|os.O_WRONLY, 0o755)
		if err != nil {
			return "", err
		}
		if _, err := io.Copy(w, rc); err != nil {
			w.Close()
			return "", err
		}
		return out, w.Close()
	}
	return "", errors.New(archive + " has no " + name)
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
