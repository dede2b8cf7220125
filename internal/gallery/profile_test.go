package gallery

import (
	"fmt"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/bench/benchutil"
	"math"
	"testing"
	"time"
)

// curve is one region's replication: the share done (0..1) as a function of the share of its duration
// elapsed (0..1), after an optional delay before the copy starts.
type curve struct {
	delay, d time.Duration
	f        func(x float64) float64
}

// profile is a replication across regions, each with its own curve.
type profile struct {
	name    string
	regions []curve
}

func linear(x float64) float64    { return x }
func slowStart(x float64) float64 { return x * x }
func cubic(x float64) float64     { return x * x * x }
func sCurve(x float64) float64    { return x * x * (3 - 2*x) }

// stall30 is linear progress that freezes for 30% of the time halfway through.
func stall30(x float64) float64 {
	switch {
	case x < 0.35:
		return x / 0.7
	case x < 0.65:
		return 0.5
	default:
		return 0.5 + (x-0.65)/0.7
	}
}

// fastEnd is a copy that crawls for most of its time and then finishes in a burst: 20% done at 80% of
// the time, the rest in the last fifth.
func fastEnd(x float64) float64 {
	if x < 0.8 {
		return x / 4
	}
	return 0.2 + (x-0.8)*4
}

// profiles returns the progress profiles of the predictor's bound, for a replication of length d.
func profiles(d time.Duration) []profile {
	one := func(name string, f func(float64) float64) profile {
		return profile{name, []curve{{d: d, f: f}}}
	}
	frac := func(p float64) time.Duration { return time.Duration(float64(d) * p) }
	return []profile{
		one("linear", linear),
		one("slow start", slowStart),
		one("30% stall", stall30),
		one("S-curve", sCurve),
		one("cubic", cubic),
		one("fast end", fastEnd),
		{"late start", []curve{{delay: frac(0.2), d: frac(0.8), f: linear}}},
		{"per-region different", []curve{
			{d: frac(0.55), f: linear}, {d: frac(0.8), f: sCurve}, {delay: frac(0.1), d: frac(0.9), f: cubic},
			{d: d, f: slowStart}, {d: frac(0.7), f: stall30},
		}},
	}
}

// end is when the last region completes.
func (p profile) end() time.Duration {
	var e time.Duration
	for _, c := range p.regions {
		e = max(e, c.delay+c.d)
	}
	return e
}

// statuses is what a read at elapsed time el returns: integer progress, as Azure reports it.
func (p profile) statuses(el time.Duration) (regions []RegionStatus, pending bool) {
	for i, c := range p.regions {
		r := RegionStatus{Name: fmt.Sprintf("region%d", i), State: "Replicating"}
		switch x := float64(el-c.delay) / float64(c.d); {
		case el >= c.delay+c.d:
			r.State, r.Progress = "Completed", 100
		case x <= 0:
			pending = true
		default:
			r.Progress = int32(min(99, math.Floor(100*c.f(x))))
			pending = true
		}
		regions = append(regions, r)
	}
	return regions, pending
}

// outcome is how a wait went on a profile: how late it noticed the end and how many reads it made.
type outcome struct {
	overshoot time.Duration
	reads     int
}

// runProfile drives the wait's scheduler (the predictor) against a profile on a fake clock: read,
// observe, sleep what next() says, until a read shows every region final. Nothing really sleeps.
func runProfile(p profile, opts WaitOptions) outcome {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	pr := newPredictor(t0, opts)
	now := t0
	for reads := 1; reads < 100000; reads++ {
		regions, pending := p.statuses(now.Sub(t0))
		if !pending {
			return outcome{overshoot: now.Sub(t0) - p.end(), reads: reads}
		}
		pr.observe(now, regions)
		now = now.Add(pr.next(now))
	}
	return outcome{overshoot: time.Duration(math.MaxInt64), reads: 100000}
}

// oversleepBound is the promise: the wait notices the end within max(2 s, 2%) of the
// replication time.
func oversleepBound(d time.Duration) time.Duration { return max(2*time.Second, d/50) }

