package gallery

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
)

// applyLifecycle runs retention and demotion once the published version has fully replicated (Publish
// calls it only after a successful wait, so a failed publish prunes nothing). It reads the versions again,
// since concurrent runs may have published meanwhile, and reports problems without failing the publish:
// the new version is good whatever happens to the old ones.
func (p *Publisher) applyLifecycle(ctx context.Context, req Request, res *Result) *RetentionPlan {
	cf, err := p.sess.Compute(req.SubscriptionID)
	if err == nil {
		var versions []*ObservedVersion
		if versions, err = p.listVersions(ctx, cf, req); err == nil {
			plan := PlanRetention(versions, res.Version, req.Lifecycle, p.now())
			p.carryOut(ctx, cf, req, &plan)
			return &plan
		}
	}
	p.ui.Error(fmt.Sprintf("Retention: %v; nothing was pruned or demoted.", err))
	return &RetentionPlan{Failed: []string{err.Error()}}
}

// carryOut acts on the plan, or only prints it in a dry run. Failures are added to plan.Failed.
func (p *Publisher) carryOut(ctx context.Context, cf *armcompute.ClientFactory, req Request, plan *RetentionPlan) {
	prefix := "Retention"
	if req.Lifecycle.DryRun {
		prefix = "Retention (dry run, nothing is changed)"
	}
	if plan.Empty() {
		p.ui.Say(prefix + ": no superseded version to prune or demote.")
		return
	}
	for _, l := range plan.lines() {
		p.ui.Say(prefix + ": " + l)
	}
	if len(plan.Delete) > 0 {
		plan.RecoverableDays = req.Lifecycle.RecoverableDays
		p.ui.Say(prefix + ": " + recoverability(req.Lifecycle)) // softdelete.go
	}
	if req.Lifecycle.DryRun {
		return
	}
	client := cf.NewGalleryImageVersionsClient()
	def := req.Definition.Name
	fail := func(v string, err error) {
		plan.Failed = append(plan.Failed, fmt.Sprintf("%s: %v", v, err))
		p.ui.Error(fmt.Sprintf("Retention: %s: %v", v, err))
	}
	for _, v := range plan.Delete {
		if err := p.recheck(ctx, client, req, v); err != nil {
			fail(v, fmt.Errorf("not deleted: %w", err))
			continue
		}
		if err := p.deleteVersion(ctx, client, orDefault(req.SubscriptionID, p.sess.SubscriptionID()), req.ResourceGroup, req.GalleryName, def, v, false); err != nil {
			fail(v, fmt.Errorf("not deleted: %w", err))
			continue
		}
		p.ui.Message(fmt.Sprintf("Retention: deleted version %s.", v))
	}
	for _, v := range plan.EndOfLife {
		if err := p.recheck(ctx, client, req, v); err != nil {
			fail(v, fmt.Errorf("end of life not set: %w", err))
			continue
		}
		body := armcompute.GalleryImageVersionUpdate{Properties: &armcompute.GalleryImageVersionProperties{
			PublishingProfile: &armcompute.GalleryImageVersionPublishingProfile{EndOfLifeDate: to.Ptr(plan.EndOfLifeAt)}}}
		poller, err := client.BeginUpdate(ctx, req.ResourceGroup, req.GalleryName, def, v, body, nil)
		if err == nil {
			_, err = azure.Await(ctx, poller, azure.PollQuick)
		}
		if err != nil {
			fail(v, fmt.Errorf("end of life not set: %w", azure.Explain(err)))
		}
	}
	for _, d := range plan.Demote {
		if err := p.demote(ctx, client, req, d); err != nil {
			fail(d.Version, err)
			continue
		}
		p.ui.Message(fmt.Sprintf("Retention: version %s now lives in %s only.", d.Version, strings.Join(d.Keep, ", ")))
	}
}

// demote shrinks one version to the kept regions: read, modify, write, verify. targetRegions is a full
// replacement without an ETag, so the write starts from a fresh read (keeping each kept region's own
// settings) and a read afterwards checks that no concurrent writer changed it meanwhile.
func (p *Publisher) demote(ctx context.Context, client *armcompute.GalleryImageVersionsClient, req Request, d Demotion) error {
	def := req.Definition.Name
	cur, err := client.Get(ctx, req.ResourceGroup, req.GalleryName, def, d.Version, nil)
	if err != nil {
		return fmt.Errorf("not demoted: %w", azure.Explain(err))
	}
	pr := cur.Properties
	if pr == nil || pr.PublishingProfile == nil {
		return fmt.Errorf("not demoted: Azure returned no publishing profile")
	}
	if err := MayWrite(WriteRetire, plainTags(cur.Tags), req.Lifecycle.RunID); err != nil {
		return fmt.Errorf("not demoted: %w", err)
	}
	if sp := pr.SafetyProfile; sp != nil && sp.AllowDeletionOfReplicatedLocations != nil && !*sp.AllowDeletionOfReplicatedLocations {
		return fmt.Errorf("not demoted: allowDeletionOfReplicatedLocations is false")
	}
	var keep []*armcompute.TargetRegion
	for _, tr := range pr.PublishingProfile.TargetRegions {
		if tr != nil && slices.Contains(d.Keep, NormalizeRegion(deref(tr.Name))) {
			keep = append(keep, tr)
		}
	}
	if len(keep) == len(pr.PublishingProfile.TargetRegions) {
		return nil // someone else already demoted it
	}
	body := armcompute.GalleryImageVersionUpdate{Properties: &armcompute.GalleryImageVersionProperties{
		PublishingProfile: &armcompute.GalleryImageVersionPublishingProfile{TargetRegions: keep}}}
	poller, err := client.BeginUpdate(ctx, req.ResourceGroup, req.GalleryName, def, d.Version, body, nil)
	if err == nil {
		_, err = azure.Await(ctx, poller, azure.PollQuick)
	}
	if err != nil {
		return fmt.Errorf("not demoted: %w", azure.Explain(err))
	}
	after, err := client.Get(ctx, req.ResourceGroup, req.GalleryName, def, d.Version, nil)
	if err != nil {
		return fmt.Errorf("demoted, but reading it back failed: %w", azure.Explain(err))
	}
	got := versionFrom(after.GalleryImageVersion)
	var names []string
	for _, r := range got.TargetRegions {
		names = append(names, r.Name)
	}
	slices.Sort(names)
	want := slices.Clone(d.Keep)
	slices.Sort(want)
	if !slices.Equal(names, want) {
		return fmt.Errorf("after demotion it has regions %s, not %s: a concurrent writer changed it; re-run to converge", strings.Join(names, ", "), strings.Join(want, ", "))
	}
	return nil
}

// recheck reads a version again just before retention writes to it, and refuses the write when it is no
// longer the plugin's or someone has since excluded it or blocked its deletion: the plan was made from
// a list read earlier.
func (p *Publisher) recheck(ctx context.Context, client *armcompute.GalleryImageVersionsClient, req Request, name string) error {
	cur, err := client.Get(ctx, req.ResourceGroup, req.GalleryName, req.Definition.Name, name, nil)
	if err != nil {
		return azure.Explain(err)
	}
	v := versionFrom(cur.GalleryImageVersion)
	if err := MayWrite(WriteRetire, v.Tags, req.Lifecycle.RunID); err != nil {
		return err
	}
	if reason := untouchable(v, p.now()); reason != "" {
		return fmt.Errorf("%s", reason)
	}
	return nil
}
