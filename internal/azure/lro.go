package azure

import (
	"context"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// How often long-running operations are polled when Azure's answer carries no Retry-After (the SDK's
// poller uses Retry-After when there is one, and the session's throttle policy honours a long one).
// These are the only polling frequencies of the plugin; the version's replication wait is scheduled by
// internal/gallery's predictor instead, because it reads progress rather than an operation.
const (
	// PollQuick suits operations that take seconds: galleries, definitions, updates and deletes.
	PollQuick = time.Second
	// PollDisk suits managed disks and images, which take seconds to minutes.
	PollDisk = 3 * time.Second
)

// Await polls a long-running operation until it ends, every `every` unless Azure asks otherwise;
// cancelling ctx (Ctrl-C) returns at once. It is the one LRO wait of the post-processor and the builder.
func Await[T any](ctx context.Context, p *runtime.Poller[T], every time.Duration) (T, error) {
	return p.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: every})
}

// DeleteOptions tune Delete. Zero values take the defaults.
type DeleteOptions struct {
	// Every is the poll frequency (default PollQuick).
	Every time.Duration
	// Bound is how long a delete keeps retrying CannotDeleteResource (default 2 minutes, and never past
	// ctx's deadline).
	Bound time.Duration
	// FirstDelay is the first back-off after CannotDeleteResource (default 2s); it doubles up to 20s.
	FirstDelay time.Duration
	// NoWait starts the delete and returns without polling it (cleanup after Ctrl-C).
	NoWait bool
	// OnRetry is told about each retry (the attempt number and the wait before it).
	OnRetry func(attempt int, wait time.Duration, err error)
}

// codeCannotDelete is ARM's answer to deleting a parent whose nested resources are still going away:
// 409 "Can not delete resource before nested resources are deleted." for 10–20 s after a version's
// delete finished.
const codeCannotDelete = "CannotDeleteResource"

// Delete runs a delete (begin starts it) to its end. A 409 CannotDeleteResource is retried with
// back-off within Bound; a 404 means the resource is already gone. It is the one delete of the plugin.
func Delete[T any](ctx context.Context, begin func(context.Context) (*runtime.Poller[T], error), o DeleteOptions) error {
	o = o.withDefaults()
	stop := time.Now().Add(o.Bound)
	delay := o.FirstDelay
	for attempt := 1; ; attempt++ {
		err := deleteOnce(ctx, begin, o)
		if err == nil || isGone(err) {
			return nil
		}
		if !HasCode(err, codeCannotDelete) || ctx.Err() != nil || time.Now().Add(delay).After(stop) {
			return err
		}
		if dl, ok := ctx.Deadline(); ok && time.Now().Add(delay).After(dl) {
			return err
		}
		if o.OnRetry != nil {
			o.OnRetry(attempt, delay, err)
		}
		if serr := Sleep(ctx, delay); serr != nil {
			return err
		}
		delay = min(2*delay, 20*time.Second)
	}
}

func deleteOnce[T any](ctx context.Context, begin func(context.Context) (*runtime.Poller[T], error), o DeleteOptions) error {
	p, err := begin(ctx)
	if err != nil || o.NoWait {
		return err
	}
	_, err = Await(ctx, p, o.Every)
	return err
}

func (o DeleteOptions) withDefaults() DeleteOptions {
	if o.Every <= 0 {
		o.Every = PollQuick
	}
	if o.Bound <= 0 {
		o.Bound = 2 * time.Minute
	}
	if o.FirstDelay <= 0 {
		o.FirstDelay = 2 * time.Second
	}
	return o
}

// isGone reports a 404 on a delete: the resource (or its parent) no longer exists, which is what the
// delete wanted.
func isGone(err error) bool { return IsNotFound(err) }
