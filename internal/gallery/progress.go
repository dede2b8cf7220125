package gallery

import (
	"fmt"
	"strings"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
)

// progressReporter prints a version's per-region replication, only what changed since the last read,
// and an estimate of the time left once progress allows one.
type progressReporter struct {
	ui      Reporter
	version string
	last    map[string]RegionStatus
	// shownETA is the last estimate printed; a new one prints only when it moves noticeably.
	shownETA time.Time
}

func newProgressReporter(ui Reporter, version string) *progressReporter {
	return &progressReporter{ui: ui, version: version, last: map[string]RegionStatus{}}
}

// update prints, on one line, the regions whose state or progress changed since the last read, and
// each failed region on its own line with Azure's details. It returns how many regions it reported.
func (pr *progressReporter) update(regions []RegionStatus) int {
	var changed []string
	n := 0
	for _, r := range regions {
		old, seen := pr.last[r.Name]
		if seen && old.State == r.State && old.Progress == r.Progress && old.Details == r.Details {
			continue
		}
		pr.last[r.Name] = r
		n++
		if strings.EqualFold(r.State, "Failed") {
			pr.ui.Error(fmt.Sprintf("  %s: replication of %s failed: %s", r.Name, pr.version, orDefault(r.Details, "Azure gave no details")))
			continue
		}
		changed = append(changed, fmt.Sprintf("%s %s %d%%", r.Name, orDefault(r.State, "Unknown"), r.Progress))
	}
	if len(changed) > 0 {
		pr.ui.Message(fmt.Sprintf("  %s: %s", pr.version, strings.Join(changed, ", ")))
	}
	return n
}

// eta prints the expected end when first known, and again when it moves by more than a fifth of the
// time left (at least 10s).
func (pr *progressReporter) eta(now, eta time.Time) bool {
	left := eta.Sub(now)
	if left <= 0 {
		return false
	}
	if !pr.shownETA.IsZero() {
		shift := eta.Sub(pr.shownETA)
		if shift < 0 {
			shift = -shift
		}
		if shift < max(left/5, 10*time.Second) {
			return false
		}
	}
	pr.shownETA = eta
	pr.ui.Message(fmt.Sprintf("Replication of %s: about %s left (expected at %s).", pr.version, left.Round(time.Second), eta.UTC().Format("15:04:05Z")))
	return true
}

// throttled prints, on the progress output, that Azure throttles a call and until when the publish
// waits before sending it again (the session's throttle policy honours a Retry-After that fits in the
// timeout; one that does not fails the publish with a message naming it).
func (p *Publisher) throttled(th azure.Throttle) { p.ui.Message("  " + th.String()) }
