package identity

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	tenantA = "aaaaaaaa-0000-0000-0000-000000000001"
	tenantB = "bbbbbbbb-0000-0000-0000-000000000002"
	subA    = "5ub5ub00-0000-0000-0000-00000000000a"
	subB    = "5ub5ub00-0000-0000-0000-00000000000b"
	appID   = "c11e0700-0000-0000-0000-000000000001"
	secret  = "s3cret~value"
)

// fakeClock is a settable clock for expiry tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	svc   *Service
	srv   *httptest.Server
	clock *fakeClock
}

// newFixture serves the identity endpoints and, behind RequireBearer, a handler that answers 200 "ok".
func newFixture(t *testing.T, mutate func(*Config)) *fixture {
	t.Helper()
	clock := &fakeClock{t: time.Now()}
	cfg := Config{
		DataDir:             t.TempDir(),
		Tenants:             []string{tenantA, tenantB},
		SubscriptionTenants: map[string]string{subA: tenantA, subB: tenantB},
		Clients: []Client{{ID: appID, Secret: secret, TenantID: tenantA, ObjectID: "0b1ec700-0000-0000-0000-000000000001", Tenants: []string{tenantB}},
			{ID: "c11e0700-0000-0000-0000-000000000002", Secret: "other", TenantID: tenantA}},
		Clock: clock.Now,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	svc, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	svc.Register(mux)
	mux.Handle("/", svc.RequireBearer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &fixture{svc: svc, srv: srv, clock: clock}
}

type tokenReply struct {
	status int
	body   map[string]any
}

func (f *fixture) token(t *testing.T, tenant string, form url.Values) tokenReply {
	t.Helper()
	resp, err := http.PostForm(f.srv.URL+"/"+tenant+"/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return tokenReply{resp.StatusCode, body}
}

func secretForm(client, sec, scope string) url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "client_id": {client}, "client_secret": {sec}, "scope": {scope}}
}

func errorCode(t *testing.T, r tokenReply) int {
	t.Helper()
	codes, _ := r.body["error_codes"].([]any)
	if len(codes) != 1 {
		t.Fatalf("want one error code, got status %d body %v", r.status, r.body)
	}
	for _, k := range []string{"error", "error_description", "timestamp", "trace_id", "correlation_id"} {
		if _, ok := r.body[k].(string); !ok {
			t.Errorf("error body lacks %q: %v", k, r.body)
		}
	}
	return int(codes[0].(float64))
}

func (f *fixture) get(t *testing.T, path string, headers map[string]string) (*http.Response, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp, body
}

func armCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func TestTokenWithSecret(t *testing.T) {
	f := newFixture(t, nil)
	f.svc.SetTokenLifetime(90 * time.Second)
	r := f.token(t, tenantA, secretForm(appID, secret, DefaultAudience+"/.default"))
	if r.status != 200 {
		t.Fatalf("status %d: %v", r.status, r.body)
	}
	if r.body["expires_in"].(float64) != 90 || r.body["token_type"] != "Bearer" {
		t.Errorf("expires_in/token_type = %v/%v", r.body["expires_in"], r.body["token_type"])
	}
	claims, err := f.svc.VerifyAccessToken(r.body["access_token"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if claims.TenantID != tenantA || claims.AppID != appID || claims.ObjectID != "0b1ec700-0000-0000-0000-000000000001" {
		t.Errorf("claims = %+v", claims)
	}
	if got := claims.Expires.Sub(f.clock.Now()); got < 89*time.Second || got > 90*time.Second {
		t.Errorf("exp is %v from now, want 90s", got)
	}
	// The scope may name the audience without its trailing slash, too.
	if r := f.token(t, tenantA, secretForm(appID, secret, strings.TrimSuffix(DefaultAudience, "/")+"/.default")); r.status != 200 {
		t.Errorf("scope without trailing slash: %d %v", r.status, r.body)
	}
	resp, _ := f.get(t, "/subscriptions/"+subA+"/resourcegroups", map[string]string{"Authorization": "Bearer " + r.body["access_token"].(string)})
	if resp.StatusCode != 200 {
		t.Errorf("ARM call with the token: %d", resp.StatusCode)
	}
}

func TestTokenErrors(t *testing.T) {
	f := newFixture(t, nil)
	scope := DefaultAudience + ".default"
	cases := []struct {
		name, tenant string
		form         url.Values
		status, code int
	}{
		{"bad secret", tenantA, secretForm(appID, "wrong", scope), 401, 7000215},
		{"unknown client", tenantA, secretForm("no-such-app", secret, scope), 400, 700016},
		{"client not in tenant", tenantB, secretForm("c11e0700-0000-0000-0000-000000000002", "other", scope), 400, 700016},
		{"unknown tenant", "cccccccc-0000-0000-0000-000000000003", secretForm(appID, secret, scope), 400, 90002},
		{"wrong resource", tenantA, secretForm(appID, secret, "https://graph.microsoft.com/.default"), 400, 500011},
		{"scope without .default", tenantA, secretForm(appID, secret, DefaultAudience+"user_impersonation"), 400, 1002012},
		{"no credential", tenantA, url.Values{"grant_type": {"client_credentials"}, "client_id": {appID}, "scope": {scope}}, 401, 7000218},
		{"wrong grant", tenantA, url.Values{"grant_type": {"password"}, "client_id": {appID}}, 400, 70003},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.token(t, c.tenant, c.form)
			if r.status != c.status || errorCode(t, r) != c.code {
				t.Errorf("got %d %v, want %d AADSTS%d", r.status, r.body["error_codes"], c.status, c.code)
			}
		})
	}
}

func TestBearerRejections(t *testing.T) {
	f := newFixture(t, nil)
	good, err := f.svc.IssueToken(appID, tenantA)
	if err != nil {
		t.Fatal(err)
	}
	otherKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	forged := signClaims(t, otherKey, f.svc.pki.kid, jwt.MapClaims{"aud": DefaultAudience, "tid": tenantA,
		"iss": "https://" + TokenIssuerHost + "/" + tenantA + "/", "exp": time.Now().Add(time.Hour).Unix()})
	wrongAud := signClaims(t, f.svc.pki.signingKey, f.svc.pki.kid, jwt.MapClaims{"aud": "https://management.azure.com/", "tid": tenantA,
		"iss": "https://" + TokenIssuerHost + "/" + tenantA + "/", "exp": time.Now().Add(time.Hour).Unix()})
	cases := []struct{ name, auth, code string }{
		{"missing", "", "AuthenticationFailed"},
		{"not bearer", "Basic Zm9vOmJhcg==", "AuthenticationFailed"},
		{"garbage", "Bearer not.a.jwt", "InvalidAuthenticationToken"},
		{"forged signature", "Bearer " + forged, "InvalidAuthenticationToken"},
		{"wrong audience", "Bearer " + wrongAud, "InvalidAuthenticationTokenAudience"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := map[string]string{}
			if c.auth != "" {
				h["Authorization"] = c.auth
			}
			resp, body := f.get(t, "/subscriptions/"+subA+"/resourcegroups", h)
			checkChallenge(t, resp, body, c.code, tenantA)
		})
	}
	resp, _ := f.get(t, "/subscriptions/"+subA+"/resourcegroups", map[string]string{"Authorization": "Bearer " + good})
	if resp.StatusCode != 200 {
		t.Errorf("good token: %d", resp.StatusCode)
	}
}

