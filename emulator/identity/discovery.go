package identity

import (
	"crypto/rsa"
	"encoding/base64"
	"math/big"
	"net/http"
	"net/url"
	"strings"
)

// knownTenant reports whether tenant is served, accepting Entra's multi-tenant aliases.
func (s *Service) knownTenant(tenant string) bool {
	t := strings.ToLower(tenant)
	return s.tenants[t] || t == "common" || t == "organizations"
}

func isAlias(tenant string) bool {
	t := strings.ToLower(tenant)
	return t == "common" || t == "organizations"
}

// serveOpenIDConfig answers OpenID discovery. MSAL reads authorization_endpoint, token_endpoint and
// issuer from it, and checks that the issuer's host is the authority's.
func (s *Service) serveOpenIDConfig(v2 bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tenant := r.PathValue("tenant")
		if !s.knownTenant(tenant) {
			writeEntraError(w, r, s.now(), errUnknownTenant(tenant))
			return
		}
		base := baseURL(r)
		issuerTenant := tenant
		if isAlias(tenant) {
			issuerTenant = "{tenantid}"
		}
		doc := map[string]any{
			"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
			"response_modes_supported":              []string{"query", "fragment", "form_post"},
			"subject_types_supported":               []string{"pairwise"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
			"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
			"request_uri_parameter_supported":       false,
			"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "tid", "oid", "appid"},
			"tenant_region_scope":                   nil,
			"cloud_instance_name":                   r.Host,
		}
		if v2 {
			doc["issuer"] = base + "/" + issuerTenant + "/v2.0"
			doc["token_endpoint"] = base + "/" + tenant + "/oauth2/v2.0/token"
			doc["authorization_endpoint"] = base + "/" + tenant + "/oauth2/v2.0/authorize"
			doc["device_authorization_endpoint"] = base + "/" + tenant + "/oauth2/v2.0/devicecode"
			doc["end_session_endpoint"] = base + "/" + tenant + "/oauth2/v2.0/logout"
			doc["jwks_uri"] = base + "/" + tenant + "/discovery/v2.0/keys"
		} else {
			doc["issuer"] = "https://" + TokenIssuerHost + "/" + issuerTenant + "/"
			doc["token_endpoint"] = base + "/" + tenant + "/oauth2/token"
			doc["authorization_endpoint"] = base + "/" + tenant + "/oauth2/authorize"
			doc["end_session_endpoint"] = base + "/" + tenant + "/oauth2/logout"
			doc["jwks_uri"] = base + "/" + tenant + "/discovery/keys"
		}
		writeJSON(w, http.StatusOK, doc)
	}
}

// serveInstanceDiscovery answers MSAL's instance discovery, naming this host as its own only alias.
func (s *Service) serveInstanceDiscovery(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	tenant := "common"
	if ae := q.Get("authorization_endpoint"); ae != "" {
		u, err := url.Parse(ae)
		if err != nil || u.Host == "" {
			writeEntraError(w, r, s.now(), entraError{status: http.StatusBadRequest, err: "invalid_instance",
				code: 50049, desc: "Unknown or invalid instance."})
			return
		}
		if seg := strings.Split(strings.Trim(u.Path, "/"), "/"); seg[0] != "" {
			tenant = seg[0]
		}
	}
	base := baseURL(r)
	writeJSON(w, http.StatusOK, map[string]any{
		"tenant_discovery_endpoint": base + "/" + tenant + "/v2.0/.well-known/openid-configuration",
		"api-version":               "1.1",
		"metadata": []map[string]any{{
			"preferred_network": r.Host,
			"preferred_cache":   r.Host,
			"aliases":           []string{r.Host},
		}},
	})
}

// serveJWKS publishes the token-signing key, so anyone can verify the emulator's tokens.
func (s *Service) serveJWKS(w http.ResponseWriter, r *http.Request) {
	if !s.knownTenant(r.PathValue("tenant")) {
		writeEntraError(w, r, s.now(), errUnknownTenant(r.PathValue("tenant")))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]any{rsaJWK(&s.pki.signingKey.PublicKey, s.pki.kid)}})
}

func rsaJWK(pub *rsa.PublicKey, kid string) map[string]any {
	return map[string]any{
		"kty": "RSA",
		"use": "sig",
		"alg": "RS256",
		"kid": kid,
		"x5t": kid,
		"n":   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e":   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}
}
