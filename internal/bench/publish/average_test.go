package publish

import (
	"math"
	"testing"
)

// TestFixedAverage: a fixed poller at a uniformly random phase waits T/2 past the end on average, and
// makes the PUT, about D/T polls (plus the one that sees the end) and the final GET.
func TestFixedAverage(t *testing.T) {
	for _, c := range []struct{ d, t, over, req float64 }{{60, 10, 5, 9}, {60, 30, 15, 5}, {20, 30, 15, 3 + 2.0/3}} {
		over, req := fixedAverage(c.d, c.t)
		if math.Abs(over-c.over) > 0.01 || math.Abs(req-c.req) > 0.01 {
			t.Errorf("D=%g T=%g: overshoot %.3f requests %.3f; want %g %g", c.d, c.t, over, req, c.over, c.req)
		}
	}
}
