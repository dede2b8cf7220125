package importer

import (
	"context"
	"errors"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/hashicorp/packer-plugin-sdk/multistep"
)

// wait polls a long-running operation until it ends; cancelling ctx (Ctrl-C) returns at once.
func wait[T any](ctx context.Context, p *runtime.Poller[T], az *clients) (T, error) {
	return p.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: az.pollEvery})
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
