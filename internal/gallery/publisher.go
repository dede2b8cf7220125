package gallery

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
)

// Publisher publishes versions through one azure.Session. It holds no per-publish state, so one
// Publisher can run several publishes at once.
type Publisher struct {
	sess *azure.Session
	ui   Reporter
	// now and sleep are the clock; tests and benchmarks keep the real one.
	now func() time.Time
	// wait tunes the adaptive polling.
	wait WaitOptions
	// deleteBound is how long a delete retries 409 CannotDeleteResource (deleteBound; tests shorten it).
	deleteBound time.Duration
}

// NewPublisher returns a Publisher that reports to r (nil discards output).
func NewPublisher(sess *azure.Session, r Reporter) *Publisher {
	if r == nil {
		r = discard{}
	}
	return &Publisher{sess: sess, ui: r, now: time.Now, wait: WaitOptions{}.withDefaults(), deleteBound: deleteBound}
}

// SetWaitOptions changes the polling tuning (for tests and benchmarks).
func (p *Publisher) SetWaitOptions(w WaitOptions) { p.wait = w.withDefaults() }

type discard struct{}

func (discard) Say(string)     {}
func (discard) Message(string) {}
func (discard) Error(string)   {}

// errTimeout is the cause of the publish context when Request.Timeout elapses.
var errTimeout = errors.New("timeout")

// Publish runs observe → plan → act → wait. On failure it deletes what this run created when
// CleanupOnFailure is set, and never anything else.
func (p *Publisher) Publish(ctx context.Context, req Request) (*Result, error) {
	start := p.now()
	timeout := req.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, errTimeout)
	defer cancel()
	ctx = azure.WithCallWatch(ctx, azure.CallWatch{Timeout: timeout, Notify: p.throttled})

	subID := req.SubscriptionID
	if subID == "" {
		subID = p.sess.SubscriptionID()
	}
	p.ui.Say(fmt.Sprintf("Reading source %s and gallery %s...", req.SourceID, req.GalleryName))
	obs, err := p.Observe(ctx, req)
	if err != nil {
		return nil, p.interrupted(ctx, err, req, timeout, false)
	}
	p.ui.Message(fmt.Sprintf("Source: %s %s in %s, %d GiB.", obs.Source.OSType, obs.Source.Kind, obs.Source.Location, obs.Source.SizeGiB))
	req.Lifecycle.RunID = newRunID(req.Lifecycle)
	req.Lifecycle.Major = req.Version.Major
	if err := p.prepareSoftDelete(ctx, &req, obs); err != nil { // softdelete.go
		return nil, p.interrupted(ctx, err, req, timeout, false)
	}
	_, auto, err := p.prepareVersions(ctx, &req, obs)
	if err != nil {
		return nil, err
	}
	replaced, err := forceCheck(req, obs) // force.go
	if err != nil {
		return nil, err
	}
	acts, err := Plan(req, obs)
	if err != nil {
		return nil, err
	}
	for _, n := range acts.Notes {
		p.ui.Say(n)
	}
	p.ui.Message(footprintLine(acts))
	if err := p.forceDelete(ctx, req, acts, replaced); err != nil {
		return nil, p.interrupted(ctx, err, req, timeout, false)
	}

	run := &runRecord{auto: auto, attempts: 1}
	res, err := p.execute(ctx, req, obs, acts, run)
	if err != nil {
		err = p.interrupted(ctx, err, req, timeout, len(run.sent) > 0 || acts.Version == VersionResume)
		if req.CleanupOnFailure {
			p.cleanup(ctx, req, acts, run)
		} else if len(run.sent) > 0 {
			p.leftBehind(ctx, req, acts, run)
		}
		return nil, err
	}
	res.SubscriptionID = subID
	if res.SourceID == "" {
		res.SourceID = obs.Source.ID
	}
	res.Attempts = run.attempts
	res.ClaimWindow = run.window
	res.Duration = p.now().Sub(start)
	p.ui.Say(fmt.Sprintf("Published %s (%s) in %s; the wait made %d ARM request(s).", res.VersionID, res.Outcome, res.Duration.Round(time.Second), res.Requests))
	if req.Lifecycle.active() {
		res.Retention = p.applyLifecycle(ctx, req, res)
	}
	return res, nil
}

