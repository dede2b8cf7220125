package gallery

import (
	"reflect"
	"testing"
	"time"
)

// TestPlanRetentionPerLine: with version_major set, keep_versions, end_of_life_superseded and demotion
// count and touch only that major; without it every lower version counts (issue 10, case 1).
func TestPlanRetentionPerLine(t *testing.T) {
	now := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	var vs []*ObservedVersion
	for _, n := range []string{"1.0.0", "1.0.1", "1.0.2", "1.0.3", "1.0.4", "1.0.5", "2.0.0", "2.0.1", "2.0.2", "2.0.3", "2.0.4", "2.0.5"} {
		vs = append(vs, &ObservedVersion{Name: n, Location: "eastus", ProvisioningState: "Succeeded",
			Tags:          map[string]string{ManagedTagKey: ManagedTagValue, ExcludedTagKey: "false"},
			TargetRegions: []RegionResult{{Name: "eastus"}, {Name: "westus"}}})
	}
	one, two := int32(1), int32(2)
	cases := []struct {
		name      string
		published string
		lc        Lifecycle
		want      RetentionPlan
	}{
		{"major 1 keeps 3 of major 1", "1.0.5", Lifecycle{KeepVersions: 3, Major: &one}, RetentionPlan{Delete: []string{"1.0.0", "1.0.1", "1.0.2"}}},
		{"major 2 never touches major 1", "2.0.5", Lifecycle{KeepVersions: 3, Major: &two}, RetentionPlan{Delete: []string{"2.0.0", "2.0.1", "2.0.2"}}},
		{"end of life within the line", "1.0.5", Lifecycle{KeepVersions: 5, EndOfLifeSuperseded: time.Hour, Major: &one},
			RetentionPlan{EndOfLife: []string{"1.0.0"}, EndOfLifeAt: now.Add(time.Hour)}},
		{"demotion within the line", "2.0.5", Lifecycle{KeepVersions: 4, DemoteTo: []string{"eastus"}, Major: &two},
			RetentionPlan{Delete: []string{"2.0.0", "2.0.1"}, Demote: []Demotion{{Version: "2.0.2", Keep: []string{"eastus"}, Remove: []string{"westus"}},
				{Version: "2.0.3", Keep: []string{"eastus"}, Remove: []string{"westus"}}, {Version: "2.0.4", Keep: []string{"eastus"}, Remove: []string{"westus"}}}}},
		{"without a major every lower version counts", "2.0.5", Lifecycle{KeepVersions: 10},
			RetentionPlan{Delete: []string{"1.0.0", "1.0.1"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := PlanRetention(vs, c.published, c.lc, now)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}
}
