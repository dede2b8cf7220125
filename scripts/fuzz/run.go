package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// outcome is what one target's run means.
type outcome int

const (
	outcomeOK    outcome = iota
	outcomeStall         // the ceiling passed before the executions were done, with no sign of a crash
	outcomeFail          // a crasher, a failing seed, or go test failing for any other reason
)

// result is one target's outcome with what explains it.
type result struct {
	outcome outcome
	took    time.Duration
	why     string
}

func (r result) String() string {
	word := map[outcome]string{outcomeOK: "ok", outcomeStall: "STALL", outcomeFail: "FAIL"}[r.outcome]
	s := fmt.Sprintf("%s in %s", word, r.took.Round(100*time.Millisecond))
	if r.why != "" {
		s += ": " + r.why
	}
	return s
}

// run compiles the target's package with fuzzing instrumentation (no clock), then fuzzes it.
func run(t target, spec runSpec) result {
	fuzzArgs := []string{"test", "-run", "^$", "-fuzz", "^" + t.fn + "$"}
	build := exec.Command("go", append(fuzzArgs, "-c", "-o", os.DevNull, "./"+t.pkg)...)
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		return result{outcome: outcomeFail, why: "compiling: " + err.Error()}
	}
	corpus := filepath.Join(t.pkg, "testdata", "fuzz", t.fn)
	before := listFiles(corpus)
	args := append(fuzzArgs, "-fuzztime", spec.fuzztime(), "./"+t.pkg)
	if spec.duration == 0 {
		// A crasher is minimized before it is written; bound that by executions too.
		args = append(args, "-fuzzminimizetime", "1000x")
	}
	start := time.Now()
	out, exitErr, timedOut := runWithCeiling(args, spec.ceiling)
	newFiles := difference(listFiles(corpus), before)
	res := classify(out, exitErr, timedOut, newFiles)
	res.took = time.Since(start)
	if res.outcome == outcomeStall {
		res.why = fmt.Sprintf("no crash, %s not reached within the %s ceiling (%s)", spec.fuzztime(), spec.ceiling, res.why)
	}
	return res
}

// runWithCeiling runs go with args in its own process group, streaming its output, and kills the whole
// group (go, the test binary and its fuzz workers) when ceiling (if any) passes.
func runWithCeiling(args []string, ceiling time.Duration) (out string, exitErr error, timedOut bool) {
	ctx := context.Background()
	if ceiling > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, ceiling)
		defer cancel()
	}
	var buf bytes.Buffer
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Stdout = io.MultiWriter(os.Stdout, &buf)
	cmd.Stderr = cmd.Stdout
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	err := cmd.Run()
	return buf.String(), err, ctx.Err() != nil
}

// crashSigns are go test's words for a failing input; any of them makes the run a failure even when the
// ceiling stopped it (a crasher being minimized has not been written yet).
var crashSigns = []string{"Failing input written to", "--- FAIL", "minimizing", "panic:"}

// classify decides a run's outcome from go test's output, its exit, whether the ceiling stopped it and
// the files it added to the target's corpus directory.
func classify(out string, exitErr error, timedOut bool, newFiles []string) result {
	if len(newFiles) > 0 {
		return result{outcome: outcomeFail, why: "new failing input(s): " + strings.Join(newFiles, ", ")}
	}
	for _, s := range crashSigns {
		if strings.Contains(out, s) {
			return result{outcome: outcomeFail, why: fmt.Sprintf("go test reported %q", s)}
		}
	}
	if timedOut {
		return result{outcome: outcomeStall, why: lastProgress(out)}
	}
	if exitErr != nil {
		var ee *exec.ExitError
		if errors.As(exitErr, &ee) {
			return result{outcome: outcomeFail, why: fmt.Sprintf("go test exited %d", ee.ExitCode())}
		}
		return result{outcome: outcomeFail, why: exitErr.Error()}
	}
	return result{outcome: outcomeOK}
}

// lastProgress is the last `fuzz: elapsed: …, execs: …` line, or says there was none.
func lastProgress(out string) string {
	lines := strings.Split(out, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); strings.HasPrefix(l, "fuzz: elapsed:") {
			return "last: " + l
		}
	}
	return "no progress line yet"
}

// listFiles names the files in dir (none when it does not exist).
func listFiles(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		names = append(names, filepath.Join(dir, e.Name()))
	}
	return names
}

// difference is what after holds and before does not, sorted.
func difference(after, before []string) []string {
	had := map[string]bool{}
	for _, b := range before {
		had[b] = true
	}
	var out []string
	for _, a := range after {
		if !had[a] {
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return out
}
