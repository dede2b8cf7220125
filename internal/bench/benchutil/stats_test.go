package benchutil

import (
	"os"
	"slices"
	"testing"
)

func TestSummarize(t *testing.T) {
	if s := Summarize([]float64{3, 1, 2}); s != (Stats{1, 2, 3}) {
		t.Errorf("odd: %+v", s)
	}
	if s := Summarize([]float64{4, 1, 3, 2}); s != (Stats{1, 2.5, 4}) {
		t.Errorf("even: %+v", s)
	}
}

// TestRotate: every case runs once per round and each round starts one case later.
func TestRotate(t *testing.T) {
	var order []string
	Rotate(3, []func(int){func(int) { order = append(order, "A") }, func(int) { order = append(order, "B") }, func(int) { order = append(order, "C") }})
	if want := []string{"A", "B", "C", "B", "C", "A", "C", "A", "B"}; !slices.Equal(order, want) {
		t.Errorf("order %v, want %v", order, want)
	}
}

// TestVmHWMOfThisProcess: the watcher's reading of /proc is non-zero for a live process.
func TestVmHWMOfThisProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc")
	}
	if hwm := VmHWM(os.Getpid()); hwm <= 0 {
		t.Errorf("VmHWM = %d", hwm)
	}
}
