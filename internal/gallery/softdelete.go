package gallery

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
)

// This file is soft delete (GalleryRP 2026-03-03's softDeletePolicy): a gallery the plugin creates can
// keep deleted versions recoverable for SoftDeleteSpec.RetentionDays; "auto" never reuses a number a
// soft-deleted version holds; a re-run of a version of its own that was soft-deleted restores it (PATCH
// restore = true) instead of publishing over it; retention says whether its deletions are recoverable.

// SoftDeleteSpec is soft_delete on a gallery the plugin creates.
type SoftDeleteSpec struct {
	// RetentionDays is how long a deleted version stays recoverable (retentionPeriodInDays).
	RetentionDays int32
}

// MinSoftDeleteRetentionDays is the smallest retention: a soft-deleted version must be kept some days.
const MinSoftDeleteRetentionDays = 1

// CheckSoftDelete checks soft_delete.retention_days.
func CheckSoftDelete(s *SoftDeleteSpec) error {
	if s != nil && s.RetentionDays < MinSoftDeleteRetentionDays {
		return fmt.Errorf("soft_delete.retention_days %d is out of range: set at least %d day", s.RetentionDays, MinSoftDeleteRetentionDays)
	}
	return nil
}

// softDeletePolicy is the gallery body's policy for spec (nil without soft delete).
func softDeletePolicy(spec *SoftDeleteSpec) *armcompute.SoftDeletePolicy {
	if spec == nil {
		return nil
	}
	return &armcompute.SoftDeletePolicy{IsSoftDeleteEnabled: to.Ptr(true), RetentionPeriodInDays: to.Ptr(spec.RetentionDays)}
}

// softDeleteNote is the plan's line about soft delete: what a created gallery gets, or what an existing
// one has ("" when there is nothing to say).
func softDeleteNote(req Request, a *Actions, obs *Observed) string {
	switch {
	case a.CreateGallery && req.SoftDelete != nil:
		return fmt.Sprintf("Soft delete: gallery %s is created with soft delete on; a deleted version stays recoverable for %d days (softDeletePolicy.retentionPeriodInDays).", req.GalleryName, req.SoftDelete.RetentionDays)
	case obs.Gallery != nil && req.SoftDelete != nil && !obs.Gallery.SoftDelete:
		return fmt.Sprintf("Soft delete: gallery %s exists without soft delete, and soft_delete applies only to galleries this plugin creates: its deletions stay permanent.", req.GalleryName)
	}
	return ""
}

// SoftDeletedVersion is a soft-deleted version of the definition, as SoftDeletedResource lists it.
type SoftDeletedVersion struct {
	Name string
	Tags map[string]string
	// DeletedAt, ConsumptionEnd and HardDeletion are Azure's softDeletedTime, consumptionEndTime and
	// hardDeletionTargetTime (zero when Azure does not say).
	DeletedAt, ConsumptionEnd, HardDeletion time.Time
}

// listSoftDeleted reads the definition's soft-deleted versions (nil when the definition does not exist).
func (p *Publisher) listSoftDeleted(ctx context.Context, cf *armcompute.ClientFactory, req Request) ([]SoftDeletedVersion, error) {
	pager := cf.NewSoftDeletedResourceClient().NewListByArtifactNamePager(req.ResourceGroup, req.GalleryName, string(armcompute.SoftDeletedArtifactTypesImages), req.Definition.Name, nil)
	var out []SoftDeletedVersion
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if azure.IsNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("listing the soft-deleted versions of image definition %s: %w", req.Definition.Name, azure.Explain(err))
		}
		for _, r := range page.Value {
			if r == nil || r.Name == nil {
				continue
			}
			v := SoftDeletedVersion{Name: *r.Name, Tags: plainTags(r.Tags)}
			if pr := r.Properties; pr != nil {
				if pr.SoftDeletedTime != nil {
					v.DeletedAt, _ = time.Parse(time.RFC3339, *pr.SoftDeletedTime)
				}
				v.ConsumptionEnd, v.HardDeletion = deref(pr.ConsumptionEndTime), deref(pr.HardDeletionTargetTime)
			}
			out = append(out, v)
		}
	}
	return out, nil
}

// observeSoftDeleted fills obs.SoftDeleted when the gallery keeps soft-deleted versions and the
// definition exists; otherwise it reads nothing.
func (p *Publisher) observeSoftDeleted(ctx context.Context, req Request, obs *Observed) error {
	if obs.Gallery == nil || !obs.Gallery.SoftDelete || obs.Definition == nil {
		return nil
	}
	cf, err := p.sess.Compute(req.SubscriptionID)
	if err != nil {
		return err
	}
	obs.SoftDeleted, err = p.listSoftDeleted(ctx, cf, req)
	return err
}

