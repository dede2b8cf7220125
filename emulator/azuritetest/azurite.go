// Package azuritetest finds and runs Azurite's blob service (azurite-blob from .tools/node_modules) for
// tests, benchmarks and the demo. It is the one Azurite starter of the repository.
//
// It lives under emulator/ and imports only the standard library, so the emulator's tests may use it
// (the emulator imports nothing from the plugin) and so may the plugin's tests, the acceptance harness
// and scripts/demo (the plugin side may import the emulator side, not the other way round).
//
// Under ACCTEST_REQUIRED=1 (as `make test` sets) a missing or broken Azurite fails the test; otherwise a
// missing one skips it, saying how to install it.
package azuritetest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Environment variables the helper reads.
const (
	// EnvBin overrides where azurite-blob is.
	EnvBin = "AZURITE_BLOB"
	// EnvRequired makes a missing Azurite a failure instead of a skip (the acceptance harness's variable).
	EnvRequired = "ACCTEST_REQUIRED"
	// EnvSkip turns required mode off again (the acceptance harness's quick-run switch).
	EnvSkip = "ACCTEST_SKIP"
)

// Account is Azurite's documented development account; it exists only inside the emulator.
const Account = "devstoreaccount1"

// AccountKey is the development account's documented key.
const AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

const modulePath = "github.com/azure-gallery/packer-plugin-azure-gallery"

// Required reports whether a missing tool fails the test (ACCTEST_REQUIRED set, ACCTEST_SKIP not).
func Required() bool { return os.Getenv(EnvRequired) != "" && os.Getenv(EnvSkip) == "" }

// Bin returns $AZURITE_BLOB, else .tools/node_modules/.bin/azurite-blob under the plugin's module root
// (found by walking up from the working directory), and an error saying why when it is not there.
func Bin() (string, error) {
	if p := os.Getenv(EnvBin); p != "" {
		if st, err := os.Stat(p); err != nil || st.IsDir() {
			return p, fmt.Errorf("%s=%s is not a file", EnvBin, p)
		}
		return p, nil
	}
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	p := filepath.Join(root, ".tools", "node_modules", ".bin", "azurite-blob")
	if _, err := os.Stat(p); err != nil {
		return p, fmt.Errorf("azurite-blob is not installed at %s (run `make tools`, or set %s): %w", p, EnvBin, err)
	}
	return p, nil
}

// ModuleRoot walks up from the working directory to the directory whose go.mod declares the plugin's
// module (the tools modules have their own go.mod).
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.HasPrefix(string(data), "module "+modulePath+"\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod of " + modulePath + " above the working directory")
		}
		dir = parent
	}
}

// Start runs a private Azurite blob service with its data in tb.TempDir() until the test ends and returns
// its account endpoint (http://127.0.0.1:PORT/devstoreaccount1). A missing Azurite skips the test, or
// fails it under ACCTEST_REQUIRED=1; one that does not start always fails it.
func Start(tb testing.TB) string {
	tb.Helper()
	bin, err := Bin()
	if err != nil {
		Unavailable(tb, err.Error())
	}
	p, err := StartProcess(bin, tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(p.Stop)
	return p.BlobEndpoint
}

// Unavailable ends a test that needs a tool it does not have: a failure under ACCTEST_REQUIRED=1, else
// a skip with the reason.
func Unavailable(tb testing.TB, reason string) {
	tb.Helper()
	if Required() {
		tb.Fatalf("%s (%s=1: a missing tool is a failure)", reason, EnvRequired)
	}
	tb.Skip(reason)
}

// Process is a running azurite-blob.
type Process struct {
	// BlobEndpoint is http://127.0.0.1:PORT/devstoreaccount1, the emulator's --blob-endpoint.
	BlobEndpoint string
	cmd          *exec.Cmd
	exited       chan struct{}
}

// StartProcess starts azurite-blob on a free loopback port with its data in dir, in its own process
// group, and waits (up to 60 s) until it accepts connections.
func StartProcess(bin, dir string) (*Process, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	tcp, ok := l.Addr().(*net.TCPAddr)
	_ = l.Close()
	if !ok {
		return nil, fmt.Errorf("listener address %T is not TCP", l.Addr())
	}
	port := tcp.Port
	cmd := exec.Command(bin, "--blobHost", "127.0.0.1", "--blobPort", strconv.Itoa(port), "--location", dir,
		"--skipApiVersionCheck", "--loose", "--silent")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting azurite-blob: %w", err)
	}
	p := &Process{BlobEndpoint: fmt.Sprintf("http://127.0.0.1:%d/%s", port, Account), cmd: cmd, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.exited) }()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		select {
		case <-p.exited:
			return nil, fmt.Errorf("azurite-blob exited before listening on %s: %v", addr, cmd.ProcessState)
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			_ = c.Close()
			return p, nil
		}
	}
	p.Stop()
	return nil, fmt.Errorf("azurite-blob did not listen on %s within 60s", addr)
}

// Stop ends azurite-blob and its children (SIGTERM to the process group, SIGKILL after 10 s).
func (p *Process) Stop() {
	if p == nil || p.cmd == nil || p.cmd.Process == nil {
		return
	}
	select {
	case <-p.exited:
		return
	default:
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.exited
	}
}
