package importer

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// startAzurite runs a real Azurite blob service on a free loopback port until the test ends and returns
// its account endpoint. It skips the test, saying why, when Azurite is not installed.
func startAzurite(t testing.TB) string {
	t.Helper()
	bin := os.Getenv("AZURITE_BLOB")
	if bin == "" {
		wd, _ := os.Getwd()
		bin = filepath.Join(wd, "..", "..", ".tools", "node_modules", ".bin", "azurite-blob")
	}
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("Azurite is not installed at %s (npm install azurite@3.37.0 in .tools, or set AZURITE_BLOB): %v", bin, err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	cmd := exec.Command(bin, "--blobHost", "127.0.0.1", "--blobPort", fmt.Sprint(port), "--location", t.TempDir(),
		"--skipApiVersionCheck", "--loose", "--silent")
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting Azurite: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for deadline := time.Now().Add(30 * time.Second); ; {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Azurite did not listen on %s within 30s", addr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return "http://" + addr + "/devstoreaccount1"
}