// prepareSoftDelete runs before the plan: it reads the soft-deleted versions, restores the requested one
// when it is the plugin's, and tells retention how long its deletions stay recoverable.
func (p *Publisher) prepareSoftDelete(ctx context.Context, req *Request, obs *Observed) error {
	if err := p.observeSoftDeleted(ctx, *req, obs); err != nil {
		return err
	}
	if err := p.restoreOwn(ctx, *req, obs); err != nil {
		return err
	}
	switch {
	case obs.Gallery != nil && obs.Gallery.SoftDelete:
		req.Lifecycle.RecoverableDays = obs.Gallery.RetentionDays
	case obs.Gallery == nil && req.SoftDelete != nil:
		req.Lifecycle.RecoverableDays = req.SoftDelete.RetentionDays
	}
	return nil
}

// softDeletedAsVersions are the soft-deleted numbers as versions "auto" must not reuse.
func softDeletedAsVersions(sd []SoftDeletedVersion) []*ObservedVersion {
	out := make([]*ObservedVersion, 0, len(sd))
	for _, v := range sd {
		out = append(out, &ObservedVersion{Name: v.Name, Tags: v.Tags})
	}
	return out
}

// restoreOwn restores the requested version when it is soft-deleted and the plugin owns it, and reads it
// back into obs.Version so the plan sees it as it was (reuse, converge or a refusal for another source).
// A soft-deleted version the plugin does not own is refused: its number is taken until Azure purges it.
func (p *Publisher) restoreOwn(ctx context.Context, req Request, obs *Observed) error {
	if obs.Version != nil || IsAuto(req.Version.Version) {
		return nil
	}
	i := slices.IndexFunc(obs.SoftDeleted, func(v SoftDeletedVersion) bool { return v.Name == req.Version.Version })
	if i < 0 {
		return nil
	}
	sd := obs.SoftDeleted[i]
	if err := MayWrite(WriteConverge, sd.Tags, req.Lifecycle.RunID); err != nil {
		return fmt.Errorf("version %s is soft-deleted (recoverable until %s) and is not restored: %w; choose another image_version, or restore it yourself", sd.Name, sd.HardDeletion.Format(time.RFC3339), err)
	}
	p.ui.Say(fmt.Sprintf("Version %s was soft-deleted on %s, and this plugin published it: restoring it (restore: true)...", sd.Name, sd.DeletedAt.Format(time.RFC3339)))
	cf, err := p.sess.Compute(req.SubscriptionID)
	if err != nil {
		return err
	}
	poller, err := cf.NewGalleryImageVersionsClient().BeginUpdate(ctx, req.ResourceGroup, req.GalleryName, req.Definition.Name, sd.Name,
		armcompute.GalleryImageVersionUpdate{Properties: &armcompute.GalleryImageVersionProperties{Restore: to.Ptr(true)}}, nil)
	if err == nil {
		_, err = azure.Await(ctx, poller, azure.PollQuick)
	}
	if err != nil {
		return fmt.Errorf("restoring soft-deleted version %s: %w", sd.Name, azure.Explain(err))
	}
	if obs.Version, err = p.getVersion(ctx, cf, req.ResourceGroup, req.GalleryName, req.Definition.Name, sd.Name); err != nil {
		return fmt.Errorf("reading restored version %s: %w", sd.Name, azure.Explain(err))
	}
	obs.Listed = false // the list predates the restore: prepareVersions lists again
	return nil
}

// recoverability is retention's line on what its deletions mean: recoverable for the gallery's
// retention, or permanent.
func recoverability(lc Lifecycle) string {
	if lc.RecoverableDays > 0 {
		return fmt.Sprintf("deleted versions are soft-deleted: recoverable for %d days (restore: true, or re-run the build of that version)", lc.RecoverableDays)
	}
	return "deletions are permanent: the gallery has no soft delete"
}

// softDeleteFrom reads a gallery's soft-delete policy: whether it is on and its retention in days.
func softDeleteFrom(g armcompute.Gallery) (bool, int32) {
	if g.Properties == nil || g.Properties.SoftDeletePolicy == nil {
		return false, 0
	}
	pol := g.Properties.SoftDeletePolicy
	return deref(pol.IsSoftDeleteEnabled), deref(pol.RetentionPeriodInDays)
}
