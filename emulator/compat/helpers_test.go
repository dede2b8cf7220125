package compat_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/emulatortest"
)

// env is one emulator and what a client needs to reach it.
type env struct {
	ready emulator.Ready
	cred  azcore.TokenCredential
	base  *arm.ClientOptions
}

// start runs an emulator with two fast-replicating regions in use (and a third spare).
func start(t *testing.T) *env {
	t.Helper()
	_, ready := emulatortest.Start(t, emulator.Options{
		Regions: []string{"eastus", "westus", "westeurope"},
		Replication: emulator.ReplicationConfig{
			SecondsPerGiB:   0.05,
			RegionBaseDelay: emulator.Duration(300 * time.Millisecond),
		},
		OperationDelay: emulator.Duration(50 * time.Millisecond),
	})
	return &env{ready: ready, cred: emulatortest.Credential(t, ready), base: emulatortest.ClientOptions(t, ready)}
}

// at returns client options that send apiVersion instead of the module's pinned one ("" keeps the
// pin). This is how a client of another api-version is reproduced with the closest SDK major.
func (e *env) at(apiVersion string) *arm.ClientOptions {
	o := *e.base
	o.APIVersion = apiVersion
	return &o
}

// resourceGroup creates a resource group through armresources.
func (e *env) resourceGroup(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	rgs, err := armresources.NewResourceGroupsClient(e.ready.SubscriptionID, e.cred, e.base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rgs.CreateOrUpdate(ctx, name, armresources.ResourceGroup{Location: to.Ptr("eastus")}, nil); err != nil {
		t.Fatalf("resource group %s: %v", name, err)
	}
}

// poll makes pollers quick; the emulator's Retry-After (1–2 s) still paces them.
var poll = &runtime.PollUntilDoneOptions{Frequency: 200 * time.Millisecond}

// capture records the raw response of the call made with the returned context.
func capture(ctx context.Context) (context.Context, func() *http.Response) {
	resp := new(*http.Response)
	return policy.WithCaptureResponse(ctx, resp), func() *http.Response { return *resp }
}

// rawBody decodes a captured response body and checks the api-version the client sent.
func rawBody(t *testing.T, resp *http.Response, wantAPIVersion string) map[string]any {
	t.Helper()
	if resp == nil {
		t.Fatal("no response captured")
	}
	if got := resp.Request.URL.Query().Get("api-version"); got != wantAPIVersion {
		t.Fatalf("%s %s sent api-version %q, want %q", resp.Request.Method, resp.Request.URL.Path, got, wantAPIVersion)
	}
	b, err := runtime.Payload(resp)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("response body %q: %v", b, err)
	}
	return m
}

// lookup reads a dotted path; "[0]" after a key reads an array's first element.
func lookup(m map[string]any, path string) (any, bool) {
	var cur any = m
	for _, p := range strings.Split(path, ".") {
		first := strings.HasSuffix(p, "[0]")
		p = strings.TrimSuffix(p, "[0]")
		o, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = o[p]; !ok {
			return nil, false
		}
		if first {
			arr, ok := cur.([]any)
			if !ok || len(arr) == 0 {
				return nil, false
			}
			cur = arr[0]
		}
	}
	return cur, true
}

// wantAbsent fails for each path present in body.
func wantAbsent(t *testing.T, what string, body map[string]any, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if v, ok := lookup(body, p); ok {
			t.Errorf("%s: %s = %v is present; this api-version does not have it", what, p, v)
		}
	}
}

// wantValue fails unless path holds want (compared as JSON).
func wantValue(t *testing.T, what string, body map[string]any, path string, want any) {
	t.Helper()
	v, ok := lookup(body, path)
	if !ok {
		t.Errorf("%s: %s is absent, want %v", what, path, want)
		return
	}
	a, _ := json.Marshal(v)
	b, _ := json.Marshal(want)
	if string(a) != string(b) {
		t.Errorf("%s: %s = %s, want %s", what, path, a, b)
	}
}

// wantNotFound fails unless err is ARM's 404.
func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	var re *azcore.ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusNotFound {
		t.Errorf("%s after delete: want 404, got %v", what, err)
	}
}

func must[T any](t *testing.T, what string) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}
