package docscheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

// rulesDoc is the reference page of Azure's rules, rendered from internal/gallery's rule table.
const rulesDoc = "docs/azure-rules.md"

// renderRules renders gallery.Rules as the reference page.
func renderRules() string {
	var b strings.Builder
	b.WriteString("# Azure's rules and limits checked before any call\n\n")
	b.WriteString("`packer validate` (the post-processor's configuration) and the publish plan refuse what Azure would\n")
	b.WriteString("refuse, naming the field and the rule below. This page is generated from the one rule table,\n")
	b.WriteString("`internal/gallery/rules.go` (`Rules`); `internal/docscheck` fails when it drifts. Regenerate it with\n")
	b.WriteString("`UPDATE_DOCS=1 go test ./internal/docscheck -run TestAzureRulesDoc`.\n\n")
	b.WriteString("| Field | Azure's rule |\n| --- | --- |\n")
	for _, r := range gallery.Rules {
		b.WriteString("| `" + r.Field + "` | " + strings.ReplaceAll(r.Azure, "|", `\|`) + " |\n")
	}
	return b.String()
}

// TestAzureRulesDoc: docs/azure-rules.md lists every rule of the table, as rendered from it.
func TestAzureRulesDoc(t *testing.T) {
	path := filepath.Join(repoRoot(t), rulesDoc)
	want := renderRules()
	if os.Getenv("UPDATE_DOCS") != "" {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (generate it with UPDATE_DOCS=1 go test ./internal/docscheck -run TestAzureRulesDoc)", err)
	}
	if string(got) != want {
		t.Errorf("%s is not the rendering of gallery.Rules; regenerate it with UPDATE_DOCS=1 go test ./internal/docscheck -run TestAzureRulesDoc", rulesDoc)
	}
	for _, r := range gallery.Rules {
		if !strings.Contains(string(got), "| `"+r.Field+"` |") {
			t.Errorf("%s does not list %s", rulesDoc, r.Field)
		}
	}
}
