package reliability

import (
	"context"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

var (
	// jwtPattern matches any JWT (access tokens and client assertions both start with a JSON header and
	// payload, base64url "eyJ").
	jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}`)
	// sasSignature matches a SAS signature with a value (a redaction marker is no value).
	sasSignature = regexp.MustCompile(`(?i)[?&]sig=([A-Za-z0-9%+/=]{8,})`)
	// clientAssertion matches a client assertion form field with a value.
	clientAssertion = regexp.MustCompile(`client_assertion=[A-Za-z0-9_.-]{8,}`)
)

// TestR6NoSecretsInLogs: the main job (import through a SAS upload, then publish) with PACKER_LOG=1;
// stdout, stderr and the PACKER_LOG_PATH file contain neither the client secret, nor any JWT (access
// token or client assertion), nor a SAS signature.
func TestR6NoSecretsInLogs(t *testing.T) {
	acctest.Require(t, tools)
	t.Parallel()
	row := scenario(t, "R6 secrets in logs", "PACKER_LOG=1 full run: import (SAS upload to Azurite) + publish")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	az := tools.StartAzurite(t)
	emu := tools.StartEmulator(t, acctest.EmulatorOptions{Config: emulatorConfig("1s", 1, nil), BlobEndpoint: az.BlobEndpoint})
	if err := emu.NewResourceGroup(ctx, galleryRG, location); err != nil {
		t.Fatal(err)
	}
	row.Before = 0
	disk := filepath.Join(t.TempDir(), "disk.raw")
	f, err := os.Create(disk)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(f, rand.Reader, 2<<20); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(16 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	logFile := filepath.Join(t.TempDir(), "packer.log")
	env := tools.PackerEnv(t, append(emu.Env(), "PKR_VAR_source_file="+disk, "PACKER_LOG=1", "PACKER_LOG_PATH="+logFile)...)
	run := tools.RunPacker(ctx, t, filepath.Join(tools.Root, "example", "import-and-publish"), env, "build", "-color=false", ".")
	if run.ExitCode != 0 {
		t.Fatalf("the run failed (%d):\n%s", run.ExitCode, run.Output)
	}
	inv := inventoryOf(ctx, t, emu)
	row.After = len(inv.Versions())
	if len(inv.Versions()) != 1 {
		t.Errorf("want 1 published version, got %d", len(inv.Versions()))
	}
	logData, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	all := run.Output + "\n" + string(logData)
	// The log must be the debug log, and the run must have used a SAS, or the checks below prove nothing.
	if !strings.Contains(string(logData), "[DEBUG]") || !strings.Contains(string(logData), "azure-gallery") {
		t.Fatalf("PACKER_LOG_PATH holds no plugin debug log (%d bytes)", len(logData))
	}
	reqs, err := emu.Requests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	usedSAS := false
	for _, r := range reqs {
		if p, _ := r["path"].(string); strings.HasSuffix(strings.ToLower(p), "/begingetaccess") {
			usedSAS = true
		}
	}
	if !usedSAS {
		t.Errorf("the run never asked for a SAS (beginGetAccess), so the SAS check proves nothing")
	}
	assertNoSecrets(t, all, emu.ClientSecret)
	row.Result = "searched " + byteCount(len(all)) + " of output and PACKER_LOG_PATH"
}

// assertNoSecrets fails when text holds the client secret, a JWT (token or assertion), a SAS signature
// with a value, or a client assertion.
func assertNoSecrets(t *testing.T, all, clientSecret string) {
	t.Helper()
	if strings.Contains(all, clientSecret) {
		t.Errorf("the client secret appears in the log")
	}
	for _, m := range jwtPattern.FindAllString(all, 3) {
		t.Errorf("a JWT (token or assertion) appears in the log: %.40s…", m)
	}
	for _, m := range sasSignature.FindAllStringSubmatch(all, 3) {
		if !strings.Contains(strings.ToUpper(m[1]), "REDACTED") {
			t.Errorf("a SAS signature appears in the log: sig=%.12s…", m[1])
		}
	}
	for _, m := range clientAssertion.FindAllString(all, 3) {
		t.Errorf("a client assertion appears in the log: %.40s…", m)
	}
}

func byteCount(n int) string {
	switch {
	case n >= 1<<20:
		return formatFloat(float64(n)/(1<<20)) + " MiB"
	case n >= 1<<10:
		return formatFloat(float64(n)/(1<<10)) + " KiB"
	}
	return formatFloat(float64(n)) + " B"
}
