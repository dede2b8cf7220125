package docscheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// repoRoot is the repository root, two levels above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// classifyCodes returns the keys of the explanations table that azure.Classify looks ARM error codes
// up in. It reads the source rather than calling the package, because the table is unexported on
// purpose (callers get explained errors, not the table).
func classifyCodes(t *testing.T, file string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || vs.Names[0].Name != "explanations" || len(vs.Values) != 1 {
			return true
		}
		lit, ok := vs.Values[0].(*ast.CompositeLit)
		if !ok {
			return true
		}
		found = true
		for _, elt := range lit.Elts {
			kv, ok := elt.(*ast.KeyValueExpr)
			if !ok {
				continue
			}
			if bl, ok := kv.Key.(*ast.BasicLit); ok && bl.Kind == token.STRING {
				s, err := strconv.Unquote(bl.Value)
				if err != nil {
					t.Fatal(err)
				}
				codes = append(codes, s)
			}
		}
		return false
	})
	if !found {
		t.Fatalf("%s: no `var explanations = map[string]explanation{...}`; update this test to the new table", file)
	}
	sort.Strings(codes)
	return codes
}

// codeRow matches a row of the Azure errors table: | `Code` | meaning | fix |, or several codes
// separated by commas.
var codeRow = regexp.MustCompile("^\\|\\s*(`[A-Za-z]+`(?:\\s*,\\s*`[A-Za-z]+`)*)\\s*\\|")

// documentedCodes returns the ARM error codes (lowercased) in the first column of the "Azure errors"
// section's table of troubleshooting.md.
func documentedCodes(t *testing.T, page string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]bool{}
	inSection := false
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "## ") {
			inSection = strings.HasPrefix(line, "## Azure errors")
			continue
		}
		if !inSection {
			continue
		}
		m := codeRow.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		for _, c := range strings.Split(m[1], ",") {
			codes[strings.ToLower(strings.Trim(strings.TrimSpace(c), "`"))] = true
		}
	}
	return codes
}

// TestTroubleshootingCoversClassify fails when azure.Classify explains an error code that
// docs/troubleshooting.md does not list, or when the page lists a code the table no longer has.
func TestTroubleshootingCoversClassify(t *testing.T) {
	root := repoRoot(t)
	codes := classifyCodes(t, filepath.Join(root, "internal", "azure", "errors.go"))
	if len(codes) < 10 {
		t.Fatalf("read only %d codes from errors.go (%v): the parser no longer finds the table", len(codes), codes)
	}
	documented := documentedCodes(t, filepath.Join(root, "docs", "troubleshooting.md"))
	known := map[string]bool{}
	for _, c := range codes {
		known[strings.ToLower(c)] = true
		if !documented[strings.ToLower(c)] {
			t.Errorf("docs/troubleshooting.md: the Azure errors table lacks the code %q that azure.Classify explains; add a row | `Code` | meaning | fix |", c)
		}
	}
	for c := range documented {
		if !known[c] {
			t.Errorf("docs/troubleshooting.md lists the code %q, which azure.Classify no longer explains; remove or update the row", c)
		}
	}
}

// TestDocumentedCodesParser checks the row parser on a page with a missing code, so the coverage test
// above cannot pass by reading nothing.
func TestDocumentedCodesParser(t *testing.T) {
	page := filepath.Join(t.TempDir(), "t.md")
	body := "## Other\n| `Ignored` | x | y |\n## Azure errors (all)\n| Code | Meaning | Fix |\n|---|---|---|\n" +
		"| `AuthorizationFailed` | a | b |\n| `NotFound`, `ResourceNotFound` | c | d |\n## Next\n| `AlsoIgnored` | x | y |\n"
	if err := os.WriteFile(page, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	got := documentedCodes(t, page)
	want := map[string]bool{"authorizationfailed": true, "notfound": true, "resourcenotfound": true}
	if len(got) != len(want) {
		t.Fatalf("documentedCodes = %v, want %v", got, want)
	}
	for c := range want {
		if !got[c] {
			t.Errorf("documentedCodes lacks %q: %v", c, got)
		}
	}
}
