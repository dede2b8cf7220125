package azuregallery

import (
	"strings"
	"testing"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

func TestLifecycleConfig(t *testing.T) {
	cases := []struct {
		name  string
		set   map[string]interface{}
		err   []string
		check func(t *testing.T, r *resolved)
	}{
		{name: "auto with defaults", set: map[string]interface{}{"image_version": "auto"}, check: func(t *testing.T, r *resolved) {
			if r.version.Version != "auto" || r.version.Bump != gallery.BumpPatch || r.version.Major != nil {
				t.Errorf("%+v", r.version)
			}
		}},
		{name: "auto with minor bump and pinned major", set: map[string]interface{}{"image_version": "AUTO", "version_bump": "Minor", "version_major": 2}, check: func(t *testing.T, r *resolved) {
			if r.version.Version != "auto" || r.version.Bump != gallery.BumpMinor || r.version.Major == nil || *r.version.Major != 2 {
				t.Errorf("%+v", r.version)
			}
		}},
		{name: "date-based version", set: map[string]interface{}{"image_version": "2026.1125.0930"}},
		{name: "date-based version that overflows int32", set: map[string]interface{}{"image_version": "20261125.0930.3000000000"},
			err: []string{"image_version", "exceeds 2147483647", "formatdate(\"YYYY.MMDD.hhmm\", timestamp())"}},
		{name: "unknown bump", set: map[string]interface{}{"image_version": "auto", "version_bump": "huge"}, err: []string{"version_bump", "use patch, minor or major"}},
		{name: "major bump with a pinned major", set: map[string]interface{}{"image_version": "auto", "version_bump": "major", "version_major": 1}, err: []string{"contradicts version_major"}},
		{name: "bump without auto", set: map[string]interface{}{"version_bump": "minor"}, err: []string{"apply only to image_version = \"auto\""}},
		{name: "negative keep_versions", set: map[string]interface{}{"keep_versions": -1}, err: []string{"keep_versions -1 must not be negative"}},
		{name: "retention resolved", set: map[string]interface{}{"image_version": "auto", "keep_versions": 2, "end_of_life_superseded": "30d", "retention_dry_run": true,
			"demote_superseded_to": []string{"East US"}, "demote_superseded_to_source_region": true, "version_quota": 50}, check: func(t *testing.T, r *resolved) {
			lc := r.lifecycle
			if lc.KeepVersions != 2 || lc.EndOfLifeSuperseded != 30*24*time.Hour || !lc.DryRun || len(lc.DemoteTo) != 1 || lc.DemoteTo[0] != "eastus" || !lc.DemoteToSourceRegion || lc.VersionQuota != 50 {
				t.Errorf("%+v", lc)
			}
		}},
		{name: "end_of_life_superseded must be a duration", set: map[string]interface{}{"end_of_life_superseded": "2030-01-01"}, err: []string{"end_of_life_superseded", "duration from now"}},
		{name: "bad demotion region", set: map[string]interface{}{"demote_superseded_to": []string{"east us!"}}, err: []string{"demote_superseded_to[0]"}},
		{name: "dry run alone", set: map[string]interface{}{"retention_dry_run": true}, err: []string{"retention_dry_run has nothing to show"}},
		{name: "negative quota", set: map[string]interface{}{"version_quota": -5}, err: []string{"version_quota -5"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clearAzureEnv(t)
			cfg := baseConfig()
			for k, v := range c.set {
				cfg[k] = v
			}
			var p PostProcessor
			err := p.Configure(cfg)
			if len(c.err) > 0 {
				if err == nil {
					t.Fatal("accepted")
				}
				for _, s := range c.err {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error lacks %q: %v", s, err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.check != nil {
				c.check(t, p.resolved)
			}
			req := p.request(&source{ImageID: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/images/i"})
			if req.Version.Version != p.resolved.version.Version || req.Lifecycle.KeepVersions != p.resolved.lifecycle.KeepVersions {
				t.Errorf("request does not carry the lifecycle: %+v %+v", req.Version, req.Lifecycle)
			}
		})
	}
}