func checkChallenge(t *testing.T, resp *http.Response, body map[string]any, code, tenant string) {
	t.Helper()
	if resp.StatusCode != 401 || armCode(body) != code {
		t.Fatalf("got %d %v, want 401 %s", resp.StatusCode, body, code)
	}
	ch := resp.Header.Get("WWW-Authenticate")
	if !strings.HasPrefix(ch, `Bearer authorization_uri="`) || !strings.Contains(ch, "/"+tenant+`"`) || !strings.Contains(ch, `error="invalid_token"`) || !strings.Contains(ch, "error_description=") {
		t.Errorf("WWW-Authenticate = %q", ch)
	}
}

func signClaims(t *testing.T, key any, kid string, claims jwt.MapClaims) string {
	t.Helper()
	method := jwt.SigningMethod(jwt.SigningMethodRS256)
	if _, ok := key.(*ecdsa.PrivateKey); ok {
		method = jwt.SigningMethodES256
	}
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestExpiredToken(t *testing.T) {
	f := newFixture(t, nil)
	f.svc.SetTokenLifetime(5 * time.Second)
	r := f.token(t, tenantA, secretForm(appID, secret, DefaultAudience+".default"))
	tok := r.body["access_token"].(string)
	auth := map[string]string{"Authorization": "Bearer " + tok}
	if resp, _ := f.get(t, "/subscriptions/"+subA, auth); resp.StatusCode != 200 {
		t.Fatalf("fresh token refused: %d", resp.StatusCode)
	}
	f.clock.Add(6 * time.Second)
	resp, body := f.get(t, "/subscriptions/"+subA, auth)
	checkChallenge(t, resp, body, "ExpiredAuthenticationToken", tenantA)
	if msg := body["error"].(map[string]any)["message"].(string); !strings.Contains(msg, "is earlier than current UTC time") {
		t.Errorf("message = %q", msg)
	}
}

func TestAuxiliaryTenant(t *testing.T) {
	f := newFixture(t, nil)
	tokA, _ := f.svc.IssueToken(appID, tenantA)
	tokB, _ := f.svc.IssueToken(appID, tenantB)
	path := "/subscriptions/" + subB + "/resourceGroups/rg"

	resp, body := f.get(t, path, map[string]string{"Authorization": "Bearer " + tokA})
	checkChallenge(t, resp, body, "InvalidAuthenticationTokenTenant", tenantB)

	resp, _ = f.get(t, path, map[string]string{"Authorization": "Bearer " + tokA, "x-ms-authorization-auxiliary": "Bearer " + tokA + ", Bearer " + tokB})
	if resp.StatusCode != 200 {
		t.Errorf("with auxiliary token for the subscription's tenant: %d", resp.StatusCode)
	}
	resp, body = f.get(t, path, map[string]string{"Authorization": "Bearer " + tokA, "x-ms-authorization-auxiliary": "Bearer " + tokA})
	checkChallenge(t, resp, body, "InvalidAuthenticationTokenTenant", tenantB)

	if resp, _ := f.get(t, path, map[string]string{"Authorization": "Bearer " + tokB}); resp.StatusCode != 200 {
		t.Errorf("token of the subscription's own tenant: %d", resp.StatusCode)
	}
	// A token of tenant A works on A's subscription without any auxiliary header.
	if resp, _ := f.get(t, "/subscriptions/"+subA, map[string]string{"Authorization": "Bearer " + tokA}); resp.StatusCode != 200 {
		t.Errorf("home subscription: %d", resp.StatusCode)
	}
}

// oidcIssuer is a tiny external OIDC issuer (like GitHub Actions') with its own key.
type oidcIssuer struct {
	srv *httptest.Server
	key *rsa.PrivateKey
	kid string
}

func newOIDCIssuer(t *testing.T) *oidcIssuer {
	t.Helper()
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	iss := &oidcIssuer{key: key, kid: "issuer-key-1"}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"issuer": iss.srv.URL, "jwks_uri": iss.srv.URL + "/keys"})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"keys": []any{rsaJWK(&key.PublicKey, iss.kid)}})
	})
	iss.srv = httptest.NewServer(mux)
	t.Cleanup(iss.srv.Close)
	return iss
}

