package azure

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/emulatortest"
)

func TestMetadataURL(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:8443":          "https://127.0.0.1:8443/metadata/endpoints?api-version=2022-09-01",
		"https://management.x/":   "https://management.x/metadata/endpoints?api-version=2022-09-01",
		"HTTPS://management.x:44": "https://management.x:44/metadata/endpoints?api-version=2022-09-01",
	} {
		got, err := metadataURL(in)
		if err != nil || got != want {
			t.Errorf("metadataURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "http://x", "x/y", "https://", "a b"} {
		if _, err := metadataURL(bad); err == nil {
			t.Errorf("metadataURL(%q) accepted", bad)
		}
	}
}

func TestResolveNamedClouds(t *testing.T) {
	for name, want := range map[string]cloud.Configuration{"": cloud.AzurePublic, "china": cloud.AzureChina, "AzureUSGovernmentCloud": cloud.AzureGovernment} {
		got, custom, err := resolveCloud(context.Background(), &Config{CloudEnvironmentName: name}, nil)
		if err != nil || custom || got.ActiveDirectoryAuthorityHost != want.ActiveDirectoryAuthorityHost {
			t.Errorf("resolveCloud(%q) = %v, %v, %v", name, got.ActiveDirectoryAuthorityHost, custom, err)
		}
	}
}

// TestSessionAgainstEmulator builds a Session the way the post-processor does (metadata_host, a client
// secret, a transport trusting the emulator's CA) and makes a real ARM round trip.
func TestSessionAgainstEmulator(t *testing.T) {
	_, ready := emulatortest.Start(t, emulator.Options{})
	hc, err := ready.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	cfg := &Config{ClientID: ready.ClientID, ClientSecret: ready.ClientSecret, TenantID: ready.TenantID, SubscriptionID: ready.SubscriptionID, MetadataHost: ready.MetadataHost}
	if errs := cfg.validate(timeNow()); len(errs) > 0 {
		t.Fatal(errs)
	}
	ctx := context.Background()
	s, err := NewSession(ctx, cfg, WithTransport(hc))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Cloud().Services[cloud.ResourceManager].Endpoint; got != ready.Endpoint {
		t.Errorf("resource manager endpoint = %q, want %q", got, ready.Endpoint)
	}
	rf, err := s.Resources("")
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := s.Resources(ready.SubscriptionID); again != rf {
		t.Error("client factory not cached per subscription")
	}
	rg := rf.NewResourceGroupsClient()
	if _, err := rg.CreateOrUpdate(ctx, "rg1", armresources.ResourceGroup{Location: to.Ptr("eastus")}, nil); err != nil {
		t.Fatal(err)
	}
	_, err = rg.Get(ctx, "missing", nil)
	e := Classify(err)
	if e == nil || !strings.EqualFold(e.Code, "ResourceGroupNotFound") || e.Meaning == "" || e.StatusCode != 404 || !IsNotFound(err) {
		t.Fatalf("Classify = %+v (err %v)", e, err)
	}
	cf, err := s.Compute("")
	if err != nil || cf == nil {
		t.Fatal(err)
	}

	// Without tenant_id the tenant is found from the subscription, as the azure-arm builder does.
	noTenant := *cfg
	noTenant.TenantID = ""
	s3, err := NewSession(ctx, &noTenant, WithTransport(hc))
	if err != nil {
		t.Fatalf("tenant discovery: %v", err)
	}
	rf3, _ := s3.Resources("")
	if _, err := rf3.NewResourceGroupsClient().Get(ctx, "rg1", nil); err != nil {
		t.Fatalf("call with a discovered tenant: %v", err)
	}

	// Without the emulator's CA the metadata fetch fails, and says what to check.
	_, err = NewSession(ctx, cfg)
	if err == nil || !strings.Contains(err.Error(), "metadata_host: reading") {
		t.Fatalf("untrusted CA: %v", err)
	}

	// A wrong secret is a credential error on the first call.
	bad := *cfg
	bad.ClientSecret = "wrong"
	s2, err := NewSession(ctx, &bad, WithTransport(hc))
	if err != nil {
		t.Fatal(err)
	}
	rf2, _ := s2.Resources("")
	if _, err := rf2.NewResourceGroupsClient().Get(ctx, "rg1", nil); err == nil {
		t.Fatal("wrong secret accepted")
	}
}

func TestOIDCFetcher(t *testing.T) {
	calls := 0
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if r.Header.Get("Authorization") != "Bearer req-token" || r.URL.Query().Get("audience") != oidcAudience || r.URL.Query().Get("api-version") != "2.0" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(w, `{"count":1,"value":"jwt-%d"}`, calls)
	}))
	defer srv.Close()
	fetch := oidcFetcher(srv.URL+"/token?api-version=2.0", "req-token", srv.Client())
	for i := 1; i <= 2; i++ {
		got, err := fetch(context.Background())
		if err != nil || got != fmt.Sprintf("jwt-%d", i) {
			t.Fatalf("fetch %d = %q, %v (must re-fetch every time)", i, got, err)
		}
	}
	_, err := oidcFetcher(srv.URL+"/token?api-version=2.0", "wrong", srv.Client())(context.Background())
	if err == nil || !strings.Contains(err.Error(), "HTTP 401") {
		t.Fatalf("wrong token: %v", err)
	}
}

