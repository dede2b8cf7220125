package gallery

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var selectNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// vi builds a succeeded, eligible version; the options break one rule each.
func vi(name string, opts ...func(*VersionInfo)) VersionInfo {
	v, err := ParseVersion(name)
	if err != nil {
		panic(err)
	}
	out := VersionInfo{Name: name, Version: v, ID: "/versions/" + name, ProvisioningState: ProvisioningSucceeded}
	for _, o := range opts {
		o(&out)
	}
	return out
}

func excluded(v *VersionInfo) { v.ExcludeFromLatest = true }
func state(s string) func(*VersionInfo) {
	return func(v *VersionInfo) { v.ProvisioningState = s }
}
func eol(t time.Time) func(*VersionInfo) {
	return func(v *VersionInfo) { v.EndOfLife = &t }
}
func published(t time.Time) func(*VersionInfo) {
	return func(v *VersionInfo) { v.PublishedDate = t }
}

func TestSelectLatest(t *testing.T) {
	past, future := selectNow.Add(-time.Hour), selectNow.Add(time.Hour)
	tests := []struct {
		name     string
		versions []VersionInfo
		want     string // "" = none
		skipped  []SkipReason
	}{
		{"no versions", nil, "", nil},
		{"single", []VersionInfo{vi("1.0.0")}, "1.0.0", nil},
		{"highest by number, not by name or order", []VersionInfo{vi("1.10.0"), vi("1.9.0"), vi("1.2.0")}, "1.10.0", nil},
		{"major beats minor", []VersionInfo{vi("1.99.99"), vi("2.0.0")}, "2.0.0", nil},
		{"excluded from latest skipped", []VersionInfo{vi("1.0.0"), vi("1.1.0", excluded)}, "1.0.0", []SkipReason{SkipExcludedFromLatest}},
		{"end of life in the past skipped", []VersionInfo{vi("1.0.0"), vi("2.0.0", eol(past))}, "1.0.0", []SkipReason{SkipEndOfLife}},
		{"end of life exactly now skipped", []VersionInfo{vi("1.0.0"), vi("2.0.0", eol(selectNow))}, "1.0.0", []SkipReason{SkipEndOfLife}},
		{"end of life in the future kept", []VersionInfo{vi("1.0.0"), vi("2.0.0", eol(future))}, "2.0.0", nil},
		{"failed skipped", []VersionInfo{vi("1.0.0"), vi("1.0.1", state("Failed"))}, "1.0.0", []SkipReason{SkipNotSucceeded}},
		{"creating skipped", []VersionInfo{vi("1.0.0"), vi("1.0.1", state("Creating"))}, "1.0.0", []SkipReason{SkipNotSucceeded}},
		{"updating skipped", []VersionInfo{vi("1.0.0"), vi("1.0.1", state("Updating"))}, "1.0.0", []SkipReason{SkipNotSucceeded}},
		{"deleting skipped", []VersionInfo{vi("1.0.0"), vi("1.0.1", state("Deleting"))}, "1.0.0", []SkipReason{SkipNotSucceeded}},
		{"unknown state skipped", []VersionInfo{vi("1.0.0"), vi("1.0.1", state(""))}, "1.0.0", []SkipReason{SkipNotSucceeded}},
		{"state is case-sensitive Azure spelling", []VersionInfo{vi("1.0.0"), vi("1.0.1", state("succeeded"))}, "1.0.0", []SkipReason{SkipNotSucceeded}},
		{"every rule at once, highest first in skips", []VersionInfo{
			vi("1.0.0"), vi("1.1.0", excluded), vi("1.0.5"), vi("2.0.0", eol(past)), vi("3.0.0", state("Failed")),
		}, "1.0.5", []SkipReason{SkipNotSucceeded, SkipEndOfLife, SkipExcludedFromLatest}},
		{"none eligible", []VersionInfo{vi("1.0.0", excluded), vi("2.0.0", state("Failed"))}, "", []SkipReason{SkipNotSucceeded, SkipExcludedFromLatest}},
		{"same number: later publish wins", []VersionInfo{
			vi("1.0.01", published(selectNow.Add(-2*time.Hour))), vi("1.0.1", published(selectNow.Add(-time.Hour))),
		}, "1.0.1", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := append([]VersionInfo(nil), tc.versions...)
			sel := SelectLatest(in, selectNow)
			checkSelection(t, sel, tc.want, tc.skipped)
			if sel.Total != len(tc.versions) {
				t.Errorf("Total = %d, want %d", sel.Total, len(tc.versions))
			}
			for i := range in {
				if in[i].Name != tc.versions[i].Name {
					t.Fatalf("input reordered at %d: %s", i, in[i].Name)
				}
			}
		})
	}
}

