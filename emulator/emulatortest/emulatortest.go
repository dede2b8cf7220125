// Package emulatortest starts the offline Azure emulator inside a test and builds clients that trust it.
// It is the only emulator package that imports testing.
package emulatortest

import (
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/identity"
)

// Start runs an emulator on 127.0.0.1 with a random port until the test ends. An empty opts.DataDir
// gets t.TempDir().
func Start(t testing.TB, opts emulator.Options) (*emulator.Server, emulator.Ready) {
	t.Helper()
	if opts.DataDir == "" {
		opts.DataDir = t.TempDir()
	}
	srv, err := emulator.New(opts)
	if err != nil {
		t.Fatalf("emulator.New: %v", err)
	}
	ready, err := srv.Start("127.0.0.1:0")
	if err != nil {
		_ = srv.Close()
		t.Fatalf("emulator Start: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv, ready
}

// StartForTest is Start under the name the first plans used.
func StartForTest(t testing.TB, opts emulator.Options) (*emulator.Server, emulator.Ready) {
	t.Helper()
	return Start(t, opts)
}

// Cloud is the cloud configuration for the emulator, as a client would build it from the metadata
// endpoint: the login endpoint and the resource manager are the emulator, with its port-free audience.
func Cloud(r emulator.Ready) cloud.Configuration {
	return cloud.Configuration{
		ActiveDirectoryAuthorityHost: r.Endpoint + "/",
		Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
			cloud.ResourceManager: {Audience: identity.DefaultAudience, Endpoint: r.Endpoint},
		},
	}
}

// ClientOptions are azcore ARM client options for the emulator: its cloud and a transport that trusts its
// CA. Retries keep azcore's defaults except a short delay, so fault tests stay fast.
func ClientOptions(t testing.TB, r emulator.Ready) *arm.ClientOptions {
	t.Helper()
	hc, err := r.HTTPClient()
	if err != nil {
		t.Fatalf("emulator client: %v", err)
	}
	return &arm.ClientOptions{ClientOptions: policy.ClientOptions{
		Cloud:     Cloud(r),
		Transport: hc,
		Retry:     policy.RetryOptions{RetryDelay: 50 * time.Millisecond, MaxRetryDelay: 2 * time.Second},
	}}
}

// Credential is an azidentity ClientSecretCredential for the ready line's client, through the emulator's
// token endpoint (instance discovery off, as for any non-public cloud).
func Credential(t testing.TB, r emulator.Ready) azcore.TokenCredential {
	t.Helper()
	hc, err := r.HTTPClient()
	if err != nil {
		t.Fatalf("emulator client: %v", err)
	}
	cred, err := azidentity.NewClientSecretCredential(r.TenantID, r.ClientID, r.ClientSecret, &azidentity.ClientSecretCredentialOptions{
		ClientOptions:            policy.ClientOptions{Cloud: Cloud(r), Transport: hc},
		DisableInstanceDiscovery: true,
	})
	if err != nil {
		t.Fatalf("credential: %v", err)
	}
	return cred
}
