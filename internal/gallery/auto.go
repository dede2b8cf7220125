package gallery

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	"github.com/google/uuid"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
)

// RunIDTagKey tags each version with the ID of the run that created it, for auditing concurrent publishes.
const RunIDTagKey = "packer-plugin-azure-gallery-run"

// maxAutoAttempts bounds how many numbers an automatic version tries when concurrent publishes take them.
const maxAutoAttempts = 10

// IsAuto says whether image_version asks for an automatic number.
func IsAuto(v string) bool { return strings.EqualFold(strings.TrimSpace(v), "auto") }

// listVersions reads every version of the definition (nil when the definition does not exist).
func (p *Publisher) listVersions(ctx context.Context, cf *armcompute.ClientFactory, req Request) ([]*ObservedVersion, error) {
	pager := cf.NewGalleryImageVersionsClient().NewListByGalleryImagePager(req.ResourceGroup, req.GalleryName, req.Definition.Name, nil)
	var out []*ObservedVersion
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if azure.IsNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("listing the versions of image definition %s: %w", req.Definition.Name, azure.Explain(err))
		}
		for _, v := range page.Value {
			if v != nil {
				out = append(out, versionFrom(*v))
			}
		}
	}
	return out, nil
}

// prepareVersions lists the definition's versions when lifecycle or "auto" needs them, checks the
// version quota, and resolves "auto" into a number in req. It returns the versions and whether the
// number is automatic.
func (p *Publisher) prepareVersions(ctx context.Context, req *Request, obs *Observed) ([]*ObservedVersion, bool, error) {
	auto := IsAuto(req.Version.Version)
	var versions []*ObservedVersion
	if obs.Definition != nil {
		versions = obs.Versions
		if !obs.Listed {
			cf, err := p.sess.Compute(req.SubscriptionID)
			if err != nil {
				return nil, auto, err
			}
			if versions, err = p.listVersions(ctx, cf, *req); err != nil {
				return nil, auto, err
			}
		}
		if err := checkQuota(*req, versions); err != nil {
			return nil, auto, err
		}
	}
	if !auto {
		return versions, false, nil
	}
	// A soft-deleted version still holds its number (softdelete.go).
	name, err := pickAuto(append(slices.Clone(versions), softDeletedAsVersions(obs.SoftDeleted)...), req.Version, nil)
	if err != nil {
		return nil, true, err
	}
	req.Version.Version = name
	obs.Version = nil
	p.ui.Say(fmt.Sprintf("image_version = \"auto\": picked %s (%s bump%s, from %d existing version(s)).", name, orDefault(string(req.Version.Bump), string(BumpPatch)), majorNote(req.Version.Major), len(versions)))
	return versions, true, nil
}

func majorNote(m *int32) string {
	if m == nil {
		return ""
	}
	return fmt.Sprintf(", major pinned to %d", *m)
}

// checkQuota refuses a publish that would take the definition past its version quota.
func checkQuota(req Request, versions []*ObservedVersion) error {
	limit := req.Lifecycle.VersionQuota
	if limit <= 0 {
		limit = DefaultVersionQuota
	}
	if len(versions)+1 <= limit {
		return nil
	}
	return fmt.Errorf("image definition %s already holds %d versions, and one more would exceed the limit of %d (version_quota; Azure's default quota is %d versions per subscription and region): set keep_versions (for example keep_versions = 10) to delete old versions this plugin published, or delete versions by hand",
		req.Definition.Name, len(versions), limit, DefaultVersionQuota)
}

// pickAuto picks the next number from the existing versions, and above floor when one is given (a
// number a concurrent publish took).
func pickAuto(versions []*ObservedVersion, spec VersionSpec, floor *Version) (string, error) {
	var names []string
	for _, v := range versions {
		names = append(names, v.Name)
	}
	next, err := NextAuto(names, spec.Bump, spec.Major)
	if err != nil {
		return "", fmt.Errorf("image_version = \"auto\": %w", err)
	}
	if floor != nil && next.Compare(*floor) <= 0 {
		if next, err = floor.Next(spec.Bump); err != nil {
			return "", fmt.Errorf("image_version = \"auto\": %w", err)
		}
	}
	return next.String(), nil
}

// retryJitter spreads the retries of runs that lost the same number: each waits a random time in a
// window that grows with the attempt and with the PUT's latency, so that losers come back one after
// another, each seeing the numbers the others took, instead of all picking the same next number again.
func retryJitter(attempt int, latency time.Duration) time.Duration {
	window := int64(attempt) * int64(max(50*time.Millisecond, 4*latency))
	return time.Duration(rand.Int64N(window) + 1)
}

// newRunID returns the run's ID: the configured one, or a fresh UUID.
func newRunID(lc Lifecycle) string {
	if lc.RunID != "" {
		return lc.RunID
	}
	return uuid.NewString()
}
