package azure

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	sig := "Zm9vYmFyYmF6c2VjcmV0c2lnbmF0dXJl%2B%2F%3D"
	in := []string{
		`Put "https://acct.blob.core.windows.net/c/disk.vhd?comp=page&sv=2021-08-06&sr=b&sig=` + sig + `&se=2026-12-01": connection reset`,
		`uploading d: PUT https://127.0.0.1:10000/devstoreaccount1/c/d?sv=2021&SIG=` + sig + "\n--- next",
		`signature sig=` + sig + ` leaked`,
	}
	for _, s := range in {
		got := Redact(s)
		if strings.Contains(strings.ToLower(got), strings.ToLower(sig)) || strings.Contains(got, "sv=2021") {
			t.Errorf("Redact(%q) = %q", s, got)
		}
	}
	if got := Redact("reading https://management.azure.com/x?api-version=2024-03-03"); !strings.Contains(got, "api-version") {
		t.Errorf("a URL without a SAS was changed: %s", got)
	}
	base := errors.New("boom")
	err := RedactError(fmt.Errorf("PUT https://h/c?sig=%s: %w", sig, base))
	if strings.Contains(err.Error(), sig) || !errors.Is(err, base) {
		t.Errorf("RedactError: %v (Is %v)", err, errors.Is(err, base))
	}
}
