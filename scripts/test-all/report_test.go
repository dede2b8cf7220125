package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReportFailingRun: a run where go-test failed (the crafted log: 3 passed, 3 failed) and fuzz had a
// stall prints the phase times, the reliability table, the failed phase and, as its last line, the
// correct package count; it reports failure.
func TestReportFailingRun(t *testing.T) {
	crafted, err := os.ReadFile("testdata/gotest.log")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	if err := os.MkdirAll(".cache", 0o755); err != nil {
		t.Fatal(err)
	}
	for path, data := range map[string]string{
		goTestLogs[0]:    string(crafted),
		goTestLogs[1]:    "ok  \tgithub.com/azure-gallery/packer-plugin-azure-gallery/emulator/compat\t3.2s\n",
		reliabilityTable: "| R1 throttling | ok |\n",
	} {
		if err := os.WriteFile(filepath.Join(path), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	results := []phaseResult{
		{name: "vet", took: 40 * time.Second},
		{name: "go-test", took: 14 * time.Minute, err: errors.New("exit status 2")},
		{name: "fuzz", took: 5 * time.Minute, stalls: 1},
	}
	var out strings.Builder
	if report(&out, results, 20*time.Minute) {
		t.Error("report says a run with a failed phase passed")
	}
	text := out.String()
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if last, want := lines[len(lines)-1], "packages: 4 passed, 3 failed"; last != want {
		t.Errorf("last line %q, want %q:\n%s", last, want, text)
	}
	for _, want := range []string{"phase times (total 20m0s)", "go-test", "FAILED (exit status 2)",
		"1 fuzz target(s) stalled", "| R1 throttling | ok |", "FAILED phases: go-test",
		"FAIL package github.com/azure-gallery/packer-plugin-azure-gallery/internal/reliability"} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q:\n%s", want, text)
		}
	}
}

// TestReportPassingRun: every phase passed, no reliability table: says so, ends with the count, passes.
func TestReportPassingRun(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.MkdirAll(".cache", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(goTestLogs[0], []byte("ok  \tex/a\t1s\nok  \tex/b\t(cached)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if !report(&out, []phaseResult{{name: "go-test", took: time.Minute}}, time.Minute) {
		t.Error("report says a passing run failed")
	}
	text := out.String()
	if !strings.HasSuffix(text, "packages: 2 passed, 0 failed\n") || !strings.Contains(text, "not written") ||
		!strings.Contains(text, "every phase passed") {
		t.Errorf("report:\n%s", text)
	}
}

// TestCountStalls counts scripts/fuzz's STALL lines only.
func TestCountStalls(t *testing.T) {
	log := "fuzz internal/vhd FuzzDetect: STALL in 3m0s: no crash\nfuzz emulator FuzzX: ok in 2s\n" +
		"fuzz: STALL (the machine was too loaded...): internal/vhd:FuzzDetect\n"
	if n := countStalls(log); n != 1 {
		t.Errorf("countStalls = %d, want 1", n)
	}
}

// TestSelectPhases keeps the standard order and refuses an unknown phase.
func TestSelectPhases(t *testing.T) {
	got, err := selectPhases([]string{"vet", "fmt-check"})
	if err != nil || len(got) != 2 || got[0].name != "fmt-check" || got[1].name != "vet" {
		t.Errorf("selectPhases = %v, %v", got, err)
	}
	if _, err := selectPhases([]string{"nope"}); err == nil {
		t.Error("an unknown phase was accepted")
	}
}

// TestPhasesAreMakeTargets: every phase is a target of the Makefile, and the Makefile's comment on
// `test` names the phases in the driver's order.
func TestPhasesAreMakeTargets(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	mk := string(data)
	var names []string
	for _, p := range phases {
		names = append(names, p.name)
		if !strings.Contains(mk, "\n"+p.name+":") {
			t.Errorf("phase %s is not a target of the Makefile", p.name)
		}
	}
	comment := strings.Join(names, ", ")
	flat := strings.Join(strings.Fields(strings.ReplaceAll(mk, "\n##", " ")), " ")
	if !strings.Contains(flat, comment) {
		t.Errorf("the Makefile's comment on test does not list the phases as %q", comment)
	}
}
