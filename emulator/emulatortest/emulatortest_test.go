package emulatortest_test

import (
	"context"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/emulatortest"
)

func TestStartCredentialAndClientOptions(t *testing.T) {
	srv, ready := emulatortest.Start(t, emulator.Options{})
	cred := emulatortest.Credential(t, ready)
	tok, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{emulatortest.Cloud(ready).Services["resourceManager"].Audience + "/.default"}})
	if err != nil {
		t.Fatal(err)
	}
	claims, err := srv.Identity().VerifyAccessToken(tok.Token)
	if err != nil || claims.TenantID != ready.TenantID || claims.AppID != ready.ClientID {
		t.Fatalf("token: %+v %v", claims, err)
	}
	rg, err := armresources.NewResourceGroupsClient(ready.SubscriptionID, cred, emulatortest.ClientOptions(t, ready))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rg.CreateOrUpdate(context.Background(), "rg1", armresources.ResourceGroup{Location: to.Ptr("eastus")}, nil); err != nil {
		t.Fatal(err)
	}
	got, err := rg.Get(context.Background(), "rg1", nil)
	if err != nil || *got.Name != "rg1" {
		t.Fatalf("get: %+v %v", got, err)
	}
	if ready.CAFile == "" || ready.MetadataHost == "" {
		t.Errorf("ready: %+v", ready)
	}
}
