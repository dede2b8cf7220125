package importer

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/hashicorp/packer-plugin-sdk/multistep"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
)

// wait polls a long-running operation until it ends, through the plugin's one LRO wait
// (azure.Await); cancelling ctx (Ctrl-C) returns at once.
func wait[T any](ctx context.Context, p *runtime.Poller[T], az *clients) (T, error) {
	return azure.Await(ctx, p, az.pollEvery)
}

// remove deletes a resource this run created through the plugin's one delete (azure.Delete: a 404 is
// done, 409 CannotDeleteResource is retried within a bound).
func remove[T any](ctx context.Context, az *clients, ui packersdk.Ui, what string, begin func(context.Context) (*runtime.Poller[T], error)) error {
	return azure.Delete(ctx, begin, azure.DeleteOptions{Every: az.pollEvery, OnRetry: func(attempt int, d time.Duration, _ error) {
		ui.Say(fmt.Sprintf("  %s: Azure still holds its nested resources (409 CannotDeleteResource); retry %d in %s.", what, attempt, d))
	}})
}

// watchThrottling makes the run's ARM calls say on ui when Azure throttles them and until when they wait.
func watchThrottling(ctx context.Context, ui packersdk.Ui) context.Context {
	return azure.WithCallWatch(ctx, azure.CallWatch{Notify: func(th azure.Throttle) { ui.Say("  " + th.String()) }})
}

// isNotFound reports a 404 from Azure, which for a GET before a create means the name is free.
func isNotFound(err error) bool {
	var re *azcore.ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusNotFound
}

// failed reports whether the build is ending in failure or cancellation, when cleanup must remove what
// this run created.
func failed(state multistep.StateBag) bool {
	_, cancelled := state.GetOk(multistep.StateCancelled)
	_, halted := state.GetOk(multistep.StateHalted)
	_, errored := state.GetOk("error")
	return cancelled || halted || errored
}

// named is a resource's quoted name with its ID when known, for messages about what a build left.
func named(name, id string) string {
	if id == "" {
		return fmt.Sprintf("%q", name)
	}
	return fmt.Sprintf("%q (%s)", name, id)
}
