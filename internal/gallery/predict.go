package gallery

import (
	"strings"
	"time"
)

// WaitOptions tune how the version's replication wait polls. Zero values take the defaults.
type WaitOptions struct {
	// MinInterval is the shortest gap between two progress reads (default 500ms).
	MinInterval time.Duration
	// MaxInterval is the longest gap, so progress still shows on long replications (default 2m).
	MaxInterval time.Duration
	// FirstInterval is the gap before the first reads, while nothing predicts the end, and the shortest
	// cap on a sleep early in the wait (default 2s: profile_test.go's sweep from 3 s to 4 h stays within
	// 0.6 of the oversleep bound, while 2.5s reaches it on short replications; 1s cost two more reads
	// per publish).
	FirstInterval time.Duration
}

func (w WaitOptions) withDefaults() WaitOptions {
	if w.MinInterval <= 0 {
		w.MinInterval = 500 * time.Millisecond
	}
	if w.MaxInterval <= 0 {
		w.MaxInterval = 2 * time.Minute
	}
	if w.FirstInterval <= 0 {
		w.FirstInterval = 2 * time.Second
	}
	return w
}

// elapsedCap is the longest sleep as a share of the time waited so far: a curve that changes pace (a
// stall that ends, a slow start that speeds up) is seen within a quarter of the elapsed time.
const elapsedCap = 4

// predictor schedules the progress reads of a replication. It polls rarely while the end is far and
// tightly near it, using each region's reported progress to predict the end.
//
// Progress is an integer percentage whose pace Azure does not promise: it may be linear, start slowly,
// stall, or follow an S-curve. For each region the predictor keeps the reads where the progress moved
// and estimates three paces: the long-run one (since the PUT, or the first read with progress), the
// recent one (over the last eighth of the wait) and the latest move (since the last read below the
// current progress). The fastest, taken at its upper bound (the true progress may be up to one point
// above the reported one), gives the earliest plausible end. While the long-run and recent paces agree
// (within what whole points explain), progress is steady and the predictor sleeps to just before that
// end, as for linear progress; when the pace has changed it halves the distance to the end on each
// read, so an accelerating copy cannot be overslept by more than the last, short step. A move much
// faster than the one before (a burst after a crawl or a stall) is probed with a read a quarter of that
// move later, to measure the new pace. No sleep exceeds a quarter of the time waited so far, so a change
// of pace is noticed. Reads grow with the logarithm of the duration and not with the number of regions,
// since one read returns them all. profile_test.go measures all this on a fake clock.
type predictor struct {
	opts WaitOptions
	// start anchors the prediction at 0%; zero when unknown (a resumed version without a publish date).
	start time.Time
	// hist holds each region's reads where its progress moved (the first read at each value).
	hist map[string][]sample
	// moves is each region's pace over its last move, to see a jump in pace; probe, when set, is a
	// short sleep that measures a pace that just jumped.
	moves map[string]rate
	probe time.Duration
	// low is the earliest plausible end given the reads; est is the best guess, for the ETA shown.
	low, est time.Time
	known    bool
	// steady is set while every pending region's recent pace agrees with its long-run pace.
	steady bool
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
	return &predictor{opts: opts.withDefaults(), start: start, hist: map[string][]sample{}, moves: map[string]rate{}}
}

// observe records a read of the regions at now.
func (pr *predictor) observe(now time.Time, regions []RegionStatus) {
	var low, est time.Time
	known, confident, steady := true, true, true
	pending := 0
	pr.probe = 0
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
		f, ok := pr.predictRegion(r.Name, now, p)
		confident = confident && f.twoPoint
		steady = steady && f.steady
		if f.probe > 0 && (pr.probe == 0 || f.probe < pr.probe) {
			pr.probe = f.probe
		}
		if !ok {
			known = false
			continue
		}
		if f.low.After(low) {
			low = f.low
		}
		if f.est.After(est) {
			est = f.est
		}
	}
	pr.known = known && pending > 0
	pr.confident = confident && pr.known
	pr.steady = steady
	if pr.known {
		pr.low, pr.est = low, est
	}
}

// forecast is one region's prediction.
type forecast struct {
	// low is the earliest plausible end, est the expected one.
	low, est time.Time
	// twoPoint says the region has two reads with progress; steady that its pace has not changed.
	twoPoint, steady bool
	// probe is set when the pace just jumped: the next read comes this soon, to measure the new pace.
	probe time.Duration
}

