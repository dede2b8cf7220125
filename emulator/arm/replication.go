package arm

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"
)

// regionReplication is the plan of one target region of a version: when it started and how many
// replicas it copies. Its state at any time is computed by regionStateAt, never ticked.
type regionReplication struct {
	Region      string    `json:"region"`
	Start       time.Time `json:"start"`
	Replicas    int       `json:"replicas"`
	FailDetails string    `json:"failDetails,omitempty"`
	// Profile is the progress profile chosen when the region started ("" = linear).
	Profile string `json:"profile,omitempty"`
}

const gib = 1 << 30

// regionStatus is one entry of replicationStatus.summary.
type regionStatus struct {
	Region   string
	State    string // Unknown, Replicating, Completed, Failed
	Progress int
	Details  string
	End      time.Time
}

// regionDuration is how long a region takes: its delay plus SecondsPerGiB per GiB per replica.
func regionDuration(m ReplicationModel, region string, sizeBytes int64, replicas int) time.Duration {
	delay := m.RegionBaseDelay
	if d, ok := m.RegionDelay[region]; ok {
		delay = d
	}
	gibs := float64(sizeBytes) / gib
	copyTime := time.Duration(m.SecondsPerGiB * gibs * float64(max(replicas, 1)) * float64(time.Second))
	return delay + copyTime
}

// regionStateAt is the pure function at the heart of replication: the state of a region at now.
// A failing region fails halfway through.
func regionStateAt(m ReplicationModel, rr regionReplication, sizeBytes int64, now time.Time) regionStatus {
	d := regionDuration(m, rr.Region, sizeBytes, rr.Replicas)
	st := regionStatus{Region: rr.Region}
	elapsed := now.Sub(rr.Start)
	if elapsed < 0 {
		st.State = "Unknown"
		return st
	}
	if rr.FailDetails != "" && elapsed >= d/2 {
		st.State, st.Progress, st.Details, st.End = "Failed", 50, rr.FailDetails, rr.Start.Add(d/2)
		return st
	}
	if elapsed >= d {
		st.State, st.Progress, st.End = "Completed", 100, rr.Start.Add(d)
		return st
	}
	st.State = "Replicating"
	st.Progress = min(99, int(100*profileFraction(rr.Profile, float64(elapsed)/float64(d))))
	return st
}

// replicationAggregate is a version's replication at a time.
type replicationAggregate struct {
	State     string // InProgress, Completed, Failed
	Regions   []regionStatus
	End       time.Time
	Err       *apiError
	Remaining time.Duration
}

func (s *Service) replicationOf(res *resource, now time.Time) replicationAggregate {
	agg := replicationAggregate{State: "Completed"}
	for _, rr := range res.Meta.Replication {
		st := regionStateAt(s.opts.Replication, rr, res.Meta.SizeBytes, now)
		agg.Regions = append(agg.Regions, st)
		switch st.State {
		case "Failed":
			if agg.State != "Failed" {
				agg.State, agg.End = "Failed", st.End
				agg.Err = newError(http.StatusConflict, "CrpPirReplicationJobsNotCompleted", "",
					"Replication job not completed at region: %s. Details: %s", rr.Region, st.Details)
			}
		case "Completed":
			if st.End.After(agg.End) && agg.State != "Failed" {
				agg.End = st.End
			}
		default:
			if agg.State == "Completed" {
				agg.State = "InProgress"
			}
			left := rr.Start.Add(regionDuration(s.opts.Replication, rr.Region, res.Meta.SizeBytes, rr.Replicas)).Sub(now)
			agg.Remaining = max(agg.Remaining, left)
		}
	}
	return agg
}

// versionState is a version's provisioningState.
func (s *Service) versionState(res *resource, now time.Time) string {
	if res.Meta.Failure != nil {
		return s.simpleState(res, now)
	}
	switch s.replicationOf(res, now).State {
	case "Completed":
		return "Succeeded"
	case "Failed":
		return "Failed"
	}
	if res.Meta.WriteState == "" {
		return "Creating"
	}
	return res.Meta.WriteState
}

// replicationStatusBody renders replicationStatus as GalleryRP does under $expand=ReplicationStatus.
func (s *Service) replicationStatusBody(res *resource, now time.Time) map[string]any {
	agg := s.replicationOf(res, now)
	summary := []any{}
	for _, r := range agg.Regions {
		summary = append(summary, map[string]any{"region": regionDisplayName(r.Region), "state": r.State, "details": r.Details, "progress": r.Progress})
	}
	state := agg.State
	if res.Meta.Failure != nil && !now.Before(res.Meta.ReadyAt) {
		state = "Failed"
	}
	if len(agg.Regions) == 0 {
		state = "Unknown"
	}
	return map[string]any{"aggregatedState": state, "summary": summary}
}

// injectFailure applies the first matching failure rule to a region starting replication, counting
// the hit so Count-limited rules run out.
func (s *Service) injectFailure(region string) string {
	for i, f := range s.st.Failures {
		if f.Region != region {
			continue
		}
		if f.Count > 0 && s.st.FailureHits[i] >= f.Count {
			continue
		}
		if f.Probability > 0 && rand.Float64() >= f.Probability {
			continue
		}
		s.touchRules()
		s.st.FailureHits[i]++
		if f.Details == "" {
			return fmt.Sprintf("Injected replication failure in %s.", region)
		}
		return f.Details
	}
	return ""
}
