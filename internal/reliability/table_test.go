package reliability

import (
	"strings"
	"testing"
)

func TestTableOrdersScenariosNumerically(t *testing.T) {
	var tab Table
	tab.Add(&Row{Scenario: "R10 cross-tenant", Injected: "aux", Result: "pass", Before: 0, After: 1})
	tab.Add(&Row{Scenario: "R2 region failure", Injected: "westeurope\nfails", Result: "pass", Before: 1, After: 1})
	tab.Add(&Row{Scenario: "R5 validate", Injected: "42 templates", Result: "pass", Before: -1, After: -1})
	var b strings.Builder
	if err := tab.Write(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("want header + 3 rows:\n%s", b.String())
	}
	for i, want := range []string{"SCENARIO", "R2 region failure", "R5 validate", "R10 cross-tenant"} {
		if !strings.HasPrefix(lines[i], want) {
			t.Errorf("line %d = %q, want prefix %q", i, lines[i], want)
		}
	}
	if !strings.Contains(lines[1], "westeurope fails") {
		t.Errorf("injected text not on one line: %q", lines[1])
	}
	if f := strings.Fields(lines[3]); f[len(f)-2] != "0" || f[len(f)-1] != "1" {
		t.Errorf("counts of %q, want 0 and 1", lines[3])
	}
	if !strings.Contains(lines[2], "-") {
		t.Errorf("no-gallery counts should print -: %q", lines[2])
	}
}
