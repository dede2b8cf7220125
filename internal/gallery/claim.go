package gallery

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
)

// claimVersion creates the version and makes sure this run created it. Azure has no If-None-Match on
// gallery image versions (and armcompute's options offer none), so ownership is decided by reading
// back, never by the status code: the run reads the number first and never PUTs over a version it has
// seen exist (MayWrite WriteCreate); after the PUT, whatever it answered (201, 200 after azcore retried a
// PUT whose reply was lost, or an error), the version is this run's only when it reads back with this
// run's ID. A taken number moves "auto" on to the next one (up to maxAutoAttempts); an explicit version
// fails instead. The poller is nil when the PUT's reply was lost: the wait's reads decide then. The
// version as read back is returned too: it is the wait's first read.
func (p *Publisher) claimVersion(ctx context.Context, cf *armcompute.ClientFactory, req Request, a *Actions, src Source, run *runRecord) (*versionPoller, *ObservedVersion, error) {
	for {
		sent := time.Now()
		c, err := p.claimOnce(ctx, cf, req, a, src, run)
		if err != nil || c.lost == "" {
			return c.poller, c.after, err
		}
		if err := p.nextNumber(ctx, cf, req, a, run, c.lost, time.Since(sent)); err != nil {
			return nil, nil, err
		}
	}
}

// claim is what one claim found: the PUT's poller and the version as read back when it is this run's,
// or lost, who holds the number when it is not.
type claim struct {
	poller *versionPoller
	after  *ObservedVersion
	lost   string
}

// claimOnce is one read, PUT, read back.
func (p *Publisher) claimOnce(ctx context.Context, cf *armcompute.ClientFactory, req Request, a *Actions, src Source, run *runRecord) (claim, error) {
	def := a.Definition.Name
	before, err := p.getVersion(ctx, cf, req.ResourceGroup, req.GalleryName, def, a.VersionName)
	switch {
	case err == nil:
		return claim{lost: takenBy(before, src)}, nil
	case !azure.IsNotFound(err):
		return claim{}, fmt.Errorf("reading version %s before creating it: %w", a.VersionName, azure.Explain(err))
	}
	run.sent = appendOnce(run.sent, a.VersionName)
	poller, putErr := p.putVersion(ctx, cf, req, a, src, run)
	if putErr != nil && azure.HasCode(putErr, "PropertyChangeNotAllowed") {
		return claim{lost: "another publish created it from a different source"}, nil
	}
	after, err := p.getVersion(ctx, cf, req.ResourceGroup, req.GalleryName, def, a.VersionName)
	switch {
	case err != nil && putErr != nil:
		return claim{}, putErr
	case azure.IsNotFound(err):
		return claim{}, fmt.Errorf("version %s: Azure accepted the PUT but the version does not read back; re-run the build", a.VersionName)
	case err != nil:
		return claim{}, fmt.Errorf("reading version %s back after creating it: %w", a.VersionName, azure.Explain(err))
	case !CreatedByRun(after.Tags, req.Lifecycle.RunID):
		return claim{lost: takenBy(after, src)}, nil
	}
	run.version = true
	if putErr != nil {
		p.ui.Message(fmt.Sprintf("The reply to the creation of version %s was lost (%v), but it reads back with this run's ID: it is this run's; waiting for it.", a.VersionName, azure.Explain(putErr)))
		return claim{after: after}, nil
	}
	return claim{poller: poller, after: after}, nil
}

// maxPutTries bounds the tries of one version PUT.
const maxPutTries = 7

// putVersion sends the version PUT with azcore's blind retries off: a retry of a throttled or failed PUT
// first reads the number again and stops when it exists (a PUT whose reply was lost, or another run's
// version), so no retry ever lands on a version that appeared meanwhile. The race window is therefore
// one read-to-reply round trip per try, which run.window records. The caller's read-back decides.
func (p *Publisher) putVersion(ctx context.Context, cf *armcompute.ClientFactory, req Request, a *Actions, src Source, run *runRecord) (*versionPoller, error) {
	once := azure.WithNoResend(policy.WithRetryOptions(ctx, policy.RetryOptions{MaxRetries: -1}))
	absentAt := time.Now()
	for try := 1; ; try++ {
		poller, err := p.createVersion(once, cf, req, a, src)
		run.window = max(run.window, time.Since(absentAt))
		if err == nil || !retriable(ctx, err) || try >= maxPutTries {
			return poller, err
		}
		if serr := azure.Sleep(ctx, putBackoff(err, try)); serr != nil {
			return nil, err
		}
		_, gerr := p.getVersion(ctx, cf, req.ResourceGroup, req.GalleryName, a.Definition.Name, a.VersionName)
		if !azure.IsNotFound(gerr) {
			return nil, err
		}
		absentAt = time.Now()
	}
}

// retriable says whether a PUT failure is worth another try: throttling, a server error, or a transport
// error (no reply at all).
func retriable(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		return true
	}
	switch re.StatusCode {
	case http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// putBackoff is the pause before another try: the reply's Retry-After, at least an exponential backoff
// from 500 ms (capped at 16 s).
func putBackoff(err error, try int) time.Duration {
	floor := min(500*time.Millisecond<<(try-1), 16*time.Second)
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return max(azure.RetryAfter(re.RawResponse), floor)
	}
	return floor
}

// takenBy says who holds a number this run did not create.
func takenBy(v *ObservedVersion, src Source) string {
	from := "from the same source"
	if !strings.EqualFold(strings.TrimSpace(v.SourceID), strings.TrimSpace(src.ID)) {
		from = "from a different source"
	}
	switch {
	case !Owns(v.Tags):
		return "it exists " + from + " and was not published by this plugin"
	case v.Tags[RunIDTagKey] != "":
		return fmt.Sprintf("another publish (run %s) created it %s", v.Tags[RunIDTagKey], from)
	}
	return "another publish created it " + from
}

// nextNumber moves an automatic version on to the next free number after one was taken; an explicit
// version fails.
func (p *Publisher) nextNumber(ctx context.Context, cf *armcompute.ClientFactory, req Request, a *Actions, run *runRecord, lost string, latency time.Duration) error {
	if !run.auto {
		return fmt.Errorf("version %s: %s; re-run to reuse it, or choose another image_version (an existing version is never overwritten)", a.VersionName, lost)
	}
	if run.attempts >= maxAutoAttempts {
		return fmt.Errorf("image_version = \"auto\": %d numbers in a row were taken by concurrent publishes (last %s: %s); re-run the build", run.attempts, a.VersionName, lost)
	}
	taken, _ := ParseVersion(a.VersionName)
	if err := azure.Sleep(ctx, retryJitter(run.attempts, latency)); err != nil {
		return err
	}
	versions, err := p.listVersions(ctx, cf, req)
	if err != nil {
		return err
	}
	next, err := pickAuto(versions, req.Version, &taken)
	if err != nil {
		return err
	}
	p.ui.Say(fmt.Sprintf("Version %s was taken (%s): trying %s.", a.VersionName, lost, next))
	a.VersionName = next
	run.attempts++
	return nil
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
