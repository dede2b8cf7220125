package main

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestCountsCraftedLog: a log with three failing packages (a test failure, a build failure, a
// timeout), three passing ones (one cached, one with coverage), a package without tests and several
// bare FAIL lines counts 3 passed and 3 failed — the old `grep -c '^FAIL'` said 6 failed.
func TestCountsCraftedLog(t *testing.T) {
	f, err := os.Open("testdata/gotest.log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var c Counts
	if err := c.Read(f); err != nil {
		t.Fatal(err)
	}
	if got, want := c.Line(), "packages: 3 passed, 3 failed"; got != want {
		t.Errorf("Line() = %q, want %q", got, want)
	}
	const mod = "github.com/azure-gallery/packer-plugin-azure-gallery/"
	wantFailed := []string{mod + "emulator/arm", mod + "internal/acctest", mod + "internal/reliability"}
	if got := c.Failed(); !reflect.DeepEqual(got, wantFailed) {
		t.Errorf("Failed() = %v, want %v", got, wantFailed)
	}
	wantPassed := []string{mod + "emulator", mod + "internal/gallery", mod + "internal/vhd"}
	if got := c.Passed(); !reflect.DeepEqual(got, wantPassed) {
		t.Errorf("Passed() = %v, want %v", got, wantPassed)
	}
}

// TestCountsFailureWins: a package that passed in one log and failed in another counts as failed, once.
func TestCountsFailureWins(t *testing.T) {
	var c Counts
	for _, log := range []string{"FAIL\tex/a\t1.0s\n", "ok  \tex/a\t1.0s\nok  \tex/b\t(cached)\n"} {
		if err := c.Read(strings.NewReader(log)); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := c.Line(), "packages: 1 passed, 1 failed"; got != want {
		t.Errorf("Line() = %q, want %q", got, want)
	}
}

// TestCountsEmpty: no log lines at all is zero and zero (the caller's exit status carries the failure).
func TestCountsEmpty(t *testing.T) {
	var c Counts
	if err := c.Read(strings.NewReader("FAIL\n--- FAIL: TestX (0.00s)\n")); err != nil {
		t.Fatal(err)
	}
	if got, want := c.Line(), "packages: 0 passed, 0 failed"; got != want {
		t.Errorf("Line() = %q, want %q", got, want)
	}
}
