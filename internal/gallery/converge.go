package gallery

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
)

// VersionUpdate: the version exists from the same source and has succeeded, but its updatable fields
// differ from the config; a re-run converges them, as Terraform converges a resource.
const VersionUpdate VersionDecision = "update"

// convergeDiff lists what a re-run changes on an existing version from the same source. Azure lets a
// version change its target regions, regional replica counts, exclude-from-latest and end of life; a
// difference in anything else (replication mode, a replicated region's storage type) is an error that
// names the setting, because Azure would refuse it.
func convergeDiff(req Request, a *Actions, v *ObservedVersion) ([]FieldChange, error) {
	name := a.VersionName
	if req.ReplicationMode != "" && !strings.EqualFold(req.ReplicationMode, orDefault(v.ReplicationMode, "Full")) {
		return nil, fmt.Errorf("version %s exists from this source with replication_mode %s; it cannot change to %s on an existing version: set replication_mode = %q, or publish another image_version",
			name, orDefault(v.ReplicationMode, "Full"), req.ReplicationMode, orDefault(v.ReplicationMode, "Full"))
	}
	have := map[string]RegionResult{}
	for _, r := range v.TargetRegions {
		have[r.Name] = r
	}
	var ch []FieldChange
	want := map[string]bool{}
	regions := a.Regions
	if len(v.TargetRegions) == 0 {
		regions = nil // Azure did not say; nothing to compare
	}
	for _, r := range regions {
		want[r.Name] = true
		h, ok := have[r.Name]
		if !ok {
			ch = append(ch, FieldChange{Field: "target_region", From: "", To: r.Name})
			continue
		}
		if h.StorageAccountType != "" && r.StorageAccountType != "" && !strings.EqualFold(h.StorageAccountType, r.StorageAccountType) {
			return nil, fmt.Errorf("version %s is replicated to %s with storage_account_type %s; it cannot change to %s on an existing version: set the region's storage_account_type = %q, or publish another image_version",
				name, r.Name, h.StorageAccountType, r.StorageAccountType, h.StorageAccountType)
		}
		if h.Replicas != r.Replicas {
			ch = append(ch, FieldChange{Field: fmt.Sprintf("target_region[%s].replicas", r.Name), From: fmt.Sprint(h.Replicas), To: fmt.Sprint(r.Replicas)})
		}
		if r.ExcludeFromLatest != nil && !*r.ExcludeFromLatest && v.RegionExcludeFromLatest[r.Name] {
			a.Notes = append(a.Notes, fmt.Sprintf("Version %s is excluded from latest in %s: the exclusion is kept (the plugin never clears a region's exclusion on an existing version).", name, r.Name))
		} else if r.ExcludeFromLatest != nil && *r.ExcludeFromLatest != v.RegionExcludeFromLatest[r.Name] {
			ch = append(ch, FieldChange{Field: fmt.Sprintf("target_region[%s].exclude_from_latest", r.Name), From: fmt.Sprint(v.RegionExcludeFromLatest[r.Name]), To: fmt.Sprint(*r.ExcludeFromLatest)})
		}
	}
	var removed []string
	for _, r := range v.TargetRegions {
		if !want[r.Name] && len(regions) > 0 {
			removed = append(removed, r.Name)
			ch = append(ch, FieldChange{Field: "target_region", From: r.Name, To: ""})
		}
	}
	if len(removed) > 0 && v.AllowDeletionOfReplicatedLocations != nil && !*v.AllowDeletionOfReplicatedLocations &&
		(req.AllowDeletionOfReplicatedLocations == nil || !*req.AllowDeletionOfReplicatedLocations) {
		return nil, fmt.Errorf("version %s is replicated to %s, which the config no longer lists, and the version forbids removing replicated regions: add them back to target_region, or set allow_deletion_of_replicated_locations = true",
			name, strings.Join(removed, ", "))
	}
	if req.ExcludeFromLatest != v.ExcludeFromLatest && foreignExclusion(v) {
		a.Notes = append(a.Notes, fmt.Sprintf("Version %s was excluded from latest by someone else: the exclusion is kept (the plugin never clears an exclusion it did not set).", name))
	} else if req.ExcludeFromLatest != v.ExcludeFromLatest {
		ch = append(ch, FieldChange{Field: "exclude_from_latest", From: fmt.Sprint(v.ExcludeFromLatest), To: fmt.Sprint(req.ExcludeFromLatest)})
	}
	if e := req.VersionEndOfLife; e != nil && (v.EndOfLife == nil || !v.EndOfLife.Truncate(time.Second).Equal(e.Truncate(time.Second))) {
		from := ""
		if v.EndOfLife != nil {
			from = v.EndOfLife.UTC().Format(time.RFC3339)
		}
		ch = append(ch, FieldChange{Field: "version_end_of_life_date", From: from, To: e.UTC().Format(time.RFC3339)})
	}
	return ch, nil
}

