package arm

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Replication progress profiles: how a region's reported progress grows over its replication time.
// Every profile reaches 100% at the same end (regionDuration), so only the progress a client reads
// along the way differs; the state stays a pure function of the start time, the profile and now.
const (
	ProfileLinear    = "linear"     // progress proportional to time
	ProfileSlowStart = "slow_start" // t²: little progress early, fast at the end
	ProfileCubic     = "cubic"      // t³: even slower start
	ProfileSCurve    = "s_curve"    // 3t² − 2t³: slow, fast, slow
	ProfileStall     = "stall"      // linear to 50% by 35% of the time, flat until 65%, linear to the end
)

// Profiles lists the profile names, for validation and docs.
var Profiles = []string{ProfileLinear, ProfileSlowStart, ProfileCubic, ProfileSCurve, ProfileStall}

// ValidProfile reports whether name is a known profile ("" means linear).
func ValidProfile(name string) bool { return name == "" || slices.Contains(Profiles, name) }

// profileFraction maps the elapsed fraction t (0..1) of a replication to its reported progress (0..1).
func profileFraction(profile string, t float64) float64 {
	t = math.Max(0, math.Min(1, t))
	switch profile {
	case ProfileSlowStart:
		return t * t
	case ProfileCubic:
		return t * t * t
	case ProfileSCurve:
		return t * t * (3 - 2*t)
	case ProfileStall:
		switch {
		case t < 0.35:
			return t / 0.35 * 0.5
		case t < 0.65:
			return 0.5
		default:
			return 0.5 + (t-0.65)/0.35*0.5
		}
	}
	return t
}

// ReplicationProfileRule gives versions that start replicating afterwards in Region ("" = every region)
// the progress Profile. Count limits how many versions it hits (0 = unlimited).
type ReplicationProfileRule struct {
	Region  string `json:"region,omitempty"`
	Profile string `json:"profile"`
	Count   int    `json:"count,omitempty"`
	Hits    int    `json:"hits,omitempty"`
}

// AddReplicationProfile installs a profile rule for versions created or updated afterwards; the
// newest matching rule wins over the configured profile.
func (s *Service) AddReplicationProfile(r ReplicationProfileRule) error {
	if !ValidProfile(r.Profile) {
		return fmt.Errorf("profile %q: use one of %s", r.Profile, strings.Join(Profiles, ", "))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r.Region = normalizeRegion(r.Region)
	r.Hits = 0
	s.touchRules()
	s.st.Profiles = append(s.st.Profiles, r)
	return s.save()
}

// profileFor picks the profile of a region starting replication now: the newest matching rule with
// hits left (counting the hit), else the configured per-region or default profile.
func (s *Service) profileFor(region string) string {
	for i := len(s.st.Profiles) - 1; i >= 0; i-- {
		r := &s.st.Profiles[i]
		if r.Region != "" && r.Region != region || r.Count > 0 && r.Hits >= r.Count {
			continue
		}
		s.touchRules()
		r.Hits++
		return r.Profile
	}
	if p, ok := s.opts.Replication.RegionProfile[region]; ok {
		return p
	}
	return s.opts.Replication.Profile
}
