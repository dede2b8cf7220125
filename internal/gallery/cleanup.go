package gallery

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
)

// cleanupBudget bounds cleanup, which runs on a context detached from a cancelled build.
const cleanupBudget = 5 * time.Minute

// cleanup deletes what this run created, newest first, each only after reading it back and finding this
// run's ID on it (MayWrite WriteCleanup): a lost reply may have created a version the run never heard of,
// and a concurrent run may own what this run only tried to create. After an interrupt it only starts the
// version's deletion (a definition cannot go before its versions are gone, and Ctrl-C must return
// promptly), and names what it left.
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
	for _, name := range run.sent {
		if !p.cleanupVersion(cctx, cf, req, a, name, interrupted) {
			return
		}
	}
	if interrupted {
		var left []string
		if run.definition {
			left = append(left, "image definition "+a.Definition.Name)
		}
		if run.gallery {
			left = append(left, "gallery "+req.GalleryName)
		}
		if len(left) > 0 {
			p.ui.Message(fmt.Sprintf("cleanup_on_failure: interrupted, so %s (created by this run) were left; delete them once the version is gone.", strings.Join(left, " and ")))
		}
		return
	}
	if run.definition && !p.cleanupDefinition(cctx, cf, req, a) {
		return
	}
	if run.gallery {
		p.cleanupGallery(cctx, cf, req)
	}
}

// cleanupVersion deletes version name if it exists and this run created it. It returns false when
// cleanup must stop (the version may still exist).
func (p *Publisher) cleanupVersion(ctx context.Context, cf *armcompute.ClientFactory, req Request, a *Actions, name string, interrupted bool) bool {
	client := cf.NewGalleryImageVersionsClient()
	v, err := p.getVersion(ctx, cf, req.ResourceGroup, req.GalleryName, a.Definition.Name, name)
	switch {
	case azure.IsNotFound(err):
		return true
	case err != nil:
		p.ui.Error(fmt.Sprintf("cleanup_on_failure: could not read version %s back, so it is left: %v", name, azure.Explain(err)))
		return false
	}
	if why := MayWrite(WriteCleanup, v.Tags, req.Lifecycle.RunID); why != nil {
		p.ui.Message(fmt.Sprintf("cleanup_on_failure: version %s is left: %v.", name, why))
		return true
	}
	p.ui.Say(fmt.Sprintf("cleanup_on_failure: deleting version %s, which this run created...", name))
	sub := orDefault(req.SubscriptionID, p.sess.SubscriptionID())
	if err := p.deleteVersion(ctx, client, sub, req.ResourceGroup, req.GalleryName, a.Definition.Name, name, interrupted); err != nil {
		p.ui.Error(fmt.Sprintf("cleanup_on_failure: version %s was created by this run (run tag %s) and is left: %v", name, req.Lifecycle.RunID, err))
		return false
	}
	return true
}

func (p *Publisher) cleanupDefinition(ctx context.Context, cf *armcompute.ClientFactory, req Request, a *Actions) bool {
	client := cf.NewGalleryImagesClient()
	d, err := client.Get(ctx, req.ResourceGroup, req.GalleryName, a.Definition.Name, nil)
	if azure.IsNotFound(err) {
		return true
	}
	if err == nil {
		err = MayWrite(WriteCleanup, plainTags(d.Tags), req.Lifecycle.RunID)
	}
	if err != nil {
		p.ui.Message(fmt.Sprintf("cleanup_on_failure: image definition %s is left: %v.", a.Definition.Name, azure.Explain(err)))
		return false
	}
	p.ui.Say(fmt.Sprintf("cleanup_on_failure: deleting image definition %s, which this run created...", a.Definition.Name))
	sub := orDefault(req.SubscriptionID, p.sess.SubscriptionID())
	if err := p.deleteDefinition(ctx, client, sub, req.ResourceGroup, req.GalleryName, a.Definition.Name); err != nil {
		p.ui.Error(fmt.Sprintf("cleanup_on_failure: image definition %s was created by this run and is left: %v", a.Definition.Name, err))
		return false
	}
	return true
}

func (p *Publisher) cleanupGallery(ctx context.Context, cf *armcompute.ClientFactory, req Request) {
	client := cf.NewGalleriesClient()
	g, err := client.Get(ctx, req.ResourceGroup, req.GalleryName, nil)
	if azure.IsNotFound(err) {
		return
	}
	if err == nil {
		err = MayWrite(WriteCleanup, plainTags(g.Tags), req.Lifecycle.RunID)
	}
	if err != nil {
		p.ui.Message(fmt.Sprintf("cleanup_on_failure: gallery %s is left: %v.", req.GalleryName, azure.Explain(err)))
		return
	}
	p.ui.Say(fmt.Sprintf("cleanup_on_failure: deleting gallery %s, which this run created...", req.GalleryName))
	sub := orDefault(req.SubscriptionID, p.sess.SubscriptionID())
	if err := p.deleteGallery(ctx, client, sub, req.ResourceGroup, req.GalleryName); err != nil {
		p.ui.Error(fmt.Sprintf("cleanup_on_failure: gallery %s was created by this run and is left: %v", req.GalleryName, err))
	}
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
