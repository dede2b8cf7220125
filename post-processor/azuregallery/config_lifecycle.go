//go:generate go tool packer-sdc struct-markdown

package azuregallery

import (
	"fmt"
	"strings"
	"time"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

// LifecycleConfig is the part of the configuration for scheduled refreshes: automatic version numbers,
// retention of old versions, demotion of superseded versions to fewer regions, and the version quota.
// It is embedded in Config, so its fields sit at the post-processor's top level.
type LifecycleConfig struct {
	// With `image_version = "auto"`, which part of the highest existing version to increment: `patch`
	// (the default), `minor` or `major`. With no version yet, the first is `1.0.0`.
	VersionBump string `mapstructure:"version_bump" required:"false"`
	// With `image_version = "auto"`, pin the major version (Azure Image Builder's "Latest" scheme): the next
	// version is the bump of the highest version with this major, or `N.0.0` when there is none. With 2.1.0
	// the highest version and 1.2.0 the highest 1.x, `version_major = 1` publishes 1.2.1.
	VersionMajor *int `mapstructure:"version_major" required:"false"`
	// Keep the newest N versions this plugin published (the new one included) and delete the older ones,
	// once the new version has fully replicated. Versions published by anything else, a version someone
	// else marked exclude-from-latest, and a version whose deletion is blocked until a future end of life
	// are never deleted. 0 (the default) keeps every version.
	KeepVersions int `mapstructure:"keep_versions" required:"false"`
	// Instead of deleting superseded versions, set their end-of-life date to this long from now, such as
	// `30d` or `720h`. With `keep_versions` it applies to the versions beyond N; without it, to every older
	// version this plugin published. An earlier end of life is kept.
	EndOfLifeSuperseded string `mapstructure:"end_of_life_superseded" required:"false"`
	// Print what retention and demotion would do, without doing it.
	RetentionDryRun bool `mapstructure:"retention_dry_run" required:"false"`
	// Once the new version has fully replicated, shrink each older version this plugin published to these
	// regions (each version also keeps its own region, which Azure requires), such as `["eastus"]`. Keeps
	// the latest version replicated widely and old ones cheap. A version that forbids removing replicated
	// regions (`allow_deletion_of_replicated_locations = false`) is reported and skipped; versions published
	// with demotion on allow it unless the config says otherwise.
	DemoteSupersededTo []string `mapstructure:"demote_superseded_to" required:"false"`
	// Like `demote_superseded_to`, to each version's own (source) region only.
	DemoteSupersededToSourceRegion bool `mapstructure:"demote_superseded_to_source_region" required:"false"`
	// The most versions the image definition may hold before a publish is refused with an error that
	// suggests `keep_versions`. Defaults to 10000, Azure's default quota of versions per subscription and
	// region; set it lower to stop earlier.
	VersionQuota int `mapstructure:"version_quota" required:"false"`
}

// prepareLifecycle validates the lifecycle fields and image_version's "auto" form, and resolves them into
// the core's version spec and lifecycle.
func (c *Config) prepareLifecycle(errs **packersdk.MultiError, now time.Time) (gallery.VersionSpec, gallery.Lifecycle) {
	add := func(format string, args ...interface{}) {
		*errs = packersdk.MultiErrorAppend(*errs, fmt.Errorf(format, args...))
	}
	spec := gallery.VersionSpec{Version: c.ImageVersion}
	var lc gallery.Lifecycle
	auto := gallery.IsAuto(c.ImageVersion)
	switch {
	case c.ImageVersion == "":
		add("image_version is required: set a version such as \"1.0.0\" (Major.Minor.Patch), or \"auto\" for the next one")
	case auto:
		spec.Version = "auto"
	default:
		if _, err := gallery.ParseVersion(c.ImageVersion); err != nil {
			hint := ""
			if strings.Contains(err.Error(), "exceeds") {
				hint = " (each part must fit in a 32-bit integer; for date-based versions use formatdate(\"YYYY.MMDD.hhmm\", timestamp()), whose parts fit)"
			}
			add("image_version: %v%s", err, hint)
		}
	}
	bump, err := gallery.ParseBump(c.VersionBump)
	if err != nil {
		add("version_bump: %v", err)
	}
	spec.Bump = bump
	if c.VersionMajor != nil {
		switch m := *c.VersionMajor; {
		case m < 0 || m > 2147483647:
			add("version_major %d is out of range: use 0 to 2147483647", m)
		case bump == gallery.BumpMajor:
			add("version_bump = \"major\" contradicts version_major, which pins the major: use patch or minor, or remove version_major")
		default:
			major := int32(m)
			spec.Major = &major
		}
	}
	if !auto && (c.VersionBump != "" || c.VersionMajor != nil) {
		add("version_bump and version_major apply only to image_version = \"auto\": remove them, or set image_version = \"auto\"")
	}
	if c.KeepVersions < 0 {
		add("keep_versions %d must not be negative: use 0 to keep every version, or N to keep the newest N", c.KeepVersions)
	}
	lc.KeepVersions = c.KeepVersions
	if c.EndOfLifeSuperseded != "" {
		t, err := gallery.ParseEndOfLife(c.EndOfLifeSuperseded, now)
		if err != nil || !strings.ContainsAny(c.EndOfLifeSuperseded[len(c.EndOfLifeSuperseded)-1:], "dwhms") {
			add("end_of_life_superseded %q must be a duration from now, such as \"30d\" or \"720h\"", c.EndOfLifeSuperseded)
		} else {
			lc.EndOfLifeSuperseded = t.Sub(now)
		}
	}
	lc.DryRun = c.RetentionDryRun
	for i, r := range c.DemoteSupersededTo {
		name, err := gallery.CheckRegion(r)
		if err != nil {
			add("demote_superseded_to[%d]: %v", i, err)
			continue
		}
		lc.DemoteTo = append(lc.DemoteTo, name)
	}
	lc.DemoteToSourceRegion = c.DemoteSupersededToSourceRegion
	if c.VersionQuota < 0 {
		add("version_quota %d must not be negative: 0 takes Azure's default of %d", c.VersionQuota, gallery.DefaultVersionQuota)
	}
	lc.VersionQuota = c.VersionQuota
	if c.RetentionDryRun && lc.KeepVersions == 0 && lc.EndOfLifeSuperseded == 0 && len(lc.DemoteTo) == 0 && !lc.DemoteToSourceRegion {
		add("retention_dry_run has nothing to show: set keep_versions, end_of_life_superseded or demote_superseded_to too")
	}
	return spec, lc
}