func checkSelection(t *testing.T, sel Selection, want string, skipped []SkipReason) {
	t.Helper()
	got := ""
	if sel.Version != nil {
		got = sel.Version.Name
	}
	if got != want {
		t.Errorf("selected %q, want %q (skipped %+v)", got, want, sel.Skipped)
	}
	var reasons []SkipReason
	for _, s := range sel.Skipped {
		reasons = append(reasons, s.Reason)
	}
	if strings.Join(toStrings(reasons), "|") != strings.Join(toStrings(skipped), "|") {
		t.Errorf("skipped %v, want %v", reasons, skipped)
	}
}

func toStrings(r []SkipReason) []string {
	out := make([]string, len(r))
	for i, s := range r {
		out[i] = string(s)
	}
	return out
}

func TestSelectMatching(t *testing.T) {
	past := selectNow.Add(-time.Hour)
	all := []VersionInfo{
		vi("1.0.0"), vi("1.1.0", excluded), vi("1.0.5"), vi("1.2.0"), vi("1.2.7"),
		vi("2.0.0", eol(past)), vi("2.1.0", state("Failed")), vi("3.0.0"),
	}
	tests := []struct {
		constraint      string
		includeExcluded bool
		versions        []VersionInfo
		want            string
	}{
		{"~> 1.0", false, all, "1.2.7"},
		{"~> 1.0.0", false, all, "1.0.5"},
		{"~> 1.2", false, all, "1.2.7"},
		{"~> 1.2.0", false, all, "1.2.7"},
		{"~> 1", false, all, "3.0.0"},
		{">= 1.0, < 2.0", false, all, "1.2.7"},
		{">= 1.0, < 1.2", false, all, "1.0.5"},
		{">= 1.0, < 1.2", true, all, "1.1.0"},
		{"= 1.1.0", false, all, ""},
		{"= 1.1.0", true, all, "1.1.0"},
		{"1.0.5", false, all, "1.0.5"},
		{"1.0", false, all, "1.0.0"},
		{"= 2.0.0", true, all, ""},        // end of life: never, even with include_excluded
		{"~> 2.0", true, all, ""},         // 2.0.0 end of life, 2.1.0 failed
		{"!= 3.0.0", false, all, "1.2.7"}, // skips 3.0.0, 2.1.0 failed, 2.0.0 end of life
		{"> 3.0.0", false, all, ""},
		{"< 1.0.0", false, all, ""},
		{"~> 1.0", false, nil, ""},
		{" >=1.0 ,<2 ", false, all, "1.2.7"},
	}
	for _, tc := range tests {
		name := tc.constraint
		if tc.includeExcluded {
			name += " include_excluded"
		}
		t.Run(name, func(t *testing.T) {
			c, err := ParseConstraint(tc.constraint)
			if err != nil {
				t.Fatalf("ParseConstraint: %v", err)
			}
			sel := SelectMatching(tc.versions, c, tc.includeExcluded, selectNow)
			got := ""
			if sel.Version != nil {
				got = sel.Version.Name
			}
			if got != tc.want {
				t.Errorf("selected %q, want %q (skipped %+v)", got, tc.want, sel.Skipped)
			}
		})
	}
}

// TestSelectMatchingChecksConstraintFirst: a version outside the constraint is skipped as a mismatch,
// never explained by a rule (failed, end of life) that the user did not ask about.
func TestSelectMatchingChecksConstraintFirst(t *testing.T) {
	past := selectNow.Add(-time.Hour)
	vs := []VersionInfo{vi("1.0.0"), vi("2.0.0", eol(past)), vi("3.0.0", state("Failed")), vi("3.1.0", excluded)}
	c, err := ParseConstraint("= 2.0.0")
	if err != nil {
		t.Fatal(err)
	}
	sel := SelectMatching(vs, c, false, selectNow)
	checkSelection(t, sel, "", []SkipReason{SkipNoMatch, SkipNoMatch, SkipEndOfLife, SkipNoMatch})
	msg := sel.Explain()
	if strings.Contains(msg, "3.0.0") || strings.Contains(msg, "3.1.0") || !strings.Contains(msg, "2.0.0: end of life") || !strings.Contains(msg, "3 do not match") {
		t.Errorf("Explain() = %q", msg)
	}
	// An excluded version that also failed is reported as failed: that is the reason include_excluded
	// would not help.
	c, _ = ParseConstraint("~> 3.0")
	sel = SelectMatching([]VersionInfo{vi("3.0.0", state("Failed"), excluded)}, c, false, selectNow)
	checkSelection(t, sel, "", []SkipReason{SkipNotSucceeded})
}

func TestSelectMatchingExplainsExcluded(t *testing.T) {
	c, err := ParseConstraint("= 1.1.0")
	if err != nil {
		t.Fatal(err)
	}
	sel := SelectMatching([]VersionInfo{vi("1.0.0"), vi("1.1.0", excluded)}, c, false, selectNow)
	if sel.Version != nil {
		t.Fatalf("selected %s", sel.Version.Name)
	}
	msg := sel.Explain()
	for _, want := range []string{"none of the 2 versions", "1 do not match", "1.1.0: excludeFromLatest is true"} {
		if !strings.Contains(msg, want) {
			t.Errorf("Explain() = %q, missing %q", msg, want)
		}
	}
}

