// Package benchutil holds what every benchmark under internal/bench shares: rounds run in rotated order,
// min/median/max summaries, the machine's load, one table row per measurement (appended to the file
// named by $BENCH_TABLE, which `make bench` prints), and a watcher that reads a process's peak resident
// set from /proc from outside it.
package benchutil

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Stats is the min/median/max of one measurement over the rounds.
type Stats struct{ Min, Median, Max float64 }

// Summarize returns the min, median and max of xs (the mean of the middle two for an even count).
func Summarize(xs []float64) Stats {
	if len(xs) == 0 {
		return Stats{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return Stats{Min: s[0], Median: med, Max: s[len(s)-1]}
}

// String prints min/median/max with prec decimals.
func (s Stats) String() string { return s.Format(2) }

// Format prints "min / median / max" with prec decimals.
func (s Stats) Format(prec int) string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', prec, 64) }
	return f(s.Min) + " / " + f(s.Median) + " / " + f(s.Max)
}

// Ratios divides a[i] by b[i] round by round (each round's pair ran back to back under the same load).
func Ratios(a, b []float64) []float64 {
	out := make([]float64, min(len(a), len(b)))
	for i := range out {
		out[i] = a[i] / b[i]
	}
	return out
}

// Rounds is $BENCH_ROUNDS, or def when it is unset or invalid; never less than 3 unless def is.
func Rounds(def int) int { return IntOr(os.Getenv("BENCH_ROUNDS"), def) }

// IntOr parses a positive integer (an environment variable's value, read by the caller with its literal
// name so that docscheck sees it), or returns def.
func IntOr(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return n
	}
	return def
}

// FloatOr parses a positive number (an environment variable's value), or returns def.
func FloatOr(s string, def float64) float64 {
	if x, err := strconv.ParseFloat(s, 64); err == nil && x > 0 {
		return x
	}
	return def
}

// Rotate runs every case once per round, starting each round one case later (A B C, B C A, C A B, …),
// so that no case always runs first (cold) or last (after the others heated the machine).
func Rotate(rounds int, cases []func(round int)) {
	for r := range rounds {
		for i := range cases {
			cases[(i+r)%len(cases)](r)
		}
	}
}

// LoadAvg is the first three fields of /proc/loadavg ("?" off Linux).
func LoadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// Row is one line of the benchmark table.
type Row struct {
	Section, What, Measured, Baseline, Ratio, Goal, Verdict string
	Rounds                                                  int
	LoadBefore, LoadAfter                                   string
}

// Emit prints the row (to the test log through logf) and appends it to $BENCH_TABLE as a Markdown line.
func Emit(logf func(string, ...any), r Row) {
	line := fmt.Sprintf("| %s | %s | %s | %s | %s | %s | %s | %d | %s → %s |",
		r.Section, r.What, r.Measured, r.Baseline, r.Ratio, r.Goal, r.Verdict, r.Rounds, r.LoadBefore, r.LoadAfter)
	logf("%s", line)
	path := os.Getenv("BENCH_TABLE")
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		logf("BENCH_TABLE: %v", err)
		return
	}
	defer f.Close()
	_, _ = fmt.Fprintln(f, line)
}

// Verdict is "met" or "NOT met".
func Verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}
