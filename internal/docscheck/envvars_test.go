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

// envReads returns every environment variable the repository's Go code reads by name with os.Getenv or
// os.LookupEnv (tests, test harnesses, scripts), each with the first place that reads it. A name given
// by a constant is resolved through the string constants declared anywhere in the repository; a read
// whose name cannot be resolved is reported in unresolved. The pinned tool modules (tools/) are not ours.
func envReads(t *testing.T, root string) (reads map[string]string, unresolved []string) {
	t.Helper()
	type call struct {
		pos string
		arg ast.Expr
	}
	consts := map[string][]string{}
	var calls []call
	fset := token.NewFileSet()
	for _, rel := range repoFiles(t, root) {
		if !strings.HasSuffix(rel, ".go") || strings.HasPrefix(rel, "tools/") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(root, rel), nil, 0)
		if err != nil {
			if os.IsNotExist(err) {
				continue
			}
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for i, name := range n.Names {
					if i < len(n.Values) {
						if s, ok := stringLit(n.Values[i]); ok {
							consts[name.Name] = append(consts[name.Name], s)
						}
					}
				}
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok || len(n.Args) != 1 || (sel.Sel.Name != "Getenv" && sel.Sel.Name != "LookupEnv") {
					return true
				}
				if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "os" {
					p := fset.Position(n.Pos())
					calls = append(calls, call{pos: rel + ":" + strconv.Itoa(p.Line), arg: n.Args[0]})
				}
			}
			return true
		})
	}
	reads = map[string]string{}
	for _, c := range calls {
		var names []string
		switch a := c.arg.(type) {
		case *ast.BasicLit:
			if s, ok := stringLit(a); ok {
				names = []string{s}
			}
		case *ast.Ident:
			names = consts[a.Name]
		case *ast.SelectorExpr:
			names = consts[a.Sel.Name]
		}
		if len(names) == 0 {
			unresolved = append(unresolved, c.pos)
		}
		for _, n := range names {
			if _, seen := reads[n]; !seen {
				reads[n] = c.pos
			}
		}
	}
	return reads, unresolved
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// makeVariables are the variables the Makefile lets the environment or the command line set (`NAME ?= …`).
func makeVariables(t *testing.T, root string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range regexp.MustCompile(`(?m)^([A-Z][A-Z0-9_]*)\s*\?=`).FindAllStringSubmatch(string(data), -1) {
		names = append(names, m[1])
	}
	return names
}

// TestEnvVarsDocumented fails when a test, a harness, a script or the Makefile reads an environment
// variable that CONTRIBUTING.md does not name (as `NAME`), so every knob a contributor can turn is
// written down in one place.
func TestEnvVarsDocumented(t *testing.T) {
	root := repoRoot(t)
	guide, err := os.ReadFile(filepath.Join(root, "CONTRIBUTING.md"))
	if err != nil {
		t.Fatal(err)
	}
	reads, unresolved := envReads(t, root)
	for _, pos := range unresolved {
		t.Errorf("%s reads an environment variable whose name is not a string constant; name it with a literal or a const", pos)
	}
	for _, name := range makeVariables(t, root) {
		if _, seen := reads[name]; !seen {
			reads[name] = "Makefile"
		}
	}
	if len(reads) < 5 {
		t.Fatalf("found only %d environment variables (%v); the scan is broken", len(reads), reads)
	}
	names := make([]string, 0, len(reads))
	for n := range reads {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if !strings.Contains(string(guide), "`"+n+"`") {
			t.Errorf("%s reads %s, which CONTRIBUTING.md does not document (add it to its environment variables table)", reads[n], n)
		}
	}
}
