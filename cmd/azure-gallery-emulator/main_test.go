package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
)

// buildBinary compiles the command once per test into a temp dir.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "azure-gallery-emulator")
	cmd := exec.Command("go", "build", "-ldflags", "-X main.version=test-1", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestBinaryStartContract starts the built binary, checks its ready line and metadata, then that SIGTERM
// stops it cleanly with the request logged.
func TestBinaryStartContract(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	dataDir := t.TempDir()
	cmd := exec.Command(bin, "--addr", "127.0.0.1:0", "--data-dir", dataDir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var line string
	select {
	case line = <-lines:
	case <-time.After(30 * time.Second):
		t.Fatalf("no ready line; stderr:\n%s", stderr.String())
	}
	checkReadyLine(t, line, dataDir)

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("did not exit after SIGTERM")
	}
	if !strings.Contains(stderr.String(), "GET /metadata/endpoints 200") {
		t.Errorf("stderr lacks the request log line:\n%s", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dataDir, "ca.pem")); err != nil {
		t.Error(err)
	}
}

// checkReadyLine checks the ready line's seven keys, that the CA is in the data dir, and that the
// metadata endpoint answers over the ready line's HTTPS client.
func checkReadyLine(t *testing.T, line, dataDir string) {
	t.Helper()
	var fields map[string]string
	if err := json.Unmarshal([]byte(line), &fields); err != nil {
		t.Fatalf("ready line %q: %v", line, err)
	}
	for _, k := range []string{"endpoint", "metadata_host", "ca_file", "tenant_id", "subscription_id", "client_id", "client_secret"} {
		if fields[k] == "" {
			t.Errorf("ready line lacks %q: %s", k, line)
		}
	}
	if len(fields) != 7 {
		t.Errorf("ready line has %d keys, want exactly 7: %s", len(fields), line)
	}
	var ready emulator.Ready
	_ = json.Unmarshal([]byte(line), &ready)
	if ready.CAFile != filepath.Join(dataDir, "ca.pem") {
		t.Errorf("ca_file %s is not in the data dir", ready.CAFile)
	}
	hc, err := ready.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := hc.Get("https://" + ready.MetadataHost + "/metadata/endpoints?api-version=2022-09-01")
	if err != nil {
		t.Fatal(err)
	}
	var md map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&md)
	resp.Body.Close()
	if resp.StatusCode != 200 || md["resourceManager"] != ready.Endpoint+"/" {
		t.Errorf("metadata: %d %v", resp.StatusCode, md)
	}
}

func TestVersionAndBadFlags(t *testing.T) {
	var out, errOut strings.Builder
	if err := run(t.Context(), []string{"--version"}, &out, &errOut); err != nil || !strings.Contains(out.String(), "azure-gallery-emulator") {
		t.Errorf("--version: %v %q", err, out.String())
	}
	if err := run(t.Context(), []string{"--addr", "127.0.0.1:0"}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "--data-dir") {
		t.Errorf("missing --data-dir: %v", err)
	}
	cfg := filepath.Join(t.TempDir(), "bad.json")
	_ = os.WriteFile(cfg, []byte(`{"regoins": ["eastus"]}`), 0o600)
	if err := run(t.Context(), []string{"--data-dir", t.TempDir(), "--config", cfg}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "regoins") {
		t.Errorf("config typo: %v", err)
	}
}

// TestConfigSets: the binary applies its default delete lag only when the config does not set the key.
func TestConfigSets(t *testing.T) {
	dir := t.TempDir()
	with := filepath.Join(dir, "with.json")
	without := filepath.Join(dir, "without.json")
	if err := os.WriteFile(with, []byte(`{"delete_lag": 0}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(without, []byte(`{"page_size": 5}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if !configSets(with, "delete_lag") || configSets(without, "delete_lag") || configSets("", "delete_lag") {
		t.Fatal("configSets does not tell a set key from an absent one")
	}
}
