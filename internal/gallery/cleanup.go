package gallery

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
)

// cleanupBudget bounds cleanup, which runs on a context detached from a cancelled build.
const cleanupBudget = 5 * time.Minute

// cleanup deletes what this run created, newest first, each only after reading it back and finding this
// run's ID on it (MayWrite WriteCleanup): a lost reply may have created a version the run never heard of,
// and a concurrent run may own what this run only tried to create. Each delete retries Azure's 409
// CannotDeleteResource within a bound (delete.go). After an interrupt it only starts the version's
// deletion (a definition cannot go before its versions are gone, and Ctrl-C must return promptly). At the
// end it names every resource of this run it had to leave, with its ID and the reason.
func (p *Publisher) cleanup(ctx context.Context, req Request, a *Actions, run *runRecord) {
	if len(run.sent) == 0 && !run.definition && !run.gallery {
		p.ui.Message("cleanup_on_failure: this run created nothing; nothing to delete.")
		return
	}
	interrupted := ctx.Err() != nil
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupBudget)
	defer cancel()
	cf, err := p.sess.Compute(req.SubscriptionID)
	if err != nil {
		p.ui.Error(fmt.Sprintf("cleanup_on_failure: %v", azure.Explain(err)))
		return
	}
	sub := orDefault(req.SubscriptionID, p.sess.SubscriptionID())
	rg, g, d := req.ResourceGroup, req.GalleryName, a.Definition.Name
	var left leftovers
	defer func() { left.report(p.ui, "cleanup_on_failure") }()
	// blocked is why the parents cannot go: set once a child stays.
	blocked := ""
	for _, name := range run.sent {
		if why := p.cleanupVersion(cctx, cf, req, a, name, interrupted); why != "" {
			left.add(versionTarget(sub, rg, g, d, name), why)
			blocked = "not attempted: version " + name + " is still there"
		}
	}
	if interrupted && blocked == "" {
		blocked = "interrupted: delete it once this run's version is gone"
	}
	if run.definition {
		if blocked != "" {
			left.add(definitionTarget(sub, rg, g, d), blocked)
		} else if why := p.cleanupDefinition(cctx, cf, req, a); why != "" {
			left.add(definitionTarget(sub, rg, g, d), why)
			blocked = "not attempted: image definition " + d + " is still there"
		}
	}
	if run.gallery {
		if blocked != "" {
			left.add(galleryTarget(sub, rg, g), blocked)
		} else if why := p.cleanupGallery(cctx, cf, req); why != "" {
			left.add(galleryTarget(sub, rg, g), why)
		}
	}
}

// cleanupVersion deletes version name if it exists and this run created it. It returns why the version
// is still there, or "" when it is gone or is not this run's to delete.
func (p *Publisher) cleanupVersion(ctx context.Context, cf *armcompute.ClientFactory, req Request, a *Actions, name string, interrupted bool) string {
	v, err := p.getVersion(ctx, cf, req.ResourceGroup, req.GalleryName, a.Definition.Name, name)
	switch {
	case azure.IsNotFound(err):
		return ""
	case err != nil:
		return fmt.Sprintf("could not be read back: %v", azure.Explain(err))
	}
	if why := MayWrite(WriteCleanup, v.Tags, req.Lifecycle.RunID); why != nil {
		p.ui.Message(fmt.Sprintf("cleanup_on_failure: version %s is left: %v.", name, why))
		return ""
	}
	p.ui.Say(fmt.Sprintf("cleanup_on_failure: deleting version %s, which this run created (run tag %s)...", name, req.Lifecycle.RunID))
	sub := orDefault(req.SubscriptionID, p.sess.SubscriptionID())
	return leftReason(p.deleteVersion(ctx, cf.NewGalleryImageVersionsClient(), sub, req.ResourceGroup, req.GalleryName, a.Definition.Name, name, interrupted))
}

// cleanupDefinition deletes the image definition if this run created it; it returns why it is still
// there, or "".
func (p *Publisher) cleanupDefinition(ctx context.Context, cf *armcompute.ClientFactory, req Request, a *Actions) string {
	client := cf.NewGalleryImagesClient()
	d, err := client.Get(ctx, req.ResourceGroup, req.GalleryName, a.Definition.Name, nil)
	if azure.IsNotFound(err) {
		return ""
	}
	if err == nil {
		err = MayWrite(WriteCleanup, plainTags(d.Tags), req.Lifecycle.RunID)
	}
	if err != nil {
		return fmt.Sprint(azure.Explain(err))
	}
	p.ui.Say(fmt.Sprintf("cleanup_on_failure: deleting image definition %s, which this run created...", a.Definition.Name))
	sub := orDefault(req.SubscriptionID, p.sess.SubscriptionID())
	return leftReason(p.deleteDefinition(ctx, client, sub, req.ResourceGroup, req.GalleryName, a.Definition.Name))
}

// cleanupGallery deletes the gallery if this run created it; it returns why it is still there, or "".
func (p *Publisher) cleanupGallery(ctx context.Context, cf *armcompute.ClientFactory, req Request) string {
	client := cf.NewGalleriesClient()
	g, err := client.Get(ctx, req.ResourceGroup, req.GalleryName, nil)
	if azure.IsNotFound(err) {
		return ""
	}
	if err == nil {
		err = MayWrite(WriteCleanup, plainTags(g.Tags), req.Lifecycle.RunID)
	}
	if err != nil {
		return fmt.Sprint(azure.Explain(err))
	}
	p.ui.Say(fmt.Sprintf("cleanup_on_failure: deleting gallery %s, which this run created...", req.GalleryName))
	sub := orDefault(req.SubscriptionID, p.sess.SubscriptionID())
	return leftReason(p.deleteGallery(ctx, client, sub, req.ResourceGroup, req.GalleryName))
}

// leftReason is Azure's error behind a failed delete, for the list of leftovers ("" when it succeeded).
func leftReason(err error) string {
	if err == nil {
		return ""
	}
	var le *leftError
	if errors.As(err, &le) {
		return fmt.Sprint(le.err)
	}
	return err.Error()
}

// leftBehind names the versions this failed run created and leaves (cleanup_on_failure is off), read back
// so that a version created by a lost reply is named too.
func (p *Publisher) leftBehind(ctx context.Context, req Request, a *Actions, run *runRecord) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	cf, err := p.sess.Compute(req.SubscriptionID)
	if err != nil {
		return
	}
	for _, name := range run.sent {
		v, err := p.getVersion(cctx, cf, req.ResourceGroup, req.GalleryName, a.Definition.Name, name)
		if err == nil && CreatedByRun(v.Tags, req.Lifecycle.RunID) {
			p.ui.Error(fmt.Sprintf("Version %s was created by this run (run tag %s) and is left in place; re-run the same build to resume, or set cleanup_on_failure = true to delete it on failure.", name, req.Lifecycle.RunID))
		} else if err != nil && !azure.IsNotFound(err) {
			p.ui.Error(fmt.Sprintf("Version %s may have been created by this run (run tag %s): reading it back failed: %v", name, req.Lifecycle.RunID, azure.Explain(err)))
		}
	}
}

// plainTags turns Azure's tag map into plain strings (never nil).
func plainTags(in map[string]*string) map[string]string {
	out := make(map[string]string, len(in))
	for k, v := range in {
		out[k] = deref(v)
	}
	return out
}