func responseError(status int, code, body string) error {
	resp := &http.Response{
		StatusCode: status,
		Header:     http.Header{"X-Ms-Request-Id": []string{"req-123"}, "Content-Type": []string{"application/json"}},
		Body:       io.NopCloser(strings.NewReader(body)),
		Request:    httptestRequest(),
	}
	if code != "" {
		resp.Header.Set("x-ms-error-code", code)
	}
	return runtime.NewResponseError(resp)
}

func httptestRequest() *http.Request {
	r, _ := http.NewRequest(http.MethodPut, "https://management.azure.com/subscriptions/s/x", nil)
	return r
}

func TestClassify(t *testing.T) {
	if Classify(nil) != nil || Classify(errors.New("dial tcp: refused")) != nil {
		t.Fatal("non-Azure errors must classify to nil")
	}
	known := fmt.Errorf("creating version: %w", responseError(409, "", `{"error":{"code":"PropertyChangeNotAllowed","message":"Changing property 'source' is not allowed.","target":"properties.storageProfile.source"}}`))
	e := Classify(known)
	if e == nil || e.Code != "PropertyChangeNotAllowed" || e.Target != "properties.storageProfile.source" || e.RequestID != "req-123" || e.Fix == "" {
		t.Fatalf("known: %+v", e)
	}
	for _, want := range []string{"cannot change after creation", "choose another version number", "Changing property 'source'", "code PropertyChangeNotAllowed", "HTTP 409", "request ID req-123"} {
		if !strings.Contains(e.Error(), want) {
			t.Errorf("%q lacks %q", e.Error(), want)
		}
	}
	if !HasCode(known, "propertychangenotallowed") || IsNotFound(known) {
		t.Error("HasCode/IsNotFound")
	}
	unknown := Classify(responseError(400, "WeirdNewCode", `{"error":{"code":"WeirdNewCode","message":"something odd"}}`))
	if unknown.Meaning != "" || !strings.Contains(unknown.Error(), "Azure error: something odd; code WeirdNewCode, HTTP 400, request ID req-123") {
		t.Errorf("unknown: %q", unknown.Error())
	}
	if !errors.Is(Explain(known), known) && Classify(Explain(known)) != Classify(known) {
		t.Error("Explain lost the chain")
	}
	var asErr *Error
	if !errors.As(Explain(known), &asErr) {
		t.Error("Explain result is not *Error")
	}
	for code := range explanations {
		if code != strings.ToLower(code) || explanations[code].fix == "" || explanations[code].meaning == "" {
			t.Errorf("table row %q must be lower case with a meaning and a fix", code)
		}
	}
}

// TestCertificateCredentialAgainstEmulator signs in with client_cert_path (a PEM with the certificate
// and its key), as an app registration with a certificate credential does.
func TestCertificateCredentialAgainstEmulator(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "packer"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	path := filepath.Join(t.TempDir(), "sp.pem")
	if err := os.WriteFile(path, append(certPEM, keyPEM...), 0o600); err != nil {
		t.Fatal(err)
	}
	const tenant, app = "33333333-3333-3333-3333-333333333333", "44444444-4444-4444-4444-444444444444"
	_, ready := emulatortest.Start(t, emulator.Options{
		Tenants: []string{tenant},
		Clients: []emulator.ClientConfig{{ClientID: app, TenantID: tenant, Certificates: []string{string(certPEM)}}},
	})
	hc, err := ready.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	cfg := &Config{ClientID: app, ClientCertPath: path, TenantID: tenant, SubscriptionID: ready.SubscriptionID, MetadataHost: ready.MetadataHost}
	if errs := cfg.validate(time.Now()); len(errs) > 0 {
		t.Fatal(errs)
	}
	s, err := NewSession(context.Background(), cfg, WithTransport(hc))
	if err != nil {
		t.Fatal(err)
	}
	rf, _ := s.Resources("")
	if _, err := rf.NewResourceGroupsClient().CreateOrUpdate(context.Background(), "rg", armresources.ResourceGroup{Location: to.Ptr("eastus")}, nil); err != nil {
		t.Fatalf("ARM call with a certificate credential: %v", err)
	}
}

func TestDiscoverTenant(t *testing.T) {
	challenge := true
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" || r.URL.Path != "/subscriptions/sub-1" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if challenge {
			w.Header().Set("WWW-Authenticate", `Bearer authorization_uri="https://login.example/tenant-42", error="invalid_token"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	cfg := cloud.Configuration{Services: map[cloud.ServiceName]cloud.ServiceConfiguration{cloud.ResourceManager: {Endpoint: srv.URL}}}
	got, err := discoverTenant(context.Background(), cfg, "sub-1", srv.Client())
	if err != nil || got != "tenant-42" {
		t.Fatalf("discoverTenant = %q, %v", got, err)
	}
	challenge = false
	if _, err := discoverTenant(context.Background(), cfg, "sub-1", srv.Client()); err == nil || !strings.Contains(err.Error(), "without a tenant challenge") {
		t.Fatalf("no challenge: %v", err)
	}
}
