package acctest_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

// The identities of the OIDC scenario. The first client has a secret (the harness uses it to seed the
// source image); the second is assertion-only, trusted through its federated credential.
const (
	oidcTenant       = "7c1a0c1e-5f0b-4a59-9c7a-3d1f0e2b6a01"
	oidcSubscription = "0b6c2a58-2a7e-4f1e-8f6d-8e5d3c9b1a02"
	oidcSeedClient   = "2f5e8d1c-4b3a-4c6d-9e8f-1a2b3c4d5e03"
	oidcSeedSecret   = "seed-secret"
	oidcClient       = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b04"
	oidcAudience     = "api://AzureADTokenExchange"
	oidcSubject      = "repo:org/repo:ref:refs/heads/main"
	oidcRequestToken = "actions-request-token"
)

// actionsTokenService stands in for GitHub Actions' ID-token service: GET ?audience=… with the request
// token returns {"value": <jwt>}, and it is the JWT's issuer too, publishing its discovery document and
// keys so that the emulator can verify the signature.
type actionsTokenService struct {
	srv     *httptest.Server
	key     *rsa.PrivateKey
	subject string
	issued  atomic.Int32
}

func newActionsTokenService(t *testing.T, subject string) *actionsTokenService {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	s := &actionsTokenService{key: key, subject: subject}
	// Plain HTTP on loopback: the emulator accepts that for issuers on 127.0.0.1 only.
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *actionsTokenService) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/.well-known/openid-configuration":
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": s.srv.URL, "jwks_uri": s.srv.URL + "/.well-known/jwks"})
	case "/.well-known/jwks":
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{
			"kty": "RSA", "kid": "stand-in", "alg": "RS256", "use": "sig",
			"n": base64.RawURLEncoding.EncodeToString(s.key.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(s.key.E)).Bytes()),
		}}})
	case "/token":
		if r.Header.Get("Authorization") != "Bearer "+oidcRequestToken {
			http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
			return
		}
		aud := r.URL.Query().Get("audience")
		if aud == "" {
			http.Error(w, `{"message":"audience is required"}`, http.StatusBadRequest)
			return
		}
		now := time.Now()
		tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
			"iss": s.srv.URL, "sub": s.subject, "aud": aud,
			"iat": now.Unix(), "nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(10 * time.Minute).Unix(),
			"repository": "org/repo", "ref": "refs/heads/main",
		})
		tok.Header["kid"] = "stand-in"
		signed, err := tok.SignedString(s.key)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		s.issued.Add(1)
		_ = json.NewEncoder(w).Encode(map[string]any{"count": 1, "value": signed})
	default:
		http.NotFound(w, r)
	}
}

// oidcEmulatorConfig trusts issuer for subject on the assertion-only client.
func oidcEmulatorConfig(issuer string) map[string]any {
	cfg := replicationConfig(1)
	cfg["tenants"] = []string{oidcTenant}
	cfg["subscriptions"] = []map[string]any{{"id": oidcSubscription, "tenant_id": oidcTenant}}
	cfg["clients"] = []map[string]any{
		{"client_id": oidcSeedClient, "client_secret": oidcSeedSecret, "tenant_id": oidcTenant},
		{"client_id": oidcClient, "tenant_id": oidcTenant, "federated_credentials": []map[string]any{
			{"issuer": issuer, "subject": oidcSubject, "audiences": []string{oidcAudience}},
		}},
	}
	return cfg
}

// oidcRun runs example/github-actions as a GitHub job would: client, tenant and subscription IDs plus the
// Actions token-service variables, and no secret. The stand-in issues tokens with tokenSubject.
func oidcRun(ctx context.Context, t *testing.T, tokenSubject string) (acctest.Run, acctest.Inventory, *actionsTokenService) {
	t.Helper()
	actions := newActionsTokenService(t, tokenSubject)
	emu := tools.StartEmulator(t, acctest.EmulatorOptions{Config: oidcEmulatorConfig(actions.srv.URL)})
	if emu.ClientID != oidcSeedClient {
		t.Fatalf("the emulator's ready client is %s, want the seed client", emu.ClientID)
	}
	src := emu.CreateSourceImage(ctx, t, acctest.SourceImage{ResourceGroup: sourceRG, Location: sourceLocation, Name: "ubuntu-base"})
	if err := emu.CreateResourceGroup(ctx, t, galleryRG, sourceLocation); err != nil {
		t.Fatal(err)
	}
	env := tools.PackerEnv(t,
		"SSL_CERT_FILE="+emu.CAFile,
		"ARM_METADATA_HOST="+emu.MetadataHost,
		"ARM_SUBSCRIPTION_ID="+oidcSubscription,
		"ARM_TENANT_ID="+oidcTenant,
		"ARM_CLIENT_ID="+oidcClient,
		"ACTIONS_ID_TOKEN_REQUEST_URL="+actions.srv.URL+"/token?api-version=2.0",
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN="+oidcRequestToken,
		"PKR_VAR_source_image_id="+src,
	)
	dir := filepath.Join(tools.Root, "example", "github-actions")
	run := tools.RunPacker(ctx, t, dir, env, "build", "-color=false", ".")
	inv, err := emu.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return run, inv, actions
}

// TestGitHubActionsOIDC: example/github-actions publishes with a federated token from the stand-in for
// the Actions token service, exchanged by the emulator against the client's federated credential.
func TestGitHubActionsOIDC(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	run, inv, actions := oidcRun(ctx, t, oidcSubject)
	if run.ExitCode != 0 {
		t.Fatalf("packer build with OIDC failed (%d):\n%s", run.ExitCode, run.Output)
	}
	if actions.issued.Load() == 0 {
		t.Error("the plugin never asked the Actions token service for an ID token")
	}
	vs := inv.Versions()
	if len(vs) != 1 || vs[0].Name() != "1.0.0" || vs[0].Prop("provisioningState") != "Succeeded" {
		t.Fatalf("want version 1.0.0 Succeeded, got %d versions: %v", len(vs), vs)
	}
	if vs[0].Tags()["built_by"] != "github-actions" {
		t.Errorf("tags = %v", vs[0].Tags())
	}
	if strings.Contains(run.Output, oidcRequestToken) {
		t.Error("the output shows the Actions request token")
	}
}

// TestGitHubActionsOIDCWrongSubject: a token for another branch (subject) is refused; the error names the
// subject / federated credential, and nothing is published.
func TestGitHubActionsOIDCWrongSubject(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	const wrong = "repo:org/repo:pull_request"
	run, inv, actions := oidcRun(ctx, t, wrong)
	if run.ExitCode == 0 {
		t.Fatalf("a token with subject %s was accepted:\n%s", wrong, run.Output)
	}
	if actions.issued.Load() == 0 {
		t.Error("the plugin never asked the Actions token service for an ID token")
	}
	out := strings.ToLower(run.Output)
	if !strings.Contains(out, "subject") || !strings.Contains(out, "federated") || !strings.Contains(run.Output, wrong) {
		t.Errorf("the error does not name the presented subject and the federated credential:\n%s", run.Output)
	}
	if n := len(inv.Versions()); n != 0 {
		t.Errorf("%d versions were published with a refused token", n)
	}
}