// maxReadsPerHour bounds the ARM reads of a wait, as reads per hour of waiting (a short wait may use up
// to maxReadsShort reads in all).
const (
	maxReadsPerHour = 150
	maxReadsShort   = 60
)

// TestPredictorProfiles asserts the oversleep bound and the read budget on every progress profile, for
// replications of one minute, ten minutes and an hour.
func TestPredictorProfiles(t *testing.T) {
	for _, d := range []time.Duration{30 * time.Second, time.Minute, 137 * time.Second, 10 * time.Minute, time.Hour, 3 * time.Hour} {
		for _, p := range profiles(d) {
			t.Run(fmt.Sprintf("%s/%s", d, p.name), func(t *testing.T) {
				o := runProfile(p, WaitOptions{})
				total := p.end()
				if o.overshoot < 0 || o.overshoot > oversleepBound(total) {
					t.Errorf("noticed the end %s after it; the bound is %s", o.overshoot, oversleepBound(total))
				}
				budget := max(maxReadsShort, int(math.Ceil(maxReadsPerHour*total.Hours())))
				if o.reads > budget {
					t.Errorf("%d reads; the budget is %d", o.reads, budget)
				}
				t.Logf("overshoot %s (bound %s), %d reads (%.0f per hour)", o.overshoot, oversleepBound(total), o.reads, float64(o.reads)/total.Hours())
			})
		}
	}
}

// TestPredictorProfilesSweep checks the same bounds on every profile at 279 durations from 3 s to 4 h
// (3% apart), so no duration happens to line the reads up well.
func TestPredictorProfilesSweep(t *testing.T) {
	worst := map[string]float64{}
	for d := 3 * time.Second; d < 4*time.Hour; d = d * 103 / 100 {
		for _, p := range profiles(d) {
			o := runProfile(p, WaitOptions{})
			total := p.end()
			if o.overshoot < 0 || o.overshoot > oversleepBound(total) {
				t.Errorf("%s, %s: noticed the end %s after it; the bound is %s", p.name, d, o.overshoot, oversleepBound(total))
			}
			if budget := max(maxReadsShort, int(math.Ceil(maxReadsPerHour*total.Hours()))); o.reads > budget {
				t.Errorf("%s, %s: %d reads; the budget is %d", p.name, d, o.reads, budget)
			}
			worst[p.name] = max(worst[p.name], float64(o.overshoot)/float64(oversleepBound(total)))
		}
	}
	t.Logf("worst overshoot as a share of the bound: %v", worst)
}

// BenchmarkPredictorProfiles reports, per profile of a ten-minute and a one-hour replication, how long
// after the end the wait noticed it and how many ARM reads it made per hour of waiting.
func BenchmarkPredictorProfiles(b *testing.B) {
	for _, d := range []time.Duration{10 * time.Minute, time.Hour} {
		for _, p := range profiles(d) {
			b.Run(fmt.Sprintf("%s/%s", d, p.name), func(b *testing.B) {
				var o outcome
				for i := 0; i < b.N; i++ {
					o = runProfile(p, WaitOptions{})
				}
				b.ReportMetric(o.overshoot.Seconds(), "overshoot-s")
				b.ReportMetric(100*o.overshoot.Seconds()/p.end().Seconds(), "overshoot-%")
				b.ReportMetric(float64(o.reads), "reads")
				b.ReportMetric(float64(o.reads)/p.end().Hours(), "reads/h")
				bound := max(2*time.Second, p.end()/50)
				benchutil.Emit(b.Logf, benchutil.Row{Section: "predictor", What: fmt.Sprintf("wait overshoot past the end, %s replication, %s profile (fake clock; reads of progress)", d, p.name),
					Measured: fmt.Sprintf("%.2f s, %d reads", o.overshoot.Seconds(), o.reads), Baseline: "—",
					Ratio: fmt.Sprintf("%.2f of the bound", o.overshoot.Seconds()/bound.Seconds()), Goal: "≤ max(2 s, 2%)",
					Verdict: benchutil.Verdict(o.overshoot <= bound), Rounds: 1, LoadBefore: "deterministic", LoadAfter: "deterministic"})
			})
		}
	}
}
