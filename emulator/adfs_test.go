package emulator_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/emulatortest"
)

// TestADFSAuthority: the /adfs authority that MSAL Python (azure-cli) uses without instance discovery
// serves OpenID discovery and a token endpoint issuing the client's home-tenant token, which ARM accepts.
func TestADFSAuthority(t *testing.T) {
	srv, ready := emulatortest.Start(t, emulator.Options{})
	hc := client(t, ready)
	resp, err := hc.Get(ready.Endpoint + "/adfs/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Issuer        string `json:"issuer"`
		TokenEndpoint string `json:"token_endpoint"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	if resp.StatusCode != 200 || doc.Issuer != ready.Endpoint+"/adfs" || doc.TokenEndpoint != ready.Endpoint+"/adfs/oauth2/token" {
		t.Fatalf("discovery: %d %+v", resp.StatusCode, doc)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {ready.ClientID}, "client_secret": {ready.ClientSecret},
		"scope": {strings.TrimSuffix(srv.Identity().Audience(), "/") + "/.default"}}
	resp, err = hc.PostForm(doc.TokenEndpoint, form)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if resp.StatusCode != 200 || tok.AccessToken == "" {
		t.Fatalf("token: %d", resp.StatusCode)
	}
	claims, err := srv.Identity().VerifyAccessToken(tok.AccessToken)
	if err != nil || !strings.EqualFold(claims.TenantID, ready.TenantID) {
		t.Fatalf("token claims %+v %v", claims, err)
	}
	req, _ := http.NewRequest("GET", ready.Endpoint+"/subscriptions?api-version=2019-11-01", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	if resp, err := hc.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("ARM with the ADFS token: %v %v", resp, err)
	}
	form.Set("client_secret", "wrong")
	if resp, err := hc.PostForm(doc.TokenEndpoint, form); err != nil || resp.StatusCode != 401 {
		t.Fatalf("wrong secret: %v %v", resp, err)
	}
}
