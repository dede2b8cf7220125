package identity

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

var assertionMethods = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"}

// verifyAssertion authenticates a client by a JWT client assertion. An assertion the client issued about
// itself (iss = sub = client id) must be signed by one of its registered certificates; any other assertion
// is workload-identity federation and must match one of its federated credentials and be signed by a key
// the external issuer publishes.
func (s *Service) verifyAssertion(r *http.Request, c *Client, assertion string) *entraError {
	claims := jwt.MapClaims{}
	tok, _, err := jwt.NewParser().ParseUnverified(assertion, claims)
	if err != nil {
		return &entraError{http.StatusBadRequest, "invalid_request", 50027, "JWT token is invalid or malformed."}
	}
	iss, _ := claims.GetIssuer()
	sub, _ := claims.GetSubject()
	aud, _ := claims.GetAudience()
	if strings.EqualFold(iss, c.ID) && strings.EqualFold(sub, c.ID) {
		return s.verifyCertificateAssertion(r, c, tok, assertion, aud)
	}
	return s.verifyFederatedAssertion(r, c, assertion, iss, sub, aud)
}

func (s *Service) verifyCertificateAssertion(r *http.Request, c *Client, tok *jwt.Token, assertion string, aud []string) *entraError {
	cert := matchCertificate(c.Certificates, tok.Header)
	if cert == nil {
		return &entraError{http.StatusUnauthorized, "invalid_client", 700027, fmt.Sprintf(
			"The certificate with identifier used to sign the client assertion is not registered on application '%s'.", c.ID)}
	}
	if eerr := s.checkSignatureAndTime(assertion, func(*jwt.Token) (any, error) { return cert.PublicKey, nil }); eerr != nil {
		return eerr
	}
	for _, a := range aud {
		if u, err := url.Parse(a); err == nil && strings.EqualFold(strings.TrimRight(u.Path, "/"), strings.TrimRight(r.URL.Path, "/")) {
			return nil
		}
	}
	return &entraError{http.StatusUnauthorized, "invalid_client", 50013, fmt.Sprintf(
		"Assertion audience '%s' does not match this token endpoint.", strings.Join(aud, ","))}
}

// matchCertificate finds the certificate named by the assertion's x5t or x5t#S256 header.
func matchCertificate(certs []*x509.Certificate, header map[string]any) *x509.Certificate {
	x5t, _ := header["x5t"].(string)
	x5t256, _ := header["x5t#S256"].(string)
	for _, c := range certs {
		s1 := sha1.Sum(c.Raw)
		s256 := sha256.Sum256(c.Raw)
		if (x5t != "" && thumbEqual(x5t, s1[:])) || (x5t256 != "" && thumbEqual(x5t256, s256[:])) {
			return c
		}
	}
	return nil
}

func thumbEqual(encoded string, sum []byte) bool {
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.StdEncoding, base64.RawStdEncoding} {
		if b, err := enc.DecodeString(encoded); err == nil && string(b) == string(sum) {
			return true
		}
	}
	return false
}

func (s *Service) verifyFederatedAssertion(r *http.Request, c *Client, assertion, iss, sub string, aud []string) *entraError {
	audText := strings.Join(aud, ",")
	if len(c.FederatedCredentials) == 0 {
		return &entraError{http.StatusBadRequest, "invalid_client", 70021, fmt.Sprintf(
			"No matching federated identity record found for presented assertion. Assertion Issuer: '%s'. Assertion Subject: '%s'. Assertion Audience: '%s'.", iss, sub, audText)}
	}
	var byIssuer, bySubject []FederatedCredential
	for _, fc := range c.FederatedCredentials {
		if fc.Issuer == iss {
			byIssuer = append(byIssuer, fc)
		}
	}
	if len(byIssuer) == 0 {
		return &entraError{http.StatusBadRequest, "invalid_client", 700211, fmt.Sprintf(
			"No matching federated identity record found for presented assertion issuer '%s'. Please note that the matching is done using a case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion.", iss)}
	}
	for _, fc := range byIssuer {
		if fc.Subject == sub {
			bySubject = append(bySubject, fc)
		}
	}
	if len(bySubject) == 0 {
		return &entraError{http.StatusBadRequest, "invalid_client", 700213, fmt.Sprintf(
			"No matching federated identity record found for presented assertion subject '%s'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion.", sub)}
	}
	if !audienceMatches(bySubject, aud) {
		return &entraError{http.StatusBadRequest, "invalid_client", 700212, fmt.Sprintf(
			"No matching federated identity record found for presented assertion audience '%s'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion.", audText)}
	}
	keys, err := s.fetchIssuerKeys(r, iss)
	if err != nil {
		return &entraError{http.StatusBadRequest, "invalid_client", 50166, fmt.Sprintf(
			"Request to External OIDC endpoint failed: %v", err)}
	}
	return s.checkSignatureAndTime(assertion, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if k, ok := keys[kid]; ok {
			return k, nil
		}
		if kid == "" && len(keys) == 1 {
			for _, k := range keys {
				return k, nil
			}
		}
		return nil, fmt.Errorf("no key %q at the issuer", kid)
	})
}

func audienceMatches(creds []FederatedCredential, aud []string) bool {
	for _, fc := range creds {
		want := fc.Audiences
		if len(want) == 0 {
			want = []string{DefaultFederatedAudience}
		}
		for _, w := range want {
			for _, a := range aud {
				if a == w {
					return true
				}
			}
		}
	}
	return false
}

func (s *Service) checkSignatureAndTime(assertion string, keyFunc jwt.Keyfunc) *entraError {
	_, err := jwt.NewParser(jwt.WithValidMethods(assertionMethods), jwt.WithTimeFunc(s.now),
		jwt.WithExpirationRequired(), jwt.WithLeeway(0)).Parse(assertion, keyFunc)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, jwt.ErrTokenExpired), errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return &entraError{http.StatusBadRequest, "invalid_client", 700024, fmt.Sprintf(
			"Client assertion is not within its valid time range. Current time: %s.", s.now().UTC().Format("2006-01-02T15:04:05.0000000Z"))}
	default:
		return &entraError{http.StatusUnauthorized, "invalid_client", 700027, "Client assertion failed signature validation."}
	}
}
