package gallery

import (
	"strings"
	"time"
)

// predictor schedules the progress reads of a replication. It polls rarely while the end is far and
// tightly near it, using each region's reported progress to predict the end.
//
// Progress is an integer percentage that grows about linearly. If a region went from p1% at t1 to
// p2% at t2, its true progress rose by less than p2+1-p1 points, so it cannot finish before
// t2 + (99-p2)/((p2+1-p1)/(t2-t1)). Sleeping until that lower bound (less a margin) never oversleeps
// the end, and each read tightens it: reads grow with the logarithm of the duration, and not at all
// with the number of regions, since one read returns them all. The start of the PUT serves as a first
// reading of 0%, so a prediction exists from the first read with progress.
type predictor struct {
	opts WaitOptions
	// start anchors the prediction at 0%; zero when unknown (a resumed version without a publish date).
	start time.Time
	// anchors are each region's first read with progress.
	anchors map[string]sample
	// low is the earliest possible end given the reads; est is the best guess, for the ETA shown.
	low, est time.Time
	known    bool
	// confident is set once every pending region has two reads with progress, so a late start of
	// the copy cannot fool the start-anchored bound.
	confident bool
	// first is the time of the first read with any progress.
	first time.Time
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
	known, confident := true, true
	pending := 0
	for _, r := range regions {
		if isFinalRegion(r.State) {
			continue
		}
		pending++
		p := float64(r.Progress)
		if p <= 0 {
			known, confident = false, false
			continue
		}
		if pr.first.IsZero() {
			pr.first = now
		}
		l, e, twoPoint, ok := pr.predictRegion(r.Name, now, p)
		confident = confident && twoPoint
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
	pr.known = known && pending > 0
	pr.confident = confident && pr.known
	if pr.known {
		pr.low, pr.est = low, est
	}
}

// predictRegion returns the earliest possible end and the expected end of one region, and whether a
// two-read prediction was available.
func (pr *predictor) predictRegion(name string, now time.Time, p float64) (low, est time.Time, twoPoint, ok bool) {
	a, seen := pr.anchors[name]
	if !seen {
		pr.anchors[name] = sample{t: now, p: p}
	}
	bound := func(anchor sample) (time.Time, time.Time, bool) {
		elapsed := now.Sub(anchor.t).Seconds()
		if elapsed <= 0 || p <= anchor.p {
			return time.Time{}, time.Time{}, false
		}
		fastest := (p + 1 - anchor.p) / elapsed
		likely := (p + 0.5 - anchor.p) / elapsed
		l := now.Add(seconds((99 - p) / fastest))
		if p >= 99 {
			l = now
		}
		return l, now.Add(seconds((99.5 - p) / likely)), true
	}
	if seen {
		if l, e, good := bound(a); good {
			low, est, twoPoint, ok = l, e, true, true
		}
	}
	if !pr.start.IsZero() {
		if l, e, good := bound(sample{t: pr.start}); good {
			if !ok || l.Before(low) {
				low = l
			}
			if !twoPoint || p-a.p < 5 {
				est = e
			}
			ok = true
		}
	}
	return low, est, twoPoint, ok
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
		if !pr.confident {
			// One read per region so far: a copy that started late would make the start-anchored
			// bound too far, so look again soon to get a second reading.
			d = min(d, max(o.FirstInterval, now.Sub(pr.first)))
		}
		pr.overdueReads = 0
	default:
		// Past the earliest end: the reads' 1% granularity cannot say more, so poll briskly, but no
		// more often than 1% of the elapsed time needs.
		d = min(o.MinInterval<<min(pr.overdueReads, 16), max(o.MinInterval, pr.elapsed(now)/100))
		pr.overdueReads++
	}
	return min(max(d, o.MinInterval), o.MaxInterval)
}

func (pr *predictor) elapsed(now time.Time) time.Duration {
	if !pr.start.IsZero() {
		return now.Sub(pr.start)
	}
	return now.Sub(pr.first)
}

// eta is the expected end, when known.
func (pr *predictor) eta() (time.Time, bool) { return pr.est, pr.known }

func isFinalRegion(state string) bool {
	return strings.EqualFold(state, "Completed") || strings.EqualFold(state, "Failed")
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
