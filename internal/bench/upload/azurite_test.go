package upload

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/pageblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/service"
)

// Azurite's documented development account; it exists only inside the emulator.
const (
	devAccount = "devstoreaccount1"
	devKey     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

func startAzurite(tb testing.TB) string {
	tb.Helper()
	wd, _ := os.Getwd()
	bin := filepath.Join(wd, "..", "..", "..", ".tools", "node_modules", ".bin", "azurite-blob")
	if _, err := os.Stat(bin); err != nil {
		tb.Skipf("Azurite is not installed at %s: %v", bin, err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	cmd := exec.Command(bin, "--blobHost", "127.0.0.1", "--blobPort", fmt.Sprint(port), "--location", tb.TempDir(),
		"--skipApiVersionCheck", "--loose", "--silent")
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			_ = c.Close()
			break
		}
		if time.Now().After(deadline) {
			tb.Fatalf("Azurite did not start on %s", addr)
		}
	}
	return "http://" + addr + "/" + devAccount
}

// blobSAS is a create/write SAS URL for a blob that does not exist yet, for tools that create it.
func blobSAS(tb testing.TB, endpoint, name string) string {
	tb.Helper()
	cred, err := service.NewSharedKeyCredential(devAccount, devKey)
	if err != nil {
		tb.Fatal(err)
	}
	cc, err := container.NewClientWithSharedKeyCredential(endpoint+"/bench", cred, nil)
	if err != nil {
		tb.Fatal(err)
	}
	_, _ = cc.Create(context.Background(), nil)
	pb, err := pageblob.NewClientWithSharedKeyCredential(endpoint+"/bench/"+name, cred, nil)
	if err != nil {
		tb.Fatal(err)
	}
	u, err := pb.BlobClient().GetSASURL(sas.BlobPermissions{Read: true, Write: true, Create: true}, time.Now().Add(2*time.Hour), nil)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// newPageBlob creates an empty page blob of size bytes and returns a write SAS URL for it, like the one
// beginGetAccess hands out.
func newPageBlob(tb testing.TB, endpoint, name string, size int64) string {
	tb.Helper()
	ctx := context.Background()
	cred, err := service.NewSharedKeyCredential(devAccount, devKey)
	if err != nil {
		tb.Fatal(err)
	}
	cc, err := container.NewClientWithSharedKeyCredential(endpoint+"/bench", cred, nil)
	if err != nil {
		tb.Fatal(err)
	}
	_, _ = cc.Create(ctx, nil)
	pb, err := pageblob.NewClientWithSharedKeyCredential(endpoint+"/bench/"+name, cred, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := pb.Create(ctx, size, nil); err != nil {
		tb.Fatal(err)
	}
	u, err := pb.BlobClient().GetSASURL(sas.BlobPermissions{Read: true, Write: true}, time.Now().Add(2*time.Hour), nil)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}
