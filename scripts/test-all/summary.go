package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// summarize prints the packages that failed in the go test logs, then the line CI reads last:
// `packages: N passed, N failed`. A package counts once: passed when go test printed its `ok  <pkg>`
// line, failed when it printed `FAIL<TAB><pkg>` (a test failure, a panic, a timeout or `[build failed]`).
// The bare `FAIL` line that ends a failing package's verbose output and the `--- FAIL: TestX` lines name
// no package and are not counted. A log that does not exist (its phase did not run) is skipped.
func summarize(w io.Writer, logs ...string) {
	var counts Counts
	for _, path := range logs {
		f, err := os.Open(path)
		if err != nil {
			if !os.IsNotExist(err) {
				fmt.Fprintln(w, "test-all:", err)
			}
			continue
		}
		err = counts.Read(f)
		f.Close()
		if err != nil {
			fmt.Fprintln(w, "test-all:", path+":", err)
		}
	}
	for _, p := range counts.Failed() {
		fmt.Fprintln(w, "FAIL package", p)
	}
	fmt.Fprintln(w, counts.Line())
}

// Counts is the result of each package seen in go test output; a failure wins over a pass.
type Counts struct {
	result map[string]bool // package → passed
}

// Read adds the package result lines of one go test log.
func (c *Counts) Read(r io.Reader) error {
	if c.result == nil {
		c.result = map[string]bool{}
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		pkg, passed, ok := parseLine(sc.Text())
		if !ok {
			continue
		}
		if prev, seen := c.result[pkg]; seen && !prev {
			continue
		}
		c.result[pkg] = passed
	}
	return sc.Err()
}

// parseLine recognises `ok  <TAB>pkg<TAB>...` and `FAIL<TAB>pkg...` (go test's per-package lines).
func parseLine(line string) (pkg string, passed, ok bool) {
	var rest string
	switch {
	case strings.HasPrefix(line, "ok  \t"):
		rest, passed = line[len("ok  \t"):], true
	case strings.HasPrefix(line, "FAIL\t"):
		rest = line[len("FAIL\t"):]
	default:
		return "", false, false
	}
	pkg, _, _ = strings.Cut(rest, "\t")
	pkg, _, _ = strings.Cut(pkg, " ") // "pkg [build failed]"
	return pkg, passed, pkg != ""
}

// Passed and Failed list the packages by result, sorted.
func (c *Counts) Passed() []string { return c.list(true) }

// Failed lists the failed packages, sorted.
func (c *Counts) Failed() []string { return c.list(false) }

func (c *Counts) list(passed bool) []string {
	var out []string
	for p, ok := range c.result {
		if ok == passed {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// Line is the summary CI reads.
func (c *Counts) Line() string {
	return fmt.Sprintf("packages: %d passed, %d failed", len(c.Passed()), len(c.Failed()))
}
