package arm

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// azuriteBin is where the project installs Azurite (see the helper brief).
func azuriteBin() string {
	if p := os.Getenv("AZURITE_BLOB"); p != "" {
		return p
	}
	return filepath.Join("..", "..", ".tools", "node_modules", ".bin", "azurite-blob")
}

// startAzurite runs a private Azurite blob service for the test and returns its blob endpoint.
// It skips the test only when the binary is absent.
func startAzurite(t *testing.T) string {
	t.Helper()
	bin := azuriteBin()
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("Azurite is not installed at %s (%v); install it to run the disk upload tests", bin, err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "--blobHost", "127.0.0.1", "--blobPort", fmt.Sprint(port),
		"--location", t.TempDir(), "--skipApiVersionCheck", "--loose", "--silent")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Azurite did not listen on %s: %v", addr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return "http://" + addr + "/devstoreaccount1"
}
