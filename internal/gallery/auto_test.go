package gallery

import (
	"strings"
	"testing"
)

func versionsNamed(names ...string) []*ObservedVersion {
	var out []*ObservedVersion
	for _, n := range names {
		out = append(out, &ObservedVersion{Name: n})
	}
	return out
}

func TestPickAuto(t *testing.T) {
	one := int32(1)
	cases := []struct {
		name     string
		existing []string
		spec     VersionSpec
		floor    string
		want     string
		err      string
	}{
		{name: "first version", want: "1.0.0"},
		{name: "first with a pinned major", spec: VersionSpec{Major: &one}, want: "1.0.0"},
		{name: "patch bump of the highest", existing: []string{"1.0.0", "1.0.10", "1.0.9"}, want: "1.0.11"},
		{name: "minor bump", existing: []string{"1.2.3"}, spec: VersionSpec{Bump: BumpMinor}, want: "1.3.0"},
		{name: "major bump", existing: []string{"1.2.3"}, spec: VersionSpec{Bump: BumpMajor}, want: "2.0.0"},
		{name: "pinned major picks within it (AIB Latest)", existing: []string{"2.1.0", "1.2.0", "1.1.9"}, spec: VersionSpec{Major: &one}, want: "1.2.1"},
		{name: "a taken number moves past it", existing: []string{"1.0.0"}, floor: "1.0.1", want: "1.0.2"},
		{name: "a stale list still moves past the floor", existing: []string{"1.0.0"}, floor: "1.3.0", spec: VersionSpec{Bump: BumpMinor}, want: "1.4.0"},
		{name: "overflow refused", existing: []string{"1.0.2147483647"}, err: "largest Azure accepts"},
		{name: "major bump with a pinned major refused", spec: VersionSpec{Bump: BumpMajor, Major: &one}, err: "contradicts version_major"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var floor *Version
			if c.floor != "" {
				f, _ := ParseVersion(c.floor)
				floor = &f
			}
			got, err := pickAuto(versionsNamed(c.existing...), c.spec, floor)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err %v, want %q", err, c.err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

func TestCheckQuota(t *testing.T) {
	req := baseReq()
	req.Lifecycle.VersionQuota = 3
	if err := checkQuota(req, versionsNamed("1.0.0", "1.0.1")); err != nil {
		t.Fatalf("below the limit: %v", err)
	}
	err := checkQuota(req, versionsNamed("1.0.0", "1.0.1", "1.0.2"))
	if err == nil || !strings.Contains(err.Error(), "keep_versions") || !strings.Contains(err.Error(), "limit of 3") {
		t.Fatalf("at the limit: %v", err)
	}
	req.Lifecycle.VersionQuota = 0
	if err := checkQuota(req, versionsNamed("1.0.0")); err != nil {
		t.Fatalf("default limit: %v", err)
	}
}

func TestIsAuto(t *testing.T) {
	for s, want := range map[string]bool{"auto": true, " AUTO ": true, "1.0.0": false, "": false} {
		if IsAuto(s) != want {
			t.Errorf("IsAuto(%q) != %v", s, want)
		}
	}
}
