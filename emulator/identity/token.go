package identity

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

const jwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// serveToken is the OAuth 2.0 token endpoint for the client credentials grant, authenticating the client
// by secret (post or basic) or by a JWT client assertion. v2 takes `scope`, v1 takes `resource`.
func (s *Service) serveToken(v2 bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tenant := r.PathValue("tenant")
		res, eerr := s.issueFromRequest(r, tenant, v2)
		if eerr != nil {
			writeEntraError(w, r, s.now(), *eerr)
			return
		}
		w.Header().Set("Cache-Control", "no-store, no-cache")
		w.Header().Set("Pragma", "no-cache")
		writeJSON(w, http.StatusOK, res)
	}
}

func (s *Service) issueFromRequest(r *http.Request, tenant string, v2 bool) (map[string]any, *entraError) {
	if !s.tenants[strings.ToLower(tenant)] {
		e := errUnknownTenant(tenant)
		return nil, &e
	}
	if err := r.ParseForm(); err != nil {
		e := errMissingParameter("grant_type")
		return nil, &e
	}
	form := r.PostForm
	grant := form.Get("grant_type")
	if grant == "" {
		e := errMissingParameter("grant_type")
		return nil, &e
	}
	if grant != "client_credentials" {
		return nil, &entraError{http.StatusBadRequest, "unsupported_grant_type", 70003,
			fmt.Sprintf("The app requested an unsupported grant type '%s'.", grant)}
	}
	clientID, secret := form.Get("client_id"), form.Get("client_secret")
	if id, pw, ok := r.BasicAuth(); ok {
		clientID, secret = id, pw
	}
	if clientID == "" {
		e := errMissingParameter("client_id")
		return nil, &e
	}
	if eerr := s.checkResource(form.Get("scope"), form.Get("resource"), tenant, v2); eerr != nil {
		return nil, eerr
	}
	client := s.clients[strings.ToLower(clientID)]
	if client == nil || !client.inTenant(tenant) {
		e := errUnknownClient(clientID, tenant)
		return nil, &e
	}
	acr, eerr := s.authenticateClient(r, client, secret, form.Get("client_assertion_type"), form.Get("client_assertion"))
	if eerr != nil {
		return nil, eerr
	}
	now := s.now()
	lifetime := s.TokenLifetime()
	token, err := s.signAccessToken(client, strings.ToLower(tenant), acr, now, lifetime)
	if err != nil {
		return nil, &entraError{http.StatusInternalServerError, "server_error", 90100, "An error occurred while issuing the token: " + err.Error()}
	}
	secs := int64(lifetime.Round(time.Second) / time.Second)
	if secs < 1 {
		secs = 1
	}
	res := map[string]any{"token_type": "Bearer", "expires_in": secs, "ext_expires_in": secs, "access_token": token}
	if !v2 {
		res["expires_on"] = fmt.Sprint(now.Add(lifetime).Unix())
		res["not_before"] = fmt.Sprint(now.Unix())
		res["resource"] = s.cfg.Audience
	}
	return res, nil
}

func (c *Client) inTenant(tenant string) bool {
	if strings.EqualFold(c.TenantID, tenant) {
		return true
	}
	for _, t := range c.Tenants {
		if strings.EqualFold(t, tenant) {
			return true
		}
	}
	return false
}

// isOIDCScope names the scopes MSAL adds to every request, which Entra ignores for client credentials.
func isOIDCScope(s string) bool {
	switch s {
	case "openid", "profile", "offline_access", "email":
		return true
	}
	return false
}

// checkResource accepts only the resource manager audience, as "{audience}/.default" (Entra accepts the
// audience with or without its trailing slash, hence "https://host//.default" too).
func (s *Service) checkResource(scope, resource, tenant string, v2 bool) *entraError {
	if v2 {
		if scope == "" {
			e := errMissingParameter("scope")
			return &e
		}
		for _, sc := range strings.Fields(scope) {
			if isOIDCScope(sc) {
				continue // MSAL adds these; Entra ignores them in the client credentials flow
			}
			if !strings.HasSuffix(sc, "/.default") {
				return &entraError{http.StatusBadRequest, "invalid_scope", 1002012, fmt.Sprintf(
					"The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", sc)}
			}
			resource = strings.TrimSuffix(sc, "/.default")
		}
		if resource == "" {
			e := errMissingParameter("scope")
			return &e
		}
	} else if resource == "" {
		e := errMissingParameter("resource")
		return &e
	}
	if !s.isAudience(resource) {
		return &entraError{http.StatusBadRequest, "invalid_resource", 500011, fmt.Sprintf(
			"The resource principal named %s was not found in the tenant named %s. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.", resource, tenant)}
	}
	return nil
}

func (s *Service) isAudience(v string) bool {
	return strings.EqualFold(strings.TrimRight(v, "/"), strings.TrimRight(s.cfg.Audience, "/"))
}

// authenticateClient checks the client's secret or assertion and returns the `appidacr` claim:
// "1" for a secret, "2" for an assertion.
func (s *Service) authenticateClient(r *http.Request, c *Client, secret, assertionType, assertion string) (string, *entraError) {
	switch {
	case assertion != "" || assertionType != "":
		if assertionType != jwtBearerAssertionType {
			return "", &entraError{http.StatusBadRequest, "invalid_request", 50027, fmt.Sprintf(
				"The client_assertion_type '%s' is not supported; use '%s'.", assertionType, jwtBearerAssertionType)}
		}
		if assertion == "" {
			e := errMissingParameter("client_assertion")
			return "", &e
		}
		if eerr := s.verifyAssertion(r, c, assertion); eerr != nil {
			return "", eerr
		}
		return "2", nil
	case secret != "":
		if c.Secret == "" || subtle.ConstantTimeCompare([]byte(secret), []byte(c.Secret)) != 1 {
			e := errInvalidSecret(c.ID)
			return "", &e
		}
		return "1", nil
	default:
		e := errNoCredential()
		return "", &e
	}
}

// signAccessToken issues an ARM access token in the shape of Entra's v1 app tokens.
func (s *Service) signAccessToken(c *Client, tenant, acr string, now time.Time, lifetime time.Duration) (string, error) {
	oid := c.ObjectID
	if oid == "" {
		oid = uuid.NewSHA1(uuid.NameSpaceURL, []byte("sp:"+strings.ToLower(c.ID))).String()
	}
	claims := jwt.MapClaims{
		"aud":      s.cfg.Audience,
		"iss":      "https://" + TokenIssuerHost + "/" + tenant + "/",
		"iat":      now.Unix(),
		"nbf":      now.Unix(),
		"exp":      now.Add(lifetime).Unix(),
		"tid":      tenant,
		"oid":      oid,
		"sub":      oid,
		"appid":    c.ID,
		"appidacr": acr,
		"idtyp":    "app",
		"ver":      "1.0",
		"uti":      uuid.NewString(),
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	t.Header["kid"] = s.pki.kid
	t.Header["x5t"] = s.pki.kid
	return t.SignedString(s.pki.signingKey)
}

// IssueToken signs an access token for clientID in tenant directly, without the HTTP round trip. It is for
// tests (for example, a token for another tenant to put in x-ms-authorization-auxiliary).
func (s *Service) IssueToken(clientID, tenant string) (string, error) {
	c := s.clients[strings.ToLower(clientID)]
	if c == nil || !c.inTenant(tenant) {
		return "", errUnknownClient(clientID, tenant)
	}
	return s.signAccessToken(c, strings.ToLower(tenant), "1", s.now(), s.TokenLifetime())
}
