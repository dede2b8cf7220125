package gallery

import (
	"strings"
	"testing"
)

func ownedTags() map[string]string { return map[string]string{ManagedTagKey: ManagedTagValue} }

func TestMayWrite(t *testing.T) {
	mine := map[string]string{ManagedTagKey: ManagedTagValue, RunIDTagKey: "run-a"}
	other := map[string]string{ManagedTagKey: ManagedTagValue, RunIDTagKey: "run-b"}
	hand := map[string]string{"owner": "ops"}
	cases := []struct {
		kind WriteKind
		tags map[string]string
		want string // "" = allowed
	}{
		{WriteCreate, nil, ""},
		{WriteCreate, mine, "never written over"},
		{WriteCreate, hand, "never written over"},
		{WriteConverge, mine, ""},
		{WriteConverge, other, ""},
		{WriteConverge, hand, "not made by this plugin"},
		{WriteConverge, nil, "does not exist"},
		{WriteRetire, other, ""},
		{WriteRetire, hand, "not made by this plugin"},
		{WriteCleanup, mine, ""},
		{WriteCleanup, other, "another run created it"},
		{WriteCleanup, hand, "not made by this plugin"},
	}
	for _, c := range cases {
		err := MayWrite(c.kind, c.tags, "run-a")
		if (c.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("MayWrite(%d, %v) = %v, want %q", c.kind, c.tags, err, c.want)
		}
	}
	if CreatedByRun(map[string]string{RunIDTagKey: ""}, "") {
		t.Error("an empty run ID matched")
	}
}

// TestForeignVersionIsReusedReadOnly: a succeeded version from this source without the plugin's tag is
// reused as it is, with the differences named, and its exclusion is never cleared.
func TestForeignVersionIsReusedReadOnly(t *testing.T) {
	req := baseReq()
	req.TargetRegions = []TargetRegion{{Name: "westus"}}
	obs := baseObs()
	obs.Version = &ObservedVersion{Name: "1.2.3", SourceID: srcID, ProvisioningState: "Succeeded", ExcludeFromLatest: true,
		TargetRegions: []RegionResult{{Name: "eastus", Replicas: 1}}, Tags: map[string]string{"owner": "ops"}}
	a, err := Plan(req, obs)
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(a.Notes, "\n")
	if a.Version != VersionReuse || len(a.VersionUpdates) != 0 || !strings.Contains(notes, "not published by this plugin: reusing it read-only") ||
		!strings.Contains(notes, "target_region") || !strings.Contains(notes, "az resource tag") {
		t.Errorf("decision %s, updates %v, notes:\n%s", a.Version, a.VersionUpdates, notes)
	}
	// The same version, owned by the plugin but excluded by someone else: converging adds the region and
	// keeps the exclusion.
	obs.Version.Tags = ownedTags()
	a, err = Plan(req, obs)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range a.VersionUpdates {
		if c.Field == "exclude_from_latest" {
			t.Errorf("a foreign exclusion is cleared: %+v", a.VersionUpdates)
		}
	}
	if a.Version != VersionUpdate || !strings.Contains(strings.Join(a.Notes, "\n"), "the exclusion is kept") {
		t.Errorf("decision %s, notes %v", a.Version, a.Notes)
	}
}

// TestForeignDefinitionIsNotUpdated: an existing definition without the plugin's tag keeps its
// description; the plan names the difference.
func TestForeignDefinitionIsNotUpdated(t *testing.T) {
	req := baseReq()
	req.Definition.Description = "new"
	obs := baseObs()
	obs.Definition.Tags = map[string]string{}
	obs.Definition.Description = "old"
	a, err := Plan(req, obs)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.DefinitionUpdates) != 0 || !strings.Contains(strings.Join(a.Notes, "\n"), `description ("old" here, "new" in the config)`) {
		t.Errorf("updates %v, notes %v", a.DefinitionUpdates, a.Notes)
	}
}

func TestSourceTagsFitAndReadBack(t *testing.T) {
	long := "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/" + strings.Repeat("r", 90) +
		"/providers/Microsoft.Compute/galleries/" + strings.Repeat("g", 80) + "/images/" + strings.Repeat("d", 80) + "/versions/1.0.0"
	for _, id := range []string{"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/images/img", long} {
		tags := map[string]string{}
		sourceTags(tags, id)
		for k, v := range tags {
			if len(v) > MaxTagValueLength || len(k) > MaxTagNameLength {
				t.Errorf("tag %s is %d characters", k, len(v))
			}
		}
		if got := SourceFromTags(tags); got != id {
			t.Errorf("read back %q, want %q", got, id)
		}
		if len(tags) > PluginTags {
			t.Errorf("%d source tags", len(tags))
		}
	}
}

// TestVersionBodyTagsFitAzure: with a long source ID and 45 user tags the version's tags stay within
// Azure's limits, and a re-run reads the source back from them when Azure omits it.
func TestVersionBodyTagsFitAzure(t *testing.T) {
	req := baseReq()
	req.Tags = map[string]string{}
	for i := range MaxTags - PluginTags {
		req.Tags[strings.Repeat("k", 10)+string(rune('a'+i%26))+strings.Repeat("x", i)] = "v"
	}
	req.Lifecycle.RunID = "run-1"
	long := "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/" + strings.Repeat("r", 90) +
		"/providers/Microsoft.Compute/galleries/" + strings.Repeat("g", 80) + "/images/" + strings.Repeat("d", 80) + "/versions/1.0.0"
	body := versionBody(req, &Actions{Location: "eastus", Regions: []RegionPlan{{Name: "eastus", Replicas: 1}}}, Source{ID: long})
	if len(body.Tags) > MaxTags {
		t.Errorf("%d tags", len(body.Tags))
	}
	for k, v := range body.Tags {
		if len(k) > MaxTagNameLength || len(*v) > MaxTagValueLength {
			t.Errorf("tag %s: %d/%d characters", k, len(k), len(*v))
		}
	}
	body.Properties.StorageProfile = nil // as when Azure omits the source
	v := versionFrom(body)
	if v.SourceID != long || !CreatedByRun(v.Tags, "run-1") || !Owns(v.Tags) {
		t.Errorf("read back source %q, tags %v", v.SourceID, v.Tags)
	}
}
