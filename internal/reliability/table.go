package reliability

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
)

// Row is one scenario's line in the table: what was injected, how it ended, and how many gallery image
// versions existed before and after (-1 when the scenario has no gallery).
type Row struct {
	Scenario string
	Injected string
	Result   string
	Before   int
	After    int
}

// Table collects rows from concurrently running tests and prints them sorted by scenario.
type Table struct {
	mu   sync.Mutex
	rows []*Row
}

// Add registers a row; the caller may keep filling it in until Write.
func (t *Table) Add(r *Row) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.rows = append(t.rows, r)
}

// Len is the number of rows.
func (t *Table) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.rows)
}

// Write prints the table with aligned columns.
func (t *Table) Write(w io.Writer) error {
	t.mu.Lock()
	rows := make([]Row, len(t.rows))
	for i, r := range t.rows {
		rows[i] = *r
	}
	t.mu.Unlock()
	sort.SliceStable(rows, func(i, j int) bool { return scenarioLess(rows[i].Scenario, rows[j].Scenario) })
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tINJECTED\tRESULT\tVERSIONS BEFORE\tVERSIONS AFTER")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Scenario, oneLine(r.Injected), oneLine(r.Result), count(r.Before), count(r.After))
	}
	return tw.Flush()
}

// scenarioLess orders "R2 ..." before "R10 ...".
func scenarioLess(a, b string) bool {
	na, nb := scenarioNumber(a), scenarioNumber(b)
	if na != nb {
		return na < nb
	}
	return a < b
}

func scenarioNumber(s string) int {
	n := 0
	if !strings.HasPrefix(s, "R") {
		return 1 << 30
	}
	for _, c := range s[1:] {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
	}
	return n
}

func count(n int) string {
	if n < 0 {
		return "-"
	}
	return fmt.Sprint(n)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
