package gallery

import (
	"strings"
	"testing"
	"time"
)

// simulate runs the predictor against regions that replicate linearly in durations[i] from t0 and
// returns how many reads it made and how long after the true end it noticed.
func simulate(t *testing.T, durations []time.Duration, regionStart time.Duration) (reads int, late time.Duration) {
	t.Helper()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var end time.Duration
	for _, d := range durations {
		end = max(end, d+regionStart)
	}
	pr := newPredictor(t0, WaitOptions{})
	now := t0
	for reads = 1; reads < 1000; reads++ {
		var regions []RegionStatus
		pending := false
		for i, d := range durations {
			el := now.Sub(t0) - regionStart
			r := RegionStatus{Name: string(rune('a' + i))}
			switch {
			case el < 0:
				r.State = "Replicating"
			case el >= d:
				r.State, r.Progress = "Completed", 100
			default:
				r.State, r.Progress = "Replicating", int32(min(99, int(100*el/d)))
				pending = true
			}
			if el < 0 {
				pending = true
			}
			regions = append(regions, r)
		}
		if !pending {
			return reads, now.Sub(t0) - end
		}
		pr.observe(now, regions)
		now = now.Add(pr.next(now))
	}
	t.Fatal("never finished")
	return
}

func TestPredictorLandsJustAfterTheEnd(t *testing.T) {
	cases := []struct {
		name      string
		durations []time.Duration
		start     time.Duration
		maxReads  int
	}{
		// No sleep exceeds a quarter of the elapsed time (so a change of pace is seen), which costs a
		// few reads on short waits: 18 here, where sleeping to the linear bound took 12.
		{"60s five regions", []time.Duration{60 * time.Second, 58 * time.Second, 55 * time.Second, 60 * time.Second, 59 * time.Second}, 0, 20},
		{"10s", []time.Duration{10 * time.Second}, 0, 10},
		{"1h", []time.Duration{time.Hour}, 0, 60},
		{"late start", []time.Duration{60 * time.Second}, 5 * time.Second, 20},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			reads, late := simulate(t, tc.durations, tc.start)
			// The goal: notice the end within 1 s, or 1% of the duration when that is longer
			// (integer progress says nothing finer).
			var total time.Duration
			for _, d := range tc.durations {
				total = max(total, d+tc.start)
			}
			if limit := max(time.Second, total/100); late < 0 || late > limit {
				t.Errorf("noticed the end %s after it (want within %s)", late, limit)
			}
			if reads > tc.maxReads {
				t.Errorf("%d reads, want at most %d", reads, tc.maxReads)
			}
			t.Logf("%d reads, %s late", reads, late)
		})
	}
}

func TestPredictorBackoffWithoutProgress(t *testing.T) {
	pr := newPredictor(time.Time{}, WaitOptions{FirstInterval: time.Second, MaxInterval: 10 * time.Second})
	now := time.Now()
	var got []time.Duration
	for i := 0; i < 6; i++ {
		pr.observe(now, []RegionStatus{{Name: "a", State: "Replicating"}})
		got = append(got, pr.next(now))
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("back-off %v, want %v", got, want)
		}
	}
	// Without a known start, two reads with progress give a prediction.
	pr.observe(now, []RegionStatus{{Name: "a", State: "Replicating", Progress: 10}})
	if _, ok := pr.eta(); ok {
		t.Fatal("one read cannot predict without a start")
	}
	pr.observe(now.Add(10*time.Second), []RegionStatus{{Name: "a", State: "Replicating", Progress: 20}})
	eta, ok := pr.eta()
	if !ok || eta.Sub(now) < 80*time.Second || eta.Sub(now) > 100*time.Second {
		t.Fatalf("eta %v after now, ok %v", eta.Sub(now), ok)
	}
}

func TestProgressReporterPrintsOnlyChanges(t *testing.T) {
	rec := &recorder{}
	pr := newProgressReporter(rec, "1.0.0")
	a := []RegionStatus{{Name: "eastus", State: "Replicating", Progress: 10}, {Name: "westus", State: "Replicating", Progress: 5}}
	if n := pr.update(a); n != 2 {
		t.Fatalf("first update reported %d", n)
	}
	if n := pr.update(a); n != 0 {
		t.Fatalf("unchanged update reported %d", n)
	}
	b := []RegionStatus{{Name: "eastus", State: "Completed", Progress: 100}, {Name: "westus", State: "Failed", Progress: 50, Details: "copy failed"}}
	if n := pr.update(b); n != 2 {
		t.Fatalf("changed update reported %d", n)
	}
	want := "msg:   1.0.0: eastus Replicating 10%, westus Replicating 5%\nerr:   westus: replication of 1.0.0 failed: copy failed\nmsg:   1.0.0: eastus Completed 100%"
	if got := rec.text(); got != want {
		t.Fatalf("output:\n%s\nwant:\n%s", got, want)
	}
	now := time.Now()
	if !pr.eta(now, now.Add(60*time.Second)) || pr.eta(now, now.Add(62*time.Second)) || !pr.eta(now, now.Add(120*time.Second)) {
		t.Error("eta printing: first, small shift, big shift")
	}
	if !strings.Contains(rec.text(), "about 1m0s left") {
		t.Errorf("eta line: %s", rec.text())
	}
}
