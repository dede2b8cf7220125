package acctest

import (
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Azurite is a running azurite-blob.
type Azurite struct {
	// BlobEndpoint is the emulator's --blob-endpoint: http://127.0.0.1:PORT/devstoreaccount1.
	BlobEndpoint string
	cmd          *exec.Cmd
}

// StartAzurite starts azurite-blob on a free loopback port with its data in a temporary directory, and
// stops it when the test ends. The test skips when Azurite is not installed (fails under ACCTEST_REQUIRED).
func (t *Tools) StartAzurite(tb testing.TB) *Azurite {
	tb.Helper()
	if t.Azurite == "" {
		tb.Helper()
		msg := "azurite-blob is not installed in .tools (run `make tools`)"
		if requiredMode() {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	a, err := StartAzuriteProcess(t.Azurite, tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(a.Stop)
	return a
}

// StartAzuriteProcess starts azurite-blob with its data in dir and waits until it accepts connections.
func StartAzuriteProcess(bin, dir string) (*Azurite, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "--blobHost", "127.0.0.1", "--blobPort", strconv.Itoa(port), "--location", dir,
		"--skipApiVersionCheck", "--loose", "--silent")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting azurite-blob: %w", err)
	}
	a := &Azurite{BlobEndpoint: fmt.Sprintf("http://127.0.0.1:%d/devstoreaccount1", port), cmd: cmd}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			_ = c.Close()
			return a, nil
		}
	}
	a.Stop()
	return nil, fmt.Errorf("azurite-blob did not listen on %s within 60s", addr)
}

// Stop ends azurite (node and its children).
func (a *Azurite) Stop() {
	if a.cmd == nil || a.cmd.Process == nil || a.cmd.ProcessState != nil {
		return
	}
	_ = syscall.Kill(-a.cmd.Process.Pid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = a.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-a.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
}

// FreePort asks the kernel for a free loopback TCP port.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
