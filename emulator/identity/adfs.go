package identity

import (
	"net/http"
	"strings"
)

// ADFS-style authority. MSAL (Python, and so azure-cli) runs instance discovery against the public
// login host for every authority except one whose path is /adfs, which it trusts as is. The emulator
// therefore also serves https://HOST:PORT/adfs: OpenID discovery, keys, and a token endpoint that issues
// the client's home-tenant token (ADFS has no tenant in its path).

// registerADFS mounts the /adfs routes; they take precedence over the /{tenant}/ patterns.
func (s *Service) registerADFS(mux *http.ServeMux) {
	mux.HandleFunc("GET /adfs/.well-known/openid-configuration", s.serveADFSConfig)
	mux.HandleFunc("GET /adfs/discovery/keys", s.serveADFSKeys)
	mux.HandleFunc("POST /adfs/oauth2/token", s.serveADFSToken)
	mux.HandleFunc("POST /adfs/oauth2/token/", s.serveADFSToken)
}

// serveADFSConfig is ADFS's OpenID discovery document: the issuer is the authority itself.
func (s *Service) serveADFSConfig(w http.ResponseWriter, r *http.Request) {
	base := baseURL(r) + "/adfs"
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                base,
		"authorization_endpoint":                base + "/oauth2/authorize",
		"token_endpoint":                        base + "/oauth2/token",
		"jwks_uri":                              base + "/discovery/keys",
		"end_session_endpoint":                  base + "/oauth2/logout",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "client_secret_basic", "private_key_jwt"},
		"grant_types_supported":                 []string{"client_credentials"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"access_token_issuer":                   "https://" + TokenIssuerHost + "/adfs/services/trust",
	})
}

func (s *Service) serveADFSKeys(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]any{rsaJWK(&s.pki.signingKey.PublicKey, s.pki.kid)}})
}

// serveADFSToken issues a token in the client's home tenant: scope (v2 style, what MSAL sends) or
// resource (v1 style).
func (s *Service) serveADFSToken(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	clientID := r.PostForm.Get("client_id")
	if id, _, ok := r.BasicAuth(); ok {
		clientID = id
	}
	tenant := "adfs"
	if c := s.clients[strings.ToLower(clientID)]; c != nil {
		tenant = c.TenantID
	}
	v2 := r.PostForm.Get("resource") == ""
	res, eerr := s.issueFromRequest(r, tenant, v2)
	if eerr != nil {
		writeEntraError(w, r, s.now(), *eerr)
		return
	}
	w.Header().Set("Cache-Control", "no-store, no-cache")
	writeJSON(w, http.StatusOK, res)
}
