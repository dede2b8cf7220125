package gallery

import (
	"strings"
	"time"
)

// predictor schedules the progress reads of a replication. It polls rarely while the end is far and
// tightly near it, using each region's reported progress to predict the end.
//
// Progress is an integer percentage that grows about linearly from the start of the PUT. If a
// region reports p% at time t, its true fraction is below p+1%, so it cannot finish before
// start + (t-start)·100/(p+1): sleeping until that lower bound never oversleeps the end, and each
// read tightens the bound. Requests therefore grow with the logarithm of the duration, not with
// the number of regions (one read returns all regions).
type predictor struct {
	opts WaitOptions
	// start anchors the prediction at 0%; zero when unknown (a resumed version without a publish date).
	start time.Time
	// anchors are per-region first reads with progress, used when start is unknown.
	anchors map[string]sample
	// low is the earliest possible end given the last read; est is the best guess, for the ETA shown.
	low, est time.Time
	known    bool
	// unknownReads and overdueReads drive the back-off while nothing predicts the end, and after the
	// predicted end has passed.
	unknownReads, overdueReads int
}

type sample struct {
	t time.Time
	p float64
}

func newPredictor(start time.Time, opts WaitOptions) *predictor {
	return &predictor{opts: opts.withDefaults(), start: start, anchors: map[string]sample{}}
}

// observe records a read of the regions at now.
func (pr *predictor) observe(now time.Time, regions []RegionStatus) {
	var low, est time.Time
	known := true
	pending := 0
	for _, r := range regions {
		if isFinalRegion(r.State) {
			continue
		}
		pending++
		p := float64(r.Progress)
		if p <= 0 {
			known = false
			continue
		}
		l, e, ok := pr.predictRegion(r.Name, now, p)
		if !ok {
			known = false
			continue
		}
		if l.After(low) {
			low = l
		}
		if e.After(est) {
			est = e
		}
	}
	wasKnown := pr.known
	pr.known = known && pending > 0
	if pr.known {
		if wasKnown && low.Before(pr.low) {
			low = pr.low // the bound only tightens
		}
		pr.low, pr.est = low, est
	}
}

// predictRegion returns the earliest possible end and the expected end of one region.
func (pr *predictor) predictRegion(name string, now time.Time, p float64) (low, est time.Time, ok bool) {
	anchor := sample{t: pr.start}
	if pr.start.IsZero() {
		a, seen := pr.anchors[name]
		if !seen {
			pr.anchors[name] = sample{t: now, p: p}
			return time.Time{}, time.Time{}, false
		}
		anchor = a
	}
	elapsed := now.Sub(anchor.t).Seconds()
	if elapsed <= 0 || p <= anchor.p {
		return time.Time{}, time.Time{}, false
	}
	// Fastest rate consistent with the reads: the true progress is below p+1.
	fastest := (p + 1 - anchor.p) / elapsed
	likely := (p + 0.5 - anchor.p) / elapsed
	low = now.Add(seconds((99 - p) / fastest))
	if p >= 99 {
		low = now
	}
	est = now.Add(seconds((99.5 - p) / likely))
	return low, est, true
}

// next returns how long to sleep before the next read.
func (pr *predictor) next(now time.Time) time.Duration {
	o := pr.opts
	var d time.Duration
	switch {
	case !pr.known:
		d = o.FirstInterval << min(pr.unknownReads, 16)
		pr.unknownReads++
	case pr.low.After(now):
		r := pr.low.Sub(now)
		// Keep a margin for progress that is not quite linear; near the end, step just past the bound.
		margin := max(r/10, time.Second)
		if r <= 2*margin {
			d = r + o.MinInterval/2
		} else {
			d = r - margin
		}
		pr.overdueReads = 0
	default:
		d = o.MinInterval << min(pr.overdueReads, 16)
		pr.overdueReads++
	}
	return min(max(d, o.MinInterval), o.MaxInterval)
}

// eta is the expected end, when known.
func (pr *predictor) eta() (time.Time, bool) { return pr.est, pr.known }

func isFinalRegion(state string) bool {
	return strings.EqualFold(state, "Completed") || strings.EqualFold(state, "Failed")
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