func (i *oidcIssuer) assertion(t *testing.T, sub, aud string, exp time.Time) string {
	return signClaims(t, i.key, i.kid, jwt.MapClaims{"iss": i.srv.URL, "sub": sub, "aud": aud, "exp": exp.Unix(), "iat": time.Now().Unix()})
}

func assertionForm(client, assertion string) url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "client_id": {client}, "scope": {DefaultAudience + ".default"},
		"client_assertion_type": {jwtBearerAssertionType}, "client_assertion": {assertion}}
}

func TestFederatedAssertion(t *testing.T) {
	iss := newOIDCIssuer(t)
	const fedApp = "fed00000-0000-0000-0000-000000000001"
	const subject = "repo:octo/app:ref:refs/heads/main"
	f := newFixture(t, func(c *Config) {
		c.Clients = append(c.Clients, Client{ID: fedApp, TenantID: tenantA,
			FederatedCredentials: []FederatedCredential{{Issuer: iss.srv.URL, Subject: subject}}})
	})
	exp := time.Now().Add(5 * time.Minute)
	good := f.token(t, tenantA, assertionForm(fedApp, iss.assertion(t, subject, DefaultFederatedAudience, exp)))
	if good.status != 200 {
		t.Fatalf("good assertion: %d %v", good.status, good.body)
	}
	if c, err := f.svc.VerifyAccessToken(good.body["access_token"].(string)); err != nil || c.AppID != fedApp {
		t.Errorf("federated token: %+v %v", c, err)
	}

	otherKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	forged := signClaims(t, otherKey, iss.kid, jwt.MapClaims{"iss": iss.srv.URL, "sub": subject, "aud": DefaultFederatedAudience, "exp": exp.Unix()})
	foreign := signClaims(t, iss.key, iss.kid, jwt.MapClaims{"iss": "https://token.actions.githubusercontent.com", "sub": subject, "aud": DefaultFederatedAudience, "exp": exp.Unix()})
	cases := []struct {
		name, client, assertion string
		code                    int
	}{
		{"wrong subject", fedApp, iss.assertion(t, "repo:octo/app:ref:refs/heads/dev", DefaultFederatedAudience, exp), 700213},
		{"subject matching is case-sensitive", fedApp, iss.assertion(t, strings.ToUpper(subject), DefaultFederatedAudience, exp), 700213},
		{"wrong audience", fedApp, iss.assertion(t, subject, "api://SomethingElse", exp), 700212},
		{"unknown issuer", fedApp, foreign, 700211},
		{"client without federated credentials", appID, iss.assertion(t, subject, DefaultFederatedAudience, exp), 70021},
		{"forged signature", fedApp, forged, 700027},
		{"expired", fedApp, iss.assertion(t, subject, DefaultFederatedAudience, time.Now().Add(-time.Minute)), 700024},
		{"malformed", fedApp, "not-a-jwt", 50027},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.token(t, tenantA, assertionForm(c.client, c.assertion))
			if r.status == 200 || errorCode(t, r) != c.code {
				t.Errorf("got %d %v, want AADSTS%d", r.status, r.body["error_codes"], c.code)
			}
		})
	}
}