func TestSelectionExplain(t *testing.T) {
	if got := (Selection{}).Explain(); got != "the image definition has no versions" {
		t.Errorf("empty: %q", got)
	}
	var vs []VersionInfo
	for _, n := range []string{"1.0.0", "1.0.1", "1.0.2", "1.0.3", "1.0.4", "1.0.5", "1.0.6", "1.0.7"} {
		vs = append(vs, vi(n, state("Failed")))
	}
	vs = append(vs, vi("1.0.8", eol(selectNow.Add(-time.Minute))))
	msg := SelectLatest(vs, selectNow).Explain()
	for _, want := range []string{"none of the 9 versions is eligible", "1.0.8: end of life 2026-11-25T11:59:00Z", "1.0.7: provisioning state Failed", "and 4 more"} {
		if !strings.Contains(msg, want) {
			t.Errorf("Explain() = %q, missing %q", msg, want)
		}
	}
	if strings.Contains(msg, "1.0.3:") || strings.Contains(msg, "do not match") {
		t.Errorf("Explain() lists too much: %q", msg)
	}
}

func TestParseConstraint(t *testing.T) {
	good := map[string][]string{ // constraint → versions that match (of 1.0.0 1.2.0 1.2.3 1.3.0 2.0.0)
		"~> 1.2":         {"1.2.0", "1.2.3", "1.3.0"},
		"~> 1.2.3":       {"1.2.3"},
		">= 1.0, < 2.0":  {"1.0.0", "1.2.0", "1.2.3", "1.3.0"},
		"= 1.2.3":        {"1.2.3"},
		"1.2.3":          {"1.2.3"},
		"> 1.2.3":        {"1.3.0", "2.0.0"},
		"<= 1.2.0":       {"1.0.0", "1.2.0"},
		"!= 1.2.3, ~> 1": {"1.0.0", "1.2.0", "1.3.0", "2.0.0"},
		"v1.2.0":         {"1.2.0"},
	}
	candidates := []string{"1.0.0", "1.2.0", "1.2.3", "1.3.0", "2.0.0"}
	for in, want := range good {
		c, err := ParseConstraint(in)
		if err != nil {
			t.Errorf("ParseConstraint(%q): %v", in, err)
			continue
		}
		var got []string
		for _, s := range candidates {
			v, _ := ParseVersion(s)
			if c.Check(v) {
				got = append(got, s)
			}
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%q matches %v, want %v", in, got, want)
		}
		if c.String() != strings.TrimSpace(in) || c.IsZero() {
			t.Errorf("%q: String() = %q, IsZero = %v", in, c.String(), c.IsZero())
		}
	}
	bad := map[string]string{
		"":                "empty",
		"   ":             "empty",
		"latest":          "malformed",
		">= 1.0 < 2.0":    "malformed",
		">= 1.0,":         "empty condition",
		", >= 1.0":        "empty condition",
		">=":              "malformed",
		"~> 1.2-beta":     "pre-release",
		"= 1.2.3+build":   "pre-release",
		"1.2.3.4":         "three",
		"=> 1.0":          "malformed",
		"~ 1.0":           "malformed",
		">= 1.0, <= 2.x":  "malformed",
		">= 1.0; < 2.0.0": "malformed",
	}
	for in, want := range bad {
		if _, err := ParseConstraint(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseConstraint(%q) = %v, want an error containing %q", in, err, want)
		}
	}
	var zero Constraint
	if !zero.IsZero() || zero.Check(Version{1, 0, 0}) {
		t.Error("the zero Constraint must match nothing")
	}
}

// BenchmarkSelectLatest selects from 10,000 versions, Azure's per-region version quota, in a
// definition where the highest fifth are ineligible.
func BenchmarkSelectLatest(b *testing.B) {
	vs := make([]VersionInfo, 0, 10000)
	for i := 0; i < 10000; i++ {
		v := VersionInfo{Name: fmt.Sprintf("1.%d.%d", i/100, i%100), Version: Version{1, int32(i / 100), int32(i % 100)}, ProvisioningState: ProvisioningSucceeded}
		if i >= 8000 {
			v.ExcludeFromLatest = true
		}
		vs = append(vs, v)
	}
	c, err := ParseConstraint("~> 1.50")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("latest", func(b *testing.B) {
		for b.Loop() {
			if sel := SelectLatest(vs, selectNow); sel.Version == nil || sel.Version.Name != "1.79.99" {
				b.Fatalf("selected %+v", sel.Version)
			}
		}
	})
	b.Run("constraint", func(b *testing.B) {
		for b.Loop() {
			if sel := SelectMatching(vs, c, false, selectNow); sel.Version == nil || sel.Version.Name != "1.79.99" {
				b.Fatalf("selected %+v", sel.Version)
			}
		}
	})
}
