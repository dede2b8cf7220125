package gallery

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Lifecycle steers what a publish does to the definition's other versions once the new one has fully
// replicated: retention (delete or end-of-life the superseded ones) and demotion (shrink their regions).
// The zero value does nothing.
type Lifecycle struct {
	// KeepVersions keeps the newest N versions this plugin published and deletes the older ones (0 = keep all).
	KeepVersions int
	// EndOfLifeSuperseded sets the end of life of superseded versions to now + this, instead of deleting them.
	EndOfLifeSuperseded time.Duration
	// DryRun reports the retention and demotion plan without acting on it.
	DryRun bool
	// DemoteTo lists the regions superseded versions shrink to; DemoteToSourceRegion adds each version's own
	// region (which Azure requires anyway). Demotion is on when either is set.
	DemoteTo             []string
	DemoteToSourceRegion bool
	// VersionQuota is the largest number of versions the definition may hold (0 = DefaultVersionQuota).
	VersionQuota int
	// RunID identifies this publish in the version's RunIDTagKey tag ("" = generated).
	RunID string
	// Major is version_major: when set, retention and demotion count and touch only versions of that
	// major (a line); nil counts every major. Publish copies it from Request.Version.Major.
	Major *int32
	// RecoverableDays is how long a deleted version stays recoverable (the gallery's soft delete; 0 =
	// deletions are permanent). Publish sets it from what it observed.
	RecoverableDays int32
}

// DefaultVersionQuota is Azure's default limit of image versions per subscription and region.
const DefaultVersionQuota = 10000

// ExcludedTagKey records whether this plugin published the version excluded from latest, so retention can
// tell a version someone else excluded later (which it leaves alone).
const ExcludedTagKey = "packer-plugin-azure-gallery-excluded"

// demotes says whether demotion is configured.
func (l Lifecycle) demotes() bool { return len(l.DemoteTo) > 0 || l.DemoteToSourceRegion }

// active says whether anything happens after the publish.
func (l Lifecycle) active() bool {
	return l.KeepVersions > 0 || l.EndOfLifeSuperseded > 0 || l.demotes()
}

// RetentionPlan is what happens to the superseded versions; plain data from PlanRetention.
type RetentionPlan struct {
	// Delete lists the versions to delete, oldest first.
	Delete []string
	// EndOfLife lists the versions whose end of life is set to EndOfLifeAt.
	EndOfLife   []string
	EndOfLifeAt time.Time
	// Demote lists the versions to shrink, with the regions they keep.
	Demote []Demotion
	// Skipped explains each superseded version left alone.
	Skipped []string
	// Failed lists what could not be done, with Azure's reason (filled while acting).
	Failed []string
	// RecoverableDays is how long the deleted versions stay recoverable (0 = permanent; softdelete.go).
	RecoverableDays int32
}

// Demotion is one version shrunk to fewer regions.
type Demotion struct {
	Version string
	// Keep are the regions the version keeps; Remove the ones it loses.
	Keep, Remove []string
}

// Empty says whether the plan does nothing.
func (r RetentionPlan) Empty() bool {
	return len(r.Delete) == 0 && len(r.EndOfLife) == 0 && len(r.Demote) == 0 && len(r.Skipped) == 0
}

// retentionEntry is one version retention may consider, with its parsed number.
type retentionEntry struct {
	v   *ObservedVersion
	num Version
}

// inLine says whether a version number belongs to the line retention works on: the pinned major when
// Lifecycle.Major is set, every version otherwise.
func (l Lifecycle) inLine(n Version) bool { return l.Major == nil || n.Major == *l.Major }

// PlanRetention decides, from the definition's versions, what retention and demotion do after
// `published` has replicated. It only ever touches versions the plugin owns (MayWrite WriteRetire) that
// are in the published version's line (its major when version_major is set), lower than `published`,
// and have succeeded; never `published` itself, a version someone else excluded from latest, or a
// version whose deletion is blocked until a future end of life.
func PlanRetention(versions []*ObservedVersion, published string, lc Lifecycle, now time.Time) RetentionPlan {
	plan := RetentionPlan{}
	pub, err := ParseVersion(published)
	if err != nil {
		return plan
	}
	superseded, kept := supersededVersions(versions, pub, lc)
	removed := planPrune(&plan, superseded, kept, lc, now)
	if lc.demotes() {
		planDemotions(&plan, superseded, removed, lc)
	}
	return plan
}