// foreignExclusion says whether someone other than the plugin excluded the version from latest.
func foreignExclusion(v *ObservedVersion) bool {
	return v.ExcludeFromLatest && v.Tags[ExcludedTagKey] != "true"
}

// versionUpdatePoller is the SDK poller of a version PATCH.
type versionUpdatePoller = runtime.Poller[armcompute.GalleryImageVersionsClientUpdateResponse]

// updateVersion converges an existing version the plugin owns with one PATCH of its publishing profile.
// targetRegions is a full replacement, so it carries every planned region, and each region keeps an
// exclusion it already has; the wait that follows covers new regions, and finishUpdate awaits the PATCH.
func (p *Publisher) updateVersion(ctx context.Context, cf *armcompute.ClientFactory, req Request, a *Actions, v *ObservedVersion) (*versionUpdatePoller, error) {
	if err := MayWrite(WriteConverge, v.Tags, req.Lifecycle.RunID); err != nil {
		return nil, fmt.Errorf("version %s is not converged: %w", a.VersionName, err)
	}
	p.ui.Say(fmt.Sprintf("Converging version %s with the config:", a.VersionName))
	for _, c := range a.VersionUpdates {
		p.ui.Message(fmt.Sprintf("  %s: %q → %q", c.Field, c.From, c.To))
	}
	excluded := req.ExcludeFromLatest || foreignExclusion(v)
	pp := publishingProfile(req, a)
	pp.ExcludeFromLatest = to.Ptr(excluded)
	for _, tr := range pp.TargetRegions {
		// An exclusion someone else set on a region is kept, never cleared.
		if v.RegionExcludeFromLatest[*tr.Name] {
			tr.ExcludeFromLatest = to.Ptr(true)
		}
	}
	tags := maps.Clone(v.Tags)
	if !foreignExclusion(v) {
		tags[ExcludedTagKey] = fmt.Sprint(excluded)
	}
	body := armcompute.GalleryImageVersionUpdate{Tags: ptrTags(tags), Properties: &armcompute.GalleryImageVersionProperties{PublishingProfile: pp}}
	if req.AllowDeletionOfReplicatedLocations != nil {
		body.Properties.SafetyProfile = &armcompute.GalleryImageVersionSafetyProfile{AllowDeletionOfReplicatedLocations: req.AllowDeletionOfReplicatedLocations}
	}
	poller, err := cf.NewGalleryImageVersionsClient().BeginUpdate(ctx, req.ResourceGroup, req.GalleryName, a.Definition.Name, a.VersionName, body, nil)
	if err != nil {
		return nil, fmt.Errorf("updating version %s: %w", a.VersionName, azure.Explain(err))
	}
	return poller, nil
}

// finishUpdate awaits the PATCH's operation like every other write, so a run never reports "updated"
// while Azure is still applying it.
func (w *waiter) finishUpdate(ctx context.Context, poller *versionUpdatePoller) error {
	if poller == nil {
		return nil
	}
	if _, err := azure.Await(ctx, poller, azure.PollQuick); err != nil {
		return fmt.Errorf("updating version %s: %w", w.acts.VersionName, azure.Explain(err))
	}
	return nil
}

// changeNames lists the fields of the changes, for the plan's note.
func changeNames(ch []FieldChange) string {
	var names []string
	for _, c := range ch {
		if c.Field == "target_region" && c.To != "" {
			names = append(names, "add region "+c.To)
		} else if c.Field == "target_region" {
			names = append(names, "remove region "+c.From)
		} else {
			names = append(names, c.Field)
		}
	}
	return strings.Join(names, ", ")
}
