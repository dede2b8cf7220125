// Command fuzz runs Go fuzz targets one at a time and tells a failure of the code from a loaded machine.
//
// In the bounded mode (`make fuzz`, part of `make test`) each target runs a fixed number of executions
// (-fuzztime Nx), so a slow machine takes longer but does the same work, and nothing depends on how many
// executions fit in a few seconds. Each target has a wall-clock ceiling: a target that has not finished
// its executions by then is stopped and reported as STALL (the machine was too loaded), which does not
// fail the run unless -strict is set. A genuine crasher always fails: go test reporting a failing input,
// a new file under testdata/fuzz/<Target>/, a `--- FAIL` line or a minimization in progress.
// The test binary is compiled (with fuzzing instrumentation) before the clock starts, so a cold build
// cache is not counted against the ceiling.
//
// In the long mode (`make fuzz-long FUZZTIME=10m`) -fuzztime is a duration and there is no ceiling.
//
// Usage: go run ./scripts/fuzz [-execs N] [-ceiling D] [-fuzztime D] [-strict] pkg:FuzzTarget...
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

func main() {
	execs := flag.Int("execs", 2000, "executions per target (bounded mode)")
	ceiling := flag.Duration("ceiling", 3*time.Minute, "wall-clock ceiling per target after compiling (bounded mode)")
	fuzztime := flag.Duration("fuzztime", 0, "a time-based run of this long per target instead (long mode; no ceiling)")
	strict := flag.Bool("strict", false, "count a stall as a failure")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: fuzz [-execs N] [-ceiling D] [-fuzztime D] [-strict] pkg:FuzzTarget...")
		os.Exit(2)
	}
	var failed, stalled []string
	for _, arg := range flag.Args() {
		t, err := parseTarget(arg)
		if err != nil {
			fmt.Fprintln(os.Stderr, "fuzz:", err)
			os.Exit(2)
		}
		spec := runSpec{execs: *execs, ceiling: *ceiling}
		if *fuzztime > 0 {
			spec = runSpec{duration: *fuzztime}
		}
		res := run(t, spec)
		fmt.Printf("fuzz %s %s: %s\n", t.pkg, t.fn, res)
		switch res.outcome {
		case outcomeFail:
			failed = append(failed, t.String())
		case outcomeStall:
			stalled = append(stalled, t.String())
		}
	}
	fmt.Printf("fuzz: %d targets, %d failed, %d stalled\n", flag.NArg(), len(failed), len(stalled))
	if len(stalled) > 0 {
		fmt.Printf("fuzz: STALL (the machine was too loaded to finish within the ceiling; not a failure of the code): %s\n", strings.Join(stalled, " "))
	}
	if len(failed) > 0 || (*strict && len(stalled) > 0) {
		os.Exit(1)
	}
}

// target is one fuzz function in one package directory.
type target struct{ pkg, fn string }

func (t target) String() string { return t.pkg + ":" + t.fn }

func parseTarget(s string) (target, error) {
	pkg, fn, ok := strings.Cut(s, ":")
	if !ok || pkg == "" || !strings.HasPrefix(fn, "Fuzz") {
		return target{}, fmt.Errorf("%q is not pkg:FuzzTarget", s)
	}
	return target{pkg: strings.TrimPrefix(strings.TrimSuffix(pkg, "/"), "./"), fn: fn}, nil
}

// runSpec is a bounded run (execs within ceiling) or a long time-based one (duration).
type runSpec struct {
	execs    int
	ceiling  time.Duration
	duration time.Duration
}

func (s runSpec) fuzztime() string {
	if s.duration > 0 {
		return s.duration.String()
	}
	return fmt.Sprintf("%dx", s.execs)
}