func TestCertificateAssertion(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "app"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	cert, _ := x509.ParseCertificate(der)
	const certApp = "ce700000-0000-0000-0000-000000000001"
	f := newFixture(t, func(c *Config) {
		c.Clients = append(c.Clients, Client{ID: certApp, TenantID: tenantA, Certificates: []*x509.Certificate{cert}})
	})
	thumb := sha1.Sum(der)
	mk := func(k any, aud string) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{"iss": certApp, "sub": certApp, "aud": aud, "exp": time.Now().Add(time.Minute).Unix(), "jti": "1"})
		tok.Header["x5t"] = base64.RawURLEncoding.EncodeToString(thumb[:])
		s, err := tok.SignedString(k)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	endpoint := f.srv.URL + "/" + tenantA + "/oauth2/v2.0/token"
	if r := f.token(t, tenantA, assertionForm(certApp, mk(key, endpoint))); r.status != 200 {
		t.Fatalf("certificate assertion: %d %v", r.status, r.body)
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if r := f.token(t, tenantA, assertionForm(certApp, mk(other, endpoint))); r.status == 200 || errorCode(t, r) != 700027 {
		t.Errorf("assertion signed by another key: %d %v", r.status, r.body)
	}
}

func TestTrustSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{DataDir: dir, Tenants: []string{tenantA}, Clients: []Client{{ID: appID, Secret: secret, TenantID: tenantA}}}
	first, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := first.IssueToken(appID, tenantA)
	if err != nil {
		t.Fatal(err)
	}
	second, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !first.CACertificate().Equal(second.CACertificate()) || first.pki.kid != second.pki.kid {
		t.Fatal("CA or signing key changed across restarts")
	}
	if !second.ServerCertificate().Leaf.Equal(first.ServerCertificate().Leaf) {
		t.Error("server certificate was re-issued although still valid")
	}
	if _, err := second.VerifyAccessToken(tok); err != nil {
		t.Errorf("token from before the restart: %v", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(second.CACertificate())
	for _, host := range []string{"127.0.0.1", "::1", "localhost"} {
		if _, err := second.ServerCertificate().Leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: host}); err != nil {
			t.Errorf("server certificate for %s: %v", host, err)
		}
	}
}

