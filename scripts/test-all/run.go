package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// phaseResult is how one phase ended.
type phaseResult struct {
	name        string
	took        time.Duration
	err         error // nil when the phase passed
	timedOut    bool
	interrupted bool
	stalls      int // fuzz targets reported as STALL (not failures)
}

func (r phaseResult) passed() bool { return r.err == nil && !r.timedOut && !r.interrupted }

func (r phaseResult) status(ceiling time.Duration) string {
	s := "ok"
	switch {
	case r.interrupted:
		s = "INTERRUPTED"
	case r.timedOut:
		s = fmt.Sprintf("TIMEOUT (ceiling %s)", ceiling)
	case r.err != nil:
		s = "FAILED (" + r.err.Error() + ")"
	}
	if r.stalls > 0 {
		s += fmt.Sprintf("; %d fuzz target(s) stalled: the machine was too loaded, not a failure of the code", r.stalls)
	}
	return s
}

// runPhase runs `make <phase>` in its own process group, its output streamed to ours and to
// .cache/phases/<phase>.log, and kills the whole group at the ceiling or on an interrupt.
func runPhase(makeCmd string, p phase, interrupt <-chan os.Signal) phaseResult {
	res := phaseResult{name: p.name}
	logPath := filepath.Join(phaseLogDir, p.name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		res.err = err
		return res
	}
	defer logFile.Close()
	ctx, cancel := context.WithTimeout(context.Background(), p.ceiling)
	defer cancel()
	cmd := exec.CommandContext(ctx, makeCmd, "--no-print-directory", p.name)
	cmd.Stdout = io.MultiWriter(os.Stdout, logFile)
	cmd.Stderr = cmd.Stdout
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 30 * time.Second
	start := time.Now()
	if err := cmd.Start(); err != nil {
		res.err = err
		return res
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case sig := <-interrupt:
		fmt.Printf("\n=== make test: %s: stopping phase %s\n", sig, p.name)
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		res.interrupted = true
		select {
		case err = <-done:
		case <-time.After(20 * time.Second):
			cancel() // SIGKILL to the group
			err = <-done
		}
	}
	res.took = time.Since(start)
	res.err = err
	res.timedOut = ctx.Err() != nil
	if data, rerr := os.ReadFile(logPath); rerr == nil {
		res.stalls = countStalls(string(data))
	}
	return res
}

// stallLine is the per-target line scripts/fuzz prints for a target stopped at its ceiling.
var stallLine = regexp.MustCompile(`(?m)^fuzz \S+ \S+: STALL`)

func countStalls(log string) int { return len(stallLine.FindAllString(log, -1)) }

// report prints the phase times, the reliability table, the failed phases and, last, the package
// summary; it returns whether every phase passed.
func report(w io.Writer, results []phaseResult, total time.Duration) bool {
	ceilings := map[string]time.Duration{}
	for _, p := range phases {
		ceilings[p.name] = p.ceiling
	}
	fmt.Fprintf(w, "\n=== make test: phase times (total %s)\n", total.Round(time.Second))
	var failed []string
	for _, r := range results {
		fmt.Fprintf(w, "  %-18s %9s  %s\n", r.name, r.took.Round(time.Second), r.status(ceilings[r.name]))
		if !r.passed() {
			failed = append(failed, r.name)
		}
	}
	fmt.Fprintf(w, "\n=== make test: reliability table (%s)\n", reliabilityTable)
	if data, err := os.ReadFile(reliabilityTable); err == nil && len(data) > 0 {
		fmt.Fprint(w, string(data))
		if !strings.HasSuffix(string(data), "\n") {
			fmt.Fprintln(w)
		}
	} else {
		fmt.Fprintln(w, "  (not written: the reliability tests did not run to the end; see the go-test phase)")
	}
	fmt.Fprintln(w)
	if len(failed) > 0 {
		fmt.Fprintf(w, "=== make test: FAILED phases: %s\n", strings.Join(failed, " "))
	} else {
		fmt.Fprintln(w, "=== make test: every phase passed")
	}
	summarize(w, goTestLogs...)
	return len(failed) == 0
}