// supersededVersions returns the owned versions of the line that are not newer than pub, newest first,
// and the ones keep_versions keeps. The published version takes the first kept slot, newer versions of
// the line from concurrent runs the next ones (they are never touched); the remaining slots go to the
// newest older versions.
func supersededVersions(versions []*ObservedVersion, pub Version, lc Lifecycle) ([]retentionEntry, map[string]bool) {
	var ours []retentionEntry
	for _, v := range versions {
		n, err := ParseVersion(v.Name)
		if err != nil || n == pub || !lc.inLine(n) || MayWrite(WriteRetire, v.Tags, lc.RunID) != nil {
			continue
		}
		ours = append(ours, retentionEntry{v, n})
	}
	slices.SortFunc(ours, func(a, b retentionEntry) int { return b.num.Compare(a.num) })
	slots := lc.KeepVersions - 1
	for _, e := range ours {
		if e.num.Compare(pub) > 0 {
			slots--
		}
	}
	var superseded []retentionEntry
	kept := map[string]bool{}
	for _, e := range ours {
		if e.num.Compare(pub) > 0 {
			continue
		}
		superseded = append(superseded, e)
		if slots > 0 {
			kept[e.v.Name] = true
			slots--
		}
	}
	return superseded, kept
}

// planPrune fills the deletions and ends of life, oldest first, and returns the versions demotion must
// leave alone.
func planPrune(plan *RetentionPlan, superseded []retentionEntry, kept map[string]bool, lc Lifecycle, now time.Time) map[string]bool {
	removed := map[string]bool{}
	if lc.KeepVersions <= 0 && lc.EndOfLifeSuperseded <= 0 {
		return removed
	}
	eolAt := now.Add(lc.EndOfLifeSuperseded).UTC().Truncate(time.Second)
	for i := len(superseded) - 1; i >= 0; i-- {
		v := superseded[i].v
		if kept[v.Name] {
			continue
		}
		if reason := untouchable(v, now); reason != "" {
			plan.Skipped = append(plan.Skipped, fmt.Sprintf("%s: %s", v.Name, reason))
			removed[v.Name] = true
			continue
		}
		if lc.EndOfLifeSuperseded > 0 {
			if v.EndOfLife != nil && !v.EndOfLife.After(eolAt) {
				continue // already ends sooner
			}
			plan.EndOfLife = append(plan.EndOfLife, v.Name)
			plan.EndOfLifeAt = eolAt
			continue
		}
		plan.Delete = append(plan.Delete, v.Name)
		removed[v.Name] = true
	}
	return removed
}

// planDemotions fills the demotions of the superseded versions not removed, oldest first.
func planDemotions(plan *RetentionPlan, superseded []retentionEntry, removed map[string]bool, lc Lifecycle) {
	for i := len(superseded) - 1; i >= 0; i-- {
		v := superseded[i].v
		if removed[v.Name] || !strings.EqualFold(v.ProvisioningState, "Succeeded") {
			continue
		}
		d, ok := planDemotion(v, lc)
		if !ok {
			continue
		}
		if v.AllowDeletionOfReplicatedLocations != nil && !*v.AllowDeletionOfReplicatedLocations {
			plan.Skipped = append(plan.Skipped, fmt.Sprintf("%s: allowDeletionOfReplicatedLocations is false, so its regions %s cannot be removed; not demoted",
				v.Name, strings.Join(d.Remove, ", ")))
			continue
		}
		plan.Demote = append(plan.Demote, d)
	}
}

// untouchable says why retention must leave a version alone ("" = it may act).
func untouchable(v *ObservedVersion, now time.Time) string {
	switch {
	case !strings.EqualFold(v.ProvisioningState, "Succeeded"):
		return fmt.Sprintf("it is %s, not Succeeded; left alone", orDefault(v.ProvisioningState, "in progress"))
	case v.ExcludeFromLatest && v.Tags[ExcludedTagKey] != "true":
		return "someone marked it exclude-from-latest after it was published; left alone"
	case v.BlockDeletionBeforeEndOfLife && v.EndOfLife != nil && v.EndOfLife.After(now):
		return fmt.Sprintf("its deletion is blocked until its end of life %s; left alone", v.EndOfLife.UTC().Format(time.RFC3339))
	}
	return ""
}

// planDemotion computes the regions a version keeps; false when it already has no others.
func planDemotion(v *ObservedVersion, lc Lifecycle) (Demotion, bool) {
	want := map[string]bool{NormalizeRegion(v.Location): true}
	for _, r := range lc.DemoteTo {
		want[NormalizeRegion(r)] = true
	}
	d := Demotion{Version: v.Name}
	for _, r := range v.TargetRegions {
		if want[r.Name] {
			d.Keep = append(d.Keep, r.Name)
		} else {
			d.Remove = append(d.Remove, r.Name)
		}
	}
	return d, len(d.Remove) > 0 && len(d.Keep) > 0
}

// lines formats the plan for the user.
func (r RetentionPlan) lines() []string {
	var out []string
	for _, v := range r.Delete {
		out = append(out, fmt.Sprintf("delete %s (beyond keep_versions)", v))
	}
	for _, v := range r.EndOfLife {
		out = append(out, fmt.Sprintf("set the end of life of %s to %s", v, r.EndOfLifeAt.Format(time.RFC3339)))
	}
	for _, d := range r.Demote {
		out = append(out, fmt.Sprintf("demote %s to %s (removing %s)", d.Version, strings.Join(d.Keep, ", "), strings.Join(d.Remove, ", ")))
	}
	for _, s := range r.Skipped {
		out = append(out, "skip "+s)
	}
	return out
}
