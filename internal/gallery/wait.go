package gallery

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
)

// versionPoller is the SDK poller of the version PUT.
type versionPoller = runtime.Poller[armcompute.GalleryImageVersionsClientCreateOrUpdateResponse]

// waiter follows one version until it has replicated everywhere or failed.
type waiter struct {
	p    *Publisher
	cf   *armcompute.ClientFactory
	req  Request
	acts *Actions
	// requests counts every ARM request of the wait, retries and throttled re-sends included (the
	// session's per-try counter, through the context).
	requests atomic.Int64
	// primed is a read of the version made just before the wait (the claim's read-back), used as the
	// wait's first read instead of reading again at once.
	primed *ObservedVersion
}

// wait reads the version with $expand=ReplicationStatus on the predictor's schedule and prints what
// changed. The reads decide: a version that reads Succeeded is done, and the PUT's poller is not polled
// (its final poll and GET would only repeat what the read showed); a failed one completes the poller for
// Azure's operation error. A resumed version has no poller.
func (w *waiter) wait(ctx context.Context, poller *versionPoller, start time.Time) (*ObservedVersion, error) {
	ctx = azure.WithCallWatch(ctx, azure.CallWatch{Requests: &w.requests})
	pred := newPredictor(start, w.p.wait)
	prog := newProgressReporter(w.p.ui, w.acts.VersionName)
	for {
		v, err := w.next(ctx)
		if err != nil {
			return nil, err
		}
		now := w.p.now()
		prog.update(v.Regions)
		if failedRegions(v.Regions) != "" || strings.EqualFold(v.ProvisioningState, "Failed") {
			return nil, w.failure(ctx, poller, v)
		}
		if strings.EqualFold(v.ProvisioningState, "Succeeded") {
			return v, nil
		}
		pred.observe(now, v.Regions)
		if eta, ok := pred.eta(); ok {
			prog.eta(now, eta)
		}
		if err := azure.Sleep(ctx, pred.next(now)); err != nil {
			return nil, err
		}
	}
}

// next is the primed read when there is one (once), else a new read.
func (w *waiter) next(ctx context.Context) (*ObservedVersion, error) {
	if v := w.primed; v != nil {
		w.primed = nil
		return v, nil
	}
	return w.read(ctx)
}

func (w *waiter) read(ctx context.Context) (*ObservedVersion, error) {
	v, err := w.p.getVersion(ctx, w.cf, w.req.ResourceGroup, w.req.GalleryName, w.acts.Definition.Name, w.acts.VersionName)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if azure.IsNotFound(err) {
			return nil, w.deletedMeanwhile(err)
		}
		return nil, fmt.Errorf("reading the replication status of version %s: %w", w.acts.VersionName, azure.Explain(err))
	}
	return v, nil
}

// finish completes the PUT's poller once the version reads as failed, for Azure's operation error. It polls at once rather than
// through azure.Await, whose PollUntilDone would first sleep the PUT response's Retry-After although the
// reads already show the end; a further poll sleeps as its Retry-After says.
func (w *waiter) finish(ctx context.Context, poller *versionPoller) error {
	for !poller.Done() {
		resp, err := poller.Poll(ctx) //nolint:bodyclose // azcore has read and closed it; only its headers are used
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("polling the creation of version %s: %w", w.acts.VersionName, azure.Explain(err))
		}
		if poller.Done() {
			break
		}
		if err := azure.Sleep(ctx, min(max(w.p.wait.MinInterval, azure.RetryAfter(resp)), 30*time.Second)); err != nil {
			return err
		}
	}
	if _, err := poller.Result(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// Azure cancels the create's operation when the version is deleted meanwhile: say so.
		if _, gerr := w.p.getVersion(ctx, w.cf, w.req.ResourceGroup, w.req.GalleryName, w.acts.Definition.Name, w.acts.VersionName); azure.IsNotFound(gerr) {
			return w.deletedMeanwhile(err)
		}
		return fmt.Errorf("version %s failed: %w", w.acts.VersionName, azure.Explain(err))
	}
	return nil
}

// deletedMeanwhile is the error for a version that disappeared while the run waited on it.
func (w *waiter) deletedMeanwhile(err error) error {
	return fmt.Errorf("version %s was deleted while this run waited on it (by a person, or by another run's retention: keep_versions without version_major counts every major); it is not re-created: re-run to publish it again: %w", w.acts.VersionName, azure.Explain(err))
}

// failure builds the error for a failed version: each failed region with Azure's details, and Azure's
// operation error when there is one.
func (w *waiter) failure(ctx context.Context, poller *versionPoller, v *ObservedVersion) error {
	name := w.acts.VersionName
	fix := "fix the cause, then delete the version (cleanup_on_failure = true does it) and re-run, or choose another image_version"
	if regions := failedRegions(v.Regions); regions != "" {
		return fmt.Errorf("version %s failed to replicate%s; %s", name, regions, fix)
	}
	if poller != nil {
		if err := w.finish(ctx, poller); err != nil {
			return fmt.Errorf("%w; %s", err, fix)
		}
	}
	return fmt.Errorf("version %s is Failed and Azure gave no details; %s", name, fix)
}

// result turns the final version into a Result.
func (w *waiter) result(v *ObservedVersion, outcome Outcome) *Result {
	res := &Result{
		VersionID: v.ID, Version: w.acts.VersionName, GalleryName: w.req.GalleryName, DefinitionName: w.acts.Definition.Name,
		ResourceGroup: w.req.ResourceGroup, SubscriptionID: w.req.SubscriptionID, Location: w.acts.Location,
		SourceID: v.SourceID, Outcome: outcome, Requests: int(w.requests.Load()),
	}
	states := map[string]string{}
	for _, r := range v.Regions {
		states[r.Name] = r.State
	}
	targets := v.TargetRegions
	if len(targets) == 0 {
		for _, r := range w.acts.Regions {
			targets = append(targets, RegionResult{Name: r.Name, Replicas: r.Replicas, StorageAccountType: r.StorageAccountType})
		}
	}
	for _, t := range targets {
		t.State = orDefault(states[t.Name], "Completed")
		res.Regions = append(res.Regions, t)
	}
	return res
}