// predictRegion records a read of one region and predicts its end.
func (pr *predictor) predictRegion(name string, now time.Time, p float64) (forecast, bool) {
	h := pr.hist[name]
	if len(h) == 0 || h[len(h)-1].p != p {
		h = append(h, sample{t: now, p: p})
		pr.hist[name] = h
	}
	f := forecast{twoPoint: len(h) > 1 || h[0].t.Before(now), steady: true}
	anchor := h[0]
	if !pr.start.IsZero() {
		anchor = sample{t: pr.start}
	}
	long, ok := pace(anchor, now, p)
	if !ok {
		return f, false
	}
	// The recent pace: from the latest read that is at least an eighth of the wait old.
	recent := long
	gap := now.Sub(anchor.t) / 8
	for i := len(h) - 1; i >= 0; i-- {
		if now.Sub(h[i].t) >= gap {
			if r, ok := pace(h[i], now, p); ok {
				recent = r
			}
			break
		}
	}
	// The latest move: from the last read below the current progress, however recent. It sees a burst
	// at once; whole points make it noisy, which only shortens the sleeps.
	latest := recent
	for i := len(h) - 1; i >= 0; i-- {
		if h[i].p < p {
			if r, ok := pace(h[i], now, p); ok {
				latest = r
				f.probe = pr.jumped(name, h[i], now, r)
			}
			break
		}
	}
	fast := long
	for _, r := range []rate{recent, latest} {
		if r.fastest > fast.fastest {
			fast = r
		}
	}
	f.steady = recent.consistent(long)
	f.low = now.Add(seconds(max(99-p, 0) / fast.fastest))
	f.est = now.Add(seconds((99.5 - p) / fast.likely))
	return f, true
}

// jumpRatio is how much faster than the move before a move must be to count as a jump in pace.
const jumpRatio = 1.5

// jumped records the pace of a region's move that ended now and, when it is much faster than the move
// before, returns a short probe: the jump happened somewhere in the move, so its pace understates the new
// one, and a read soon measures it. Zero otherwise.
func (pr *predictor) jumped(name string, from sample, now time.Time, r rate) time.Duration {
	h := pr.hist[name]
	if !h[len(h)-1].t.Equal(now) {
		return 0 // no move at this read
	}
	prev, had := pr.moves[name]
	pr.moves[name] = r
	if had && r.slowest > jumpRatio*prev.fastest {
		return now.Sub(from.t) / 4
	}
	return 0
}

// rate is a pace in points per second. Both reads are whole points below the truth by less than one,
// so the true pace lies between slowest and fastest; likely is the middle.
type rate struct{ slowest, likely, fastest float64 }

// pace is the progress rate from a past read to the current one.
func pace(from sample, now time.Time, p float64) (rate, bool) {
	el := now.Sub(from.t).Seconds()
	if el <= 0 || p < from.p {
		return rate{}, false
	}
	return rate{slowest: max(p-1-from.p, 0) / el, likely: (p + 0.5 - from.p) / el, fastest: (p + 1 - from.p) / el}, true
}

// steadyTolerance is how far two paces may differ, beyond what whole points explain, and still count
// as one pace.
const steadyTolerance = 0.15

// consistent reports whether one constant pace (within steadyTolerance) explains both r and o.
func (r rate) consistent(o rate) bool {
	return r.slowest <= o.fastest*(1+steadyTolerance) && o.slowest <= r.fastest*(1+steadyTolerance)
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
		d = pr.towardsEnd(pr.low.Sub(now))
		if pr.probe > 0 {
			d = min(d, pr.probe)
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
	if el := pr.elapsed(now); el > 0 && pr.known {
		d = min(d, max(el/elapsedCap, o.FirstInterval))
	}
	return min(max(d, o.MinInterval), o.MaxInterval)
}

// towardsEnd is the sleep when the earliest plausible end is r away.
func (pr *predictor) towardsEnd(r time.Duration) time.Duration {
	o := pr.opts
	// Near the end, step just past the bound.
	margin := max(r/10, time.Second)
	if r <= 2*margin {
		return r + o.MinInterval/2
	}
	if pr.steady {
		// Steady pace: the bound holds, so sleep to just before it.
		return r - margin
	}
	// The pace changed: halve the distance, so the last step is short.
	return r / 2
}

func (pr *predictor) elapsed(now time.Time) time.Duration {
	if !pr.start.IsZero() {
		return now.Sub(pr.start)
	}
	if pr.first.IsZero() {
		return 0
	}
	return now.Sub(pr.first)
}

// eta is the expected end, when known.
func (pr *predictor) eta() (time.Time, bool) { return pr.est, pr.known }

func isFinalRegion(state string) bool {
	return strings.EqualFold(state, "Completed") || strings.EqualFold(state, "Failed")
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
