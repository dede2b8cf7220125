package emulator_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"
	"github.com/golang-jwt/jwt/v5"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/emulatortest"
)

const (
	homeTenant  = "aaaaaaaa-1111-1111-1111-111111111111"
	otherTenant = "bbbbbbbb-2222-2222-2222-222222222222"
	homeSub     = "11111111-aaaa-aaaa-aaaa-111111111111"
	otherSub    = "22222222-bbbb-bbbb-bbbb-222222222222"
	multiApp    = "cccccccc-3333-3333-3333-333333333333"
	fedApp      = "dddddddd-4444-4444-4444-444444444444"
	certApp     = "eeeeeeee-5555-5555-5555-555555555555"
	fedSubject  = "repo:octo/images:ref:refs/heads/main"
)

// TestCrossTenantWithAuxiliaryTokens: a request to another tenant's subscription fails with
// InvalidAuthenticationTokenTenant unless azcore's AuxiliaryTenants adds a token of that tenant.
func TestCrossTenantWithAuxiliaryTokens(t *testing.T) {
	_, ready := emulatortest.Start(t, emulator.Options{
		Subscriptions: []emulator.SubscriptionConfig{{ID: homeSub, TenantID: homeTenant}, {ID: otherSub, TenantID: otherTenant}},
		Clients:       []emulator.ClientConfig{{ClientID: multiApp, ClientSecret: "pw", TenantID: homeTenant, Tenants: []string{otherTenant}}},
	})
	hc, _ := ready.HTTPClient()
	cl := emulatortest.Cloud(ready)
	cred, err := azidentity.NewClientSecretCredential(homeTenant, multiApp, "pw", &azidentity.ClientSecretCredentialOptions{
		ClientOptions: policy.ClientOptions{Cloud: cl, Transport: hc}, DisableInstanceDiscovery: true, AdditionallyAllowedTenants: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	plain, _ := armresources.NewResourceGroupsClient(otherSub, cred, emulatortest.ClientOptions(t, ready))
	_, err = plain.CreateOrUpdate(ctx, "rg", armresources.ResourceGroup{Location: to.Ptr("eastus")}, nil)
	wantCode(t, "cross-tenant without auxiliary token", err, "InvalidAuthenticationTokenTenant")

	opts := emulatortest.ClientOptions(t, ready)
	opts.AuxiliaryTenants = []string{otherTenant}
	aux, _ := armresources.NewResourceGroupsClient(otherSub, cred, opts)
	if _, err := aux.CreateOrUpdate(ctx, "rg", armresources.ResourceGroup{Location: to.Ptr("eastus")}, nil); err != nil {
		t.Fatalf("cross-tenant with AuxiliaryTenants: %v", err)
	}
}

// TestWorkloadIdentityFederation: azidentity's ClientAssertionCredential with a token from a local OIDC
// issuer, matched against a federated credential from the config.
func TestWorkloadIdentityFederation(t *testing.T) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	var issuer *httptest.Server
	issuer = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			_ = json.NewEncoder(w).Encode(map[string]string{"issuer": issuer.URL, "jwks_uri": issuer.URL + "/keys"})
		case "/keys":
			_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{"kty": "RSA", "kid": "k1",
				"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()), "e": "AQAB"}}})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(issuer.Close)
	_, ready := emulatortest.Start(t, emulator.Options{
		Tenants: []string{homeTenant},
		Clients: []emulator.ClientConfig{{ClientID: fedApp, TenantID: homeTenant,
			FederatedCredentials: []emulator.FederatedCredentialConfig{{Issuer: issuer.URL, Subject: fedSubject}}}},
	})
	assertion := func(sub string) func(context.Context) (string, error) {
		return func(context.Context) (string, error) {
			tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"iss": issuer.URL, "sub": sub,
				"aud": "api://AzureADTokenExchange", "exp": time.Now().Add(5 * time.Minute).Unix()})
			tok.Header["kid"] = "k1"
			return tok.SignedString(key)
		}
	}
	hc, _ := ready.HTTPClient()
	scope := emulatortest.Cloud(ready).Services["resourceManager"].Audience + "/.default"
	for _, c := range []struct {
		sub string
		ok  bool
	}{{fedSubject, true}, {"repo:octo/images:pull_request", false}} {
		cred, err := azidentity.NewClientAssertionCredential(homeTenant, fedApp, assertion(c.sub), &azidentity.ClientAssertionCredentialOptions{
			ClientOptions: policy.ClientOptions{Cloud: emulatortest.Cloud(ready), Transport: hc}, DisableInstanceDiscovery: true})
		if err != nil {
			t.Fatal(err)
		}
		_, err = cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{scope}})
		var authErr *azidentity.AuthenticationFailedError
		switch {
		case c.ok && err != nil:
			t.Errorf("subject %s: %v", c.sub, err)
		case !c.ok && !errors.As(err, &authErr):
			t.Errorf("subject %s: want AuthenticationFailedError, got %v", c.sub, err)
		case !c.ok && authErr.RawResponse.StatusCode != 400:
			t.Errorf("subject %s: status %d", c.sub, authErr.RawResponse.StatusCode)
		}
	}
}

// TestClientCertificateCredential: azidentity's certificate credential against a certificate registered
// in the config as PEM text.
func TestClientCertificateCredential(t *testing.T) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "packer"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	cert, _ := x509.ParseCertificate(der)
	_, ready := emulatortest.Start(t, emulator.Options{
		Tenants:       []string{homeTenant},
		Subscriptions: []emulator.SubscriptionConfig{{ID: homeSub}},
		Clients: []emulator.ClientConfig{{ClientID: certApp, TenantID: homeTenant,
			Certificates: []string{string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))}}},
	})
	hc, _ := ready.HTTPClient()
	cred, err := azidentity.NewClientCertificateCredential(homeTenant, certApp, []*x509.Certificate{cert}, key, &azidentity.ClientCertificateCredentialOptions{
		ClientOptions: policy.ClientOptions{Cloud: emulatortest.Cloud(ready), Transport: hc}, DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	rg, _ := armresources.NewResourceGroupsClient(homeSub, cred, emulatortest.ClientOptions(t, ready))
	if _, err := rg.CreateOrUpdate(context.Background(), "rg", armresources.ResourceGroup{Location: to.Ptr("eastus")}, nil); err != nil {
		t.Fatalf("certificate credential: %v", err)
	}
}
