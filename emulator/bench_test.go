package emulator_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/emulatortest"
)

// BenchmarkARMRoundTrip is one authenticated ARM GET through the whole stack (TLS, request log, faults,
// bearer check, ARM) with the real SDK client, on a kept-alive connection.
func BenchmarkARMRoundTrip(b *testing.B) {
	_, ready := emulatortest.Start(b, emulator.Options{})
	rg, err := armresources.NewResourceGroupsClient(ready.SubscriptionID, emulatortest.Credential(b, ready), emulatortest.ClientOptions(b, ready))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := rg.CreateOrUpdate(ctx, "rg", armresources.ResourceGroup{Location: to.Ptr("eastus")}, nil); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := rg.Get(ctx, "rg", nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTokenEndpoint is one client-credentials token request (secret), including the RS256 signature.
func BenchmarkTokenEndpoint(b *testing.B) {
	_, ready := emulatortest.Start(b, emulator.Options{})
	hc, err := ready.HTTPClient()
	if err != nil {
		b.Fatal(err)
	}
	form := "grant_type=client_credentials&client_id=" + ready.ClientID + "&client_secret=" + ready.ClientSecret +
		"&scope=https%3A%2F%2Fmanagement.azure-gallery-emulator.local%2F.default"
	for b.Loop() {
		resp, err := hc.Post(ready.Endpoint+"/"+ready.TenantID+"/oauth2/v2.0/token", "application/x-www-form-urlencoded", strings.NewReader(form))
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("%v %v", resp, err)
		}
		resp.Body.Close()
	}
}