// interrupted rewrites a context error into one that says what happened and how to resume.
// replicating says whether a version exists that Azure keeps working on.
func (p *Publisher) interrupted(ctx context.Context, err error, req Request, timeout time.Duration, replicating bool) error {
	if ctx.Err() == nil {
		return err
	}
	what := "interrupted"
	if errors.Is(context.Cause(ctx), errTimeout) {
		what = fmt.Sprintf("timed out after %s (timeout)", timeout)
	}
	if !replicating {
		return fmt.Errorf("%s before version %s was created; re-run the same build to publish it (%w)", what, req.Version.Version, ctx.Err())
	}
	how := "re-run the same build: the publish finds the version and resumes waiting"
	if what != "interrupted" {
		how += ", or raise timeout"
	}
	return fmt.Errorf("%s while version %s replicates; Azure keeps replicating it: %s (%w)", what, req.Version.Version, how, ctx.Err())
}

func footprintLine(a *Actions) string {
	var parts []string
	for _, r := range a.Regions {
		parts = append(parts, fmt.Sprintf("%s×%d", r.Name, r.Replicas))
		for _, s := range a.ReplicaSets[r.Name] {
			parts = append(parts, fmt.Sprintf("%s+%s×%d", r.Name, s.StorageAccountType, s.Replicas))
		}
	}
	replicas, _ := a.storageBreakdown()
	if replicas == 0 {
		return ""
	}
	size := a.FootprintGiB / replicas
	return fmt.Sprintf("Storage footprint: %d GiB (%d GiB × %d replicas: %s; by storage: %s).", a.FootprintGiB, size, replicas, strings.Join(parts, ", "), storageFootprintDetail(a, size))
}

// runRecord is what this run created or tried to create, so cleanup deletes exactly that (each after
// reading it back).
type runRecord struct {
	gallery, definition bool
	// version says a version read back with this run's ID; sent lists every number a PUT was sent for
	// (a lost reply may have created it).
	version bool
	sent    []string
	// auto says the number is automatic, so a taken number moves on; attempts counts the numbers tried.
	auto     bool
	attempts int
	// window is the longest time from reading a number as free to the PUT's reply: the race window.
	window time.Duration
}

// execute carries out the plan and waits.
func (p *Publisher) execute(ctx context.Context, req Request, obs *Observed, acts *Actions, run *runRecord) (*Result, error) {
	cf, err := p.sess.Compute(req.SubscriptionID)
	if err != nil {
		return nil, err
	}
	if acts.CreateGallery {
		if err := p.createGallery(ctx, cf, req, acts); err != nil {
			return nil, err
		}
		run.gallery = true
	}
	if acts.CreateDefinition {
		if err := p.createDefinition(ctx, cf, req, acts); err != nil {
			return nil, err
		}
		run.definition = true
	} else if len(acts.DefinitionUpdates) > 0 {
		if err := p.updateDefinition(ctx, cf, req, acts, obs.Definition); err != nil {
			return nil, err
		}
	}
	w := &waiter{p: p, cf: cf, req: req, acts: acts}
	switch acts.Version {
	case VersionReuse:
		return w.result(obs.Version, OutcomeReused), nil
	case VersionResume:
		v, err := w.wait(ctx, nil, obs.Version.Start)
		if err != nil {
			return nil, err
		}
		return w.result(v, OutcomeResumed), nil
	case VersionUpdate:
		updStart := p.now()
		poller, err := p.updateVersion(ctx, cf, req, acts, obs.Version)
		if err != nil {
			return nil, err
		}
		v, err := w.wait(ctx, nil, updStart)
		if err == nil {
			err = w.finishUpdate(ctx, poller)
		}
		if err != nil {
			return nil, err
		}
		res := w.result(v, OutcomeUpdated)
		res.Changes = acts.VersionUpdates
		return res, nil
	}
	return p.create(ctx, cf, w, obs, run)
}

// create claims a number, waits for it, and checks that the replicated version still carries this run's
// ID: a concurrent PUT that read the number as free just before this run created it overwrites it (the
// race window of docs/reliability.md), and then the version is the other run's.
func (p *Publisher) create(ctx context.Context, cf *armcompute.ClientFactory, w *waiter, obs *Observed, run *runRecord) (*Result, error) {
	req, acts := w.req, w.acts
	for {
		putStart := p.now()
		poller, after, err := p.claimVersion(ctx, cf, req, acts, obs.Source, run)
		if err != nil {
			return nil, err
		}
		w.primed = after
		v, err := w.wait(ctx, poller, putStart)
		if err != nil {
			return nil, err
		}
		if CreatedByRun(v.Tags, req.Lifecycle.RunID) {
			return w.result(v, OutcomeCreated), nil
		}
		run.version = false
		if err := p.nextNumber(ctx, cf, req, acts, run, takenBy(v, obs.Source), p.now().Sub(putStart)); err != nil {
			return nil, err
		}
	}
}
