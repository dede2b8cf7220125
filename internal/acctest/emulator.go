package acctest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
)

// Emulator is a running azure-gallery-emulator process.
type Emulator struct {
	// Ready is the emulator's ready line: endpoint, CA and credentials.
	emulator.Ready
	// DataDir is the emulator's state directory; restarting on it keeps the state.
	DataDir string
	cmd     *exec.Cmd
	logs    *syncBuffer
	client  *http.Client
}

// EmulatorOptions configure StartEmulator.
type EmulatorOptions struct {
	// Config is written as the --config JSON file (see emulator.Options); nil for the defaults.
	Config map[string]any
	// BlobEndpoint is an Azurite blob endpoint for disk uploads.
	BlobEndpoint string
	// DataDir reuses a state directory (a restart); "" makes a new one.
	DataDir string
}

// StartEmulator starts the emulator binary per its start contract, waits for the ready line, and stops
// it when the test ends.
func (t *Tools) StartEmulator(tb testing.TB, opts EmulatorOptions) *Emulator {
	tb.Helper()
	dir := opts.DataDir
	if dir == "" {
		dir = tb.TempDir()
	}
	args := []string{"--addr", "127.0.0.1:0", "--data-dir", dir}
	if opts.Config != nil {
		data, err := json.Marshal(opts.Config)
		if err != nil {
			tb.Fatal(err)
		}
		cfg := filepath.Join(tb.TempDir(), "emulator.json")
		if err := os.WriteFile(cfg, data, 0o600); err != nil {
			tb.Fatal(err)
		}
		args = append(args, "--config", cfg)
	}
	if opts.BlobEndpoint != "" {
		args = append(args, "--blob-endpoint", opts.BlobEndpoint)
	}
	e, err := StartEmulatorProcess(t.Emulator, dir, args...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		e.Stop()
		if tb.Failed() {
			tb.Logf("emulator log (tail):\n%s", tail(e.Logs(), 60))
		}
	})
	return e
}

// StartEmulatorProcess runs bin with args and parses its ready line. It is used by the demo as well.
func StartEmulatorProcess(bin, dataDir string, args ...string) (*Emulator, error) {
	cmd := exec.Command(bin, args...)
	logs := &syncBuffer{}
	cmd.Stderr = logs
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the emulator: %w", err)
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	e := &Emulator{DataDir: dataDir, cmd: cmd, logs: logs}
	select {
	case line, ok := <-lines:
		if !ok {
			_ = cmd.Wait()
			return nil, fmt.Errorf("the emulator exited before its ready line:\n%s", logs.String())
		}
		if err := json.Unmarshal([]byte(line), &e.Ready); err != nil {
			e.Stop()
			return nil, fmt.Errorf("the emulator's ready line %q: %w", line, err)
		}
	case <-time.After(60 * time.Second):
		e.Stop()
		return nil, fmt.Errorf("no ready line from the emulator within 60s:\n%s", logs.String())
	}
	if e.client, err = e.HTTPClient(); err != nil {
		e.Stop()
		return nil, err
	}
	return e, nil
}

// Stop sends SIGTERM and waits (SIGKILL after 10s). Calling it twice is harmless.
func (e *Emulator) Stop() {
	if e.cmd == nil || e.cmd.Process == nil || e.cmd.ProcessState != nil {
		return
	}
	_ = e.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = e.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = e.cmd.Process.Kill()
		<-done
	}
}

// Logs returns what the emulator wrote to stderr (one line per request).
func (e *Emulator) Logs() string { return e.logs.String() }

// Env is the environment that points packer and the plugin at the emulator: the CA, the custom cloud
// and the service principal, through the ARM_* fallbacks the plugin reads.
func (e *Emulator) Env() []string {
	return []string{
		"SSL_CERT_FILE=" + e.CAFile,
		"ARM_METADATA_HOST=" + e.MetadataHost,
		"ARM_SUBSCRIPTION_ID=" + e.SubscriptionID,
		"ARM_TENANT_ID=" + e.TenantID,
		"ARM_CLIENT_ID=" + e.ClientID,
		"ARM_CLIENT_SECRET=" + e.ClientSecret,
	}
}

// Resource is one entry of the emulator's inventory: the resource as ARM renders it.
type Resource map[string]any

// ID, Name, Type and Location read the common fields.
func (r Resource) ID() string       { s, _ := r["id"].(string); return s }
func (r Resource) Name() string     { s, _ := r["name"].(string); return s }
func (r Resource) Type() string     { s, _ := r["type"].(string); return s }
func (r Resource) Location() string { s, _ := r["location"].(string); return s }

// Tags returns the resource's tags.
func (r Resource) Tags() map[string]string {
	out := map[string]string{}
	m, _ := r["tags"].(map[string]any)
	for k, v := range m {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

// Prop walks properties by keys, e.g. Prop("provisioningState") or Prop("publishingProfile", "targetRegions").
func (r Resource) Prop(keys ...string) any {
	var cur any = r["properties"]
	for _, k := range keys {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[k]
	}
	return cur
}

// Inventory is the emulator's full state.
type Inventory []Resource

// OfType returns the resources of an ARM type (case-insensitive), in inventory order.
func (inv Inventory) OfType(typ string) []Resource {
	var out []Resource
	for _, r := range inv {
		if strings.EqualFold(r.Type(), typ) {
			out = append(out, r)
		}
	}
	return out
}

// Find returns the resource with this ID (case-insensitive), or nil.
func (inv Inventory) Find(id string) Resource {
	for _, r := range inv {
		if strings.EqualFold(r.ID(), id) {
			return r
		}
	}
	return nil
}

// Versions returns the gallery image versions.
func (inv Inventory) Versions() []Resource {
	return inv.OfType("Microsoft.Compute/galleries/images/versions")
}

// Inventory fetches /_emulator/inventory.
func (e *Emulator) Inventory(ctx context.Context) (Inventory, error) {
	var inv Inventory
	err := e.admin(ctx, http.MethodGet, "/_emulator/inventory", nil, &inv)
	return inv, err
}

// AddFault installs a fault rule (see emulator.FaultRule) through /_emulator/faults.
func (e *Emulator) AddFault(ctx context.Context, rule emulator.FaultRule) error {
	return e.admin(ctx, http.MethodPost, "/_emulator/faults", rule, nil)
}

// Requests returns the emulator's request log.
func (e *Emulator) Requests(ctx context.Context) ([]map[string]any, error) {
	var out struct {
		Requests []map[string]any `json:"requests"`
	}
	err := e.admin(ctx, http.MethodGet, "/_emulator/requests", nil, &out)
	return out.Requests, err
}

func (e *Emulator) admin(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, e.Endpoint+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, data)
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	return json.Unmarshal(data, out)
}

// syncBuffer is a bytes.Buffer safe for a writer goroutine and a reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
