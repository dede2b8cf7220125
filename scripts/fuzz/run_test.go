package main

import (
	"os/exec"
	"testing"
)

// exitErr returns a real *exec.ExitError with the given code.
func exitErr(t *testing.T, code string) error {
	t.Helper()
	err := exec.Command("sh", "-c", "exit "+code).Run()
	if err == nil {
		t.Fatal("sh exited 0")
	}
	return err
}

// TestClassify: a loaded machine (ceiling passed, no crash sign) is a stall; every sign of a crasher is a
// failure, even when the ceiling stopped the run; the issue's `context deadline exceeded` exit is a
// failure when it is not a stall (with -fuzztime Nx there is no fuzzing deadline left to exceed).
func TestClassify(t *testing.T) {
	const progress = "fuzz: elapsed: 9s, execs: 0 (0/sec), new interesting: 0 (total: 12)\n"
	cases := []struct {
		name     string
		out      string
		exit     string // "" = exit 0
		timedOut bool
		newFiles []string
		want     outcome
	}{
		{"done", progress + "PASS\nok  \tex/pkg\t3.1s\n", "", false, nil, outcomeOK},
		{"loaded machine", progress, "137", true, nil, outcomeStall},
		{"crasher written", "--- FAIL: FuzzDetect (0.51s)\n    Failing input written to testdata/fuzz/FuzzDetect/5e1f\n", "1", false,
			[]string{"internal/vhd/testdata/fuzz/FuzzDetect/5e1f"}, outcomeFail},
		{"new file without the message", "", "1", false, []string{"x/testdata/fuzz/FuzzX/1"}, outcomeFail},
		{"minimizing when the ceiling hit", progress + "fuzz: elapsed: 12s, minimizing\n", "137", true, nil, outcomeFail},
		{"failing seed", "--- FAIL: FuzzX/seed#0 (0.00s)\n", "1", false, nil, outcomeFail},
		{"build error", "# ex/pkg\n./x.go:1: syntax error\nFAIL\tex/pkg [build failed]\n", "1", false, nil, outcomeFail},
		{"deadline exceeded, no input", progress + "context deadline exceeded\nFAIL\tex/pkg\t9.6s\n", "1", false, nil, outcomeFail},
	}
	for _, c := range cases {
		var err error
		if c.exit != "" {
			err = exitErr(t, c.exit)
		}
		if got := classify(c.out, err, c.timedOut, c.newFiles); got.outcome != c.want {
			t.Errorf("%s: got %v, want outcome %d", c.name, got, c.want)
		}
	}
}

// TestParseTarget accepts pkg:FuzzName (with or without ./) and refuses anything else.
func TestParseTarget(t *testing.T) {
	got, err := parseTarget("./internal/vhd:FuzzDetect")
	if err != nil || got != (target{pkg: "internal/vhd", fn: "FuzzDetect"}) {
		t.Errorf("parseTarget = %+v, %v", got, err)
	}
	for _, bad := range []string{"internal/vhd", "internal/vhd:TestX", ":FuzzX"} {
		if _, err := parseTarget(bad); err == nil {
			t.Errorf("parseTarget(%q) accepted", bad)
		}
	}
}

func TestDifference(t *testing.T) {
	got := difference([]string{"a", "c", "b"}, []string{"a"})
	if len(got) != 2 || got[0] != "b" || got[1] != "c" {
		t.Errorf("difference = %v", got)
	}
}
