package acctest

import (
	"fmt"
	"net"
	"testing"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/azuritetest"
)

// Azurite is a running azurite-blob (emulator/azuritetest, the repository's one Azurite starter).
type Azurite = azuritetest.Process

// StartAzurite starts azurite-blob on a free loopback port with its data in a temporary directory, and
// stops it when the test ends. The test skips when Azurite is not installed (fails under ACCTEST_REQUIRED).
func (t *Tools) StartAzurite(tb testing.TB) *Azurite {
	tb.Helper()
	if t.Azurite == "" {
		azuritetest.Unavailable(tb, "azurite-blob is not installed in .tools (run `make tools`)")
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
	return azuritetest.StartProcess(bin, dir)
}

// FreePort asks the kernel for a free loopback TCP port.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = l.Close() }()
	tcp, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, fmt.Errorf("listener address %T is not TCP", l.Addr())
	}
	return tcp.Port, nil
}
