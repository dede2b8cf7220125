package gallery

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestPlanRetention(t *testing.T) {
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	future, past := now.Add(48*time.Hour), now.Add(-48*time.Hour)
	ours := func(name string, mod ...func(*ObservedVersion)) *ObservedVersion {
		v := &ObservedVersion{Name: name, Location: "eastus", ProvisioningState: "Succeeded",
			Tags:          map[string]string{ManagedTagKey: ManagedTagValue, ExcludedTagKey: "false"},
			TargetRegions: []RegionResult{{Name: "eastus"}, {Name: "westus"}, {Name: "northeurope"}}}
		for _, m := range mod {
			m(v)
		}
		return v
	}
	foreign := func(name string) *ObservedVersion {
		v := ours(name)
		v.Tags = map[string]string{}
		return v
	}
	cases := []struct {
		name      string
		versions  []*ObservedVersion
		published string
		lc        Lifecycle
		want      RetentionPlan
		skipped   []string // substrings, one per skipped entry
	}{
		{name: "lifecycle off does nothing", versions: []*ObservedVersion{ours("1.0.0"), ours("1.0.1")}, published: "1.0.1"},
		{name: "keep 2 deletes the oldest of ours only", versions: []*ObservedVersion{ours("1.0.0"), foreign("0.9.0"), ours("1.0.1"), ours("1.0.2")}, published: "1.0.2",
			lc: Lifecycle{KeepVersions: 2}, want: RetentionPlan{Delete: []string{"1.0.0"}}},
		{name: "keep 1 deletes every older one, oldest first", versions: []*ObservedVersion{ours("1.0.10"), ours("1.0.9"), ours("1.0.11")}, published: "1.0.11",
			lc: Lifecycle{KeepVersions: 1}, want: RetentionPlan{Delete: []string{"1.0.9", "1.0.10"}}},
		{name: "never the published one even when it is not the highest", versions: []*ObservedVersion{ours("1.0.0"), ours("1.0.1"), ours("1.0.2")}, published: "1.0.1",
			lc: Lifecycle{KeepVersions: 1}, want: RetentionPlan{Delete: []string{"1.0.0"}}},
		{name: "a newer concurrent version takes a slot and is never touched", versions: []*ObservedVersion{ours("1.0.0"), ours("1.0.1"), ours("1.0.2")}, published: "1.0.1",
			lc: Lifecycle{KeepVersions: 2}, want: RetentionPlan{Delete: []string{"1.0.0"}}},
		{name: "a version still replicating is left alone", versions: []*ObservedVersion{ours("1.0.0", func(v *ObservedVersion) { v.ProvisioningState = "Creating" }), ours("1.0.1")}, published: "1.0.1",
			lc: Lifecycle{KeepVersions: 1}, skipped: []string{"1.0.0: it is Creating"}},
		{name: "excluded by someone else is left alone", versions: []*ObservedVersion{ours("1.0.0", func(v *ObservedVersion) { v.ExcludeFromLatest = true }), ours("1.0.1")}, published: "1.0.1",
			lc: Lifecycle{KeepVersions: 1}, skipped: []string{"someone marked it exclude-from-latest"}},
		{name: "excluded by us at publish is pruned", versions: []*ObservedVersion{ours("1.0.0", func(v *ObservedVersion) { v.ExcludeFromLatest = true; v.Tags[ExcludedTagKey] = "true" }), ours("1.0.1")}, published: "1.0.1",
			lc: Lifecycle{KeepVersions: 1}, want: RetentionPlan{Delete: []string{"1.0.0"}}},
		{name: "deletion blocked before a future end of life", versions: []*ObservedVersion{ours("1.0.0", func(v *ObservedVersion) { v.BlockDeletionBeforeEndOfLife = true; v.EndOfLife = &future }), ours("1.0.1")}, published: "1.0.1",
			lc: Lifecycle{KeepVersions: 1}, skipped: []string{"deletion is blocked until"}},
		{name: "blocked but end of life passed: deleted", versions: []*ObservedVersion{ours("1.0.0", func(v *ObservedVersion) { v.BlockDeletionBeforeEndOfLife = true; v.EndOfLife = &past }), ours("1.0.1")}, published: "1.0.1",
			lc: Lifecycle{KeepVersions: 1}, want: RetentionPlan{Delete: []string{"1.0.0"}}},
		{name: "end_of_life_superseded instead of deleting", versions: []*ObservedVersion{ours("1.0.0"), ours("1.0.1"), ours("1.0.2", func(v *ObservedVersion) { v.EndOfLife = &past })}, published: "1.0.3",
			lc: Lifecycle{EndOfLifeSuperseded: 30 * 24 * time.Hour}, want: RetentionPlan{EndOfLife: []string{"1.0.0", "1.0.1"}, EndOfLifeAt: now.Add(30 * 24 * time.Hour)}},
		{name: "demote the superseded to the source region", versions: []*ObservedVersion{ours("1.0.0"), ours("1.0.1")}, published: "1.0.1",
			lc: Lifecycle{DemoteToSourceRegion: true}, want: RetentionPlan{Demote: []Demotion{{Version: "1.0.0", Keep: []string{"eastus"}, Remove: []string{"westus", "northeurope"}}}}},
		{name: "demote to a list always keeps the version's own region", versions: []*ObservedVersion{ours("1.0.0"), ours("1.0.1")}, published: "1.0.1",
			lc: Lifecycle{DemoteTo: []string{"North Europe"}}, want: RetentionPlan{Demote: []Demotion{{Version: "1.0.0", Keep: []string{"eastus", "northeurope"}, Remove: []string{"westus"}}}}},
		{name: "keep and demote: deleted ones are not demoted, kept ones are", versions: []*ObservedVersion{ours("1.0.0"), ours("1.0.1"), ours("1.0.2")}, published: "1.0.2",
			lc: Lifecycle{KeepVersions: 2, DemoteToSourceRegion: true}, want: RetentionPlan{Delete: []string{"1.0.0"}, Demote: []Demotion{{Version: "1.0.1", Keep: []string{"eastus"}, Remove: []string{"westus", "northeurope"}}}}},
		{name: "demotion skips a version that forbids removing regions", versions: []*ObservedVersion{ours("1.0.0", func(v *ObservedVersion) { f := false; v.AllowDeletionOfReplicatedLocations = &f }), ours("1.0.1")}, published: "1.0.1",
			lc: Lifecycle{DemoteToSourceRegion: true}, skipped: []string{"allowDeletionOfReplicatedLocations is false"}},
		{name: "already demoted: nothing", versions: []*ObservedVersion{ours("1.0.0", func(v *ObservedVersion) { v.TargetRegions = v.TargetRegions[:1] }), ours("1.0.1")}, published: "1.0.1",
			lc: Lifecycle{DemoteToSourceRegion: true}},
		{name: "foreign versions are never demoted", versions: []*ObservedVersion{foreign("1.0.0"), ours("1.0.1")}, published: "1.0.1",
			lc: Lifecycle{DemoteToSourceRegion: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := PlanRetention(c.versions, c.published, c.lc, now)
			skipped := got.Skipped
			got.Skipped = nil
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("plan\n got %+v\nwant %+v", got, c.want)
			}
			if len(skipped) != len(c.skipped) {
				t.Fatalf("skipped %q, want %q", skipped, c.skipped)
			}
			for i, s := range c.skipped {
				if !strings.Contains(skipped[i], s) {
					t.Errorf("skipped[%d] = %q lacks %q", i, skipped[i], s)
				}
			}
		})
	}
}
