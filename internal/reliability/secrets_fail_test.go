package reliability

import (
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

// pageResettingProxy fronts Azurite: the emulator creates its blobs through it, and the SAS URLs it
// hands out point at it, but every page write (PUT ?comp=page, the plugin's upload) has its connection
// closed, so the upload fails with a transport error whose text holds the whole SAS URL.
func pageResettingProxy(t *testing.T, blobEndpoint string) (string, *atomic.Int64) {
	t.Helper()
	u, err := url.Parse(blobEndpoint)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	var resets atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && r.URL.Query().Get("comp") == "page" {
			resets.Add(1)
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				_ = conn.Close()
			}
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + u.Path, &resets
}

// rawDisk writes a 16 MiB raw disk with 2 MiB of random data.
func rawDisk(t *testing.T) string {
	t.Helper()
	disk := filepath.Join(t.TempDir(), "disk.raw")
	f, err := os.Create(disk)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := io.CopyN(f, rand.Reader, 2<<20); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(16 << 20); err != nil {
		t.Fatal(err)
	}
	return disk
}

// runLogged runs example/import-and-publish with PACKER_LOG=1 and returns its output plus the log file.
func runLogged(ctx context.Context, t *testing.T, emu *acctest.Emulator, disk string) (acctest.Run, string) {
	t.Helper()
	logFile := filepath.Join(t.TempDir(), "packer.log")
	env := tools.PackerEnv(t, append(emu.Env(), "PKR_VAR_source_file="+disk, "PACKER_LOG=1", "PACKER_LOG_PATH="+logFile)...)
	run := tools.RunPacker(ctx, t, filepath.Join(tools.Root, "example", "import-and-publish"), env, "build", "-color=false", ".")
	logData, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(logData), "[DEBUG]") {
		t.Fatalf("PACKER_LOG_PATH holds no debug log (%d bytes)", len(logData))
	}
	return run, run.Output + "\n" + string(logData)
}

// TestR6NoSecretsWhenUploadFails: the SAS upload fails with a transport error (whose Go text is
// `Put "…?comp=page&…&sig=…": EOF`); neither stdout/stderr nor the PACKER_LOG file shows the signature,
// a token or the secret.
func TestR6NoSecretsWhenUploadFails(t *testing.T) {
	acctest.Require(t, tools)
	t.Parallel()
	row := scenario(t, "R6 secrets in logs: failing upload", "PACKER_LOG=1, every page write of the SAS upload reset")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	az := tools.StartAzurite(t)
	blob, resets := pageResettingProxy(t, az.BlobEndpoint)
	emu := tools.StartEmulator(t, acctest.EmulatorOptions{Config: emulatorConfig("1s", 1, nil), BlobEndpoint: blob})
	if err := emu.NewResourceGroup(ctx, galleryRG, location); err != nil {
		t.Fatal(err)
	}
	run, all := runLogged(ctx, t, emu, rawDisk(t))
	if run.ExitCode == 0 || resets.Load() == 0 || !strings.Contains(run.Output, "uploading") {
		t.Fatalf("the upload did not fail as arranged (exit %d, %d resets):\n%s", run.ExitCode, resets.Load(), run.Output)
	}
	if !strings.Contains(all, "comp=page") && !strings.Contains(all, "REDACTED") {
		t.Logf("note: the failure text names no blob URL at all")
	}
	assertNoSecrets(t, all, emu.ClientSecret)
	row.Before, row.After = 0, len(inventoryOf(ctx, t, emu).Versions())
	row.Result = "upload failed; searched " + byteCount(len(all)) + ", no secret"
}

// TestR6NoSecretsWhenPublishFails: the import succeeds and the publish fails (a region's replication
// fails); no secret, token or signature in any output.
func TestR6NoSecretsWhenPublishFails(t *testing.T) {
	acctest.Require(t, tools)
	t.Parallel()
	row := scenario(t, "R6 secrets in logs: failing publish", "PACKER_LOG=1, replication_failure in eastus")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	az := tools.StartAzurite(t)
	emu := tools.StartEmulator(t, acctest.EmulatorOptions{Config: emulatorConfig("1s", 1, nil), BlobEndpoint: az.BlobEndpoint})
	if err := emu.NewResourceGroup(ctx, galleryRG, location); err != nil {
		t.Fatal(err)
	}
	if err := emu.AddFault(ctx, emulator.FaultRule{Action: emulator.FaultReplicationFailure, Region: location, Details: "disk copy failed"}); err != nil {
		t.Fatal(err)
	}
	run, all := runLogged(ctx, t, emu, rawDisk(t))
	if run.ExitCode == 0 || !strings.Contains(run.Output, "disk copy failed") {
		t.Fatalf("the publish did not fail as arranged (exit %d):\n%s", run.ExitCode, run.Output)
	}
	assertNoSecrets(t, all, emu.ClientSecret)
	row.Before, row.After = 0, len(inventoryOf(ctx, t, emu).Versions())
	row.Result = "publish failed; searched " + byteCount(len(all)) + ", no secret"
}