func TestMetadataShapes(t *testing.T) {
	f := newFixture(t, nil)
	get := func(v string) (int, any) {
		resp, err := http.Get(f.srv.URL + "/metadata/endpoints?api-version=" + v)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body
	}
	status, body := get("2022-09-01")
	m, ok := body.(map[string]any)
	if status != 200 || !ok {
		t.Fatalf("2022-09-01: %d %T", status, body)
	}
	auth := m["authentication"].(map[string]any)
	if m["resourceManager"] != f.srv.URL+"/" || auth["loginEndpoint"] != f.srv.URL+"/" || auth["audiences"].([]any)[0] != DefaultAudience {
		t.Errorf("2022-09-01 body: %v", m)
	}
	for _, k := range []string{"galleryEndpoint", "graphEndpoint", "portalEndpoint", "name", "suffixes"} {
		if _, ok := m[k]; !ok {
			t.Errorf("2022-09-01 lacks %q", k)
		}
	}
	if status, body := get("2019-05-01"); status != 200 || len(body.([]any)) != 1 {
		t.Errorf("2019-05-01: %d %v", status, body)
	}
	if status, body := get("2015-01-01"); status != 200 || body.(map[string]any)["galleryEndpoint"] == nil {
		t.Errorf("2015-01-01: %d %v", status, body)
	}
	if status, _ := get("2099-01-01"); status != 400 {
		t.Errorf("unknown api-version: %d", status)
	}
}

func TestOpenIDDiscovery(t *testing.T) {
	f := newFixture(t, nil)
	resp, err := http.Get(f.srv.URL + "/" + tenantA + "/v2.0/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	if doc["issuer"] != f.srv.URL+"/"+tenantA+"/v2.0" || doc["token_endpoint"] != f.srv.URL+"/"+tenantA+"/oauth2/v2.0/token" {
		t.Errorf("openid configuration: %v", doc)
	}
	resp, err = http.Get(f.srv.URL + "/common/discovery/instance?api-version=1.1&authorization_endpoint=" + url.QueryEscape(f.srv.URL+"/"+tenantA+"/oauth2/v2.0/authorize"))
	if err != nil {
		t.Fatal(err)
	}
	var inst map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&inst)
	resp.Body.Close()
	if inst["tenant_discovery_endpoint"] != f.srv.URL+"/"+tenantA+"/v2.0/.well-known/openid-configuration" || len(inst["metadata"].([]any)) != 1 {
		t.Errorf("instance discovery: %v", inst)
	}
	resp, err = http.Get(f.srv.URL + "/cccccccc-0000-0000-0000-000000000003/v2.0/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("unknown tenant discovery: %d", resp.StatusCode)
	}
}
