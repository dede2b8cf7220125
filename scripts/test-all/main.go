// Command test-all is the driver of `make test` (what CI runs through .ci/run). It runs every phase in
// order, each a make target of its own, and goes on when one fails, so a failing run still reaches the
// end. Each phase has a wall-clock ceiling (its process group is killed when it passes), so the whole
// run is bounded even when something hangs. At the end it prints each phase's result and time, the
// reliability table (.cache/reliability.txt, written by the reliability tests), the packages that
// failed and, as the very last line, `packages: N passed, N failed`. It exits 1 when any phase failed.
//
// Usage:
//
//	go run ./scripts/test-all [phase ...]        every phase, or only those named (e.g. fmt-check vet)
//	go run ./scripts/test-all -summary LOG ...   only the package summary of go test logs
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// phase is one make target of `make test` and its wall-clock ceiling.
type phase struct {
	name    string
	ceiling time.Duration
}

// phases run in this order. The ceilings are generous for a cold, loaded 2-core machine (README, "First
// run"); go test has its own -timeout inside go-test, and the fuzzers their own per-target ceiling.
var phases = []phase{
	{"tools", 50 * time.Minute},
	{"check-generate", 20 * time.Minute},
	{"fmt-check", 5 * time.Minute},
	{"vet", 20 * time.Minute},
	{"lint", 20 * time.Minute},
	{"go-test", 60 * time.Minute},
	{"compat-test", 20 * time.Minute},
	{"fuzz", 45 * time.Minute},
	{"plugin-check", 10 * time.Minute},
	{"goreleaser-check", 10 * time.Minute},
	{"release-check", 40 * time.Minute},
}

// The logs the summary counts (written by the go-test and compat-test targets) and the reliability table.
var (
	goTestLogs       = []string{".cache/gotest.log", ".cache/compat.log"}
	reliabilityTable = ".cache/reliability.txt"
	phaseLogDir      = ".cache/phases"
)

func main() {
	summaryOnly := flag.Bool("summary", false, "print only the package summary of the go test logs named as arguments")
	makeCmd := flag.String("make", makeFromEnv(), "the make to run the phases with")
	flag.Parse()
	if *summaryOnly {
		summarize(os.Stdout, flag.Args()...)
		return
	}
	selected, err := selectPhases(flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "test-all:", err)
		os.Exit(2)
	}
	for _, f := range append(goTestLogs, reliabilityTable) {
		_ = os.Remove(f)
	}
	if err := os.MkdirAll(phaseLogDir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "test-all:", err)
		os.Exit(1)
	}
	interrupt := make(chan os.Signal, 1)
	signal.Notify(interrupt, os.Interrupt, syscall.SIGTERM)
	start := time.Now()
	var results []phaseResult
	for _, p := range selected {
		fmt.Printf("\n=== make test: phase %s (ceiling %s)\n", p.name, p.ceiling)
		r := runPhase(*makeCmd, p, interrupt)
		results = append(results, r)
		if r.interrupted {
			break
		}
	}
	ok := report(os.Stdout, results, time.Since(start))
	if !ok {
		os.Exit(1)
	}
}

// selectPhases is every phase, or the named ones in the standard order.
func selectPhases(names []string) ([]phase, error) {
	if len(names) == 0 {
		return phases, nil
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var out []phase
	for _, p := range phases {
		if want[p.name] {
			out = append(out, p)
			delete(want, p.name)
		}
	}
	for n := range want {
		var all []string
		for _, p := range phases {
			all = append(all, p.name)
		}
		return nil, fmt.Errorf("no phase %q (phases: %s)", n, strings.Join(all, " "))
	}
	return out, nil
}

// makeFromEnv is $MAKE (set by make for its recipes), else make.
func makeFromEnv() string {
	if v := os.Getenv("MAKE"); v != "" {
		return v
	}
	return "make"
}
