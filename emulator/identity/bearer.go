package identity

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// AccessClaims are the verified claims of an ARM access token.
type AccessClaims struct {
	TenantID string
	ObjectID string
	AppID    string
	Expires  time.Time
}

// RequireBearer guards ARM paths as ARM's front door does: a request needs `Authorization: Bearer <jwt>`
// signed by the emulator, unexpired and for the resource manager audience. A request to a subscription of
// another tenant than the token's must also carry a token for that tenant in x-ms-authorization-auxiliary
// (a comma-separated list of "Bearer <jwt>"), as Azure's cross-tenant requests do.
func (s *Service) RequireBearer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		subTenant := s.subscriptionTenant(r.URL.Path)
		challenge := subTenant
		if challenge == "" {
			challenge = s.DefaultTenant()
		}
		header := r.Header.Get("Authorization")
		if header == "" {
			writeARMAuthError(w, r, armAuthError{"AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.",
				"The authentication failed because of missing 'Authorization' header.", challenge})
			return
		}
		raw, ok := cutBearer(header)
		if !ok {
			writeARMAuthError(w, r, armAuthError{"AuthenticationFailed", "Authentication failed. The 'Authorization' header is provided in an invalid format.",
				"The authentication failed because of invalid 'Authorization' header format.", challenge})
			return
		}
		claims, aerr := s.verifyAccessToken(raw)
		if aerr != nil {
			aerr.tenant = challenge
			writeARMAuthError(w, r, *aerr)
			return
		}
		if subTenant != "" && !strings.EqualFold(claims.TenantID, subTenant) {
			if aerr := s.checkAuxiliary(r, subTenant); aerr != nil {
				aerr.tenant = subTenant
				writeARMAuthError(w, r, *aerr)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func cutBearer(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
}

// subscriptionTenant is the tenant of the subscription the path addresses, "" when the path addresses none
// or an unknown one (ARM then answers SubscriptionNotFound).
func (s *Service) subscriptionTenant(path string) string {
	seg := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(seg) < 2 || !strings.EqualFold(seg[0], "subscriptions") {
		return ""
	}
	return s.cfg.SubscriptionTenants[strings.ToLower(seg[1])]
}

// VerifyAccessToken checks a raw access token and returns its claims.
func (s *Service) VerifyAccessToken(raw string) (*AccessClaims, error) {
	c, aerr := s.verifyAccessToken(raw)
	if aerr != nil {
		return nil, fmt.Errorf("%s: %s", aerr.code, aerr.message)
	}
	return c, nil
}

func (s *Service) verifyAccessToken(raw string) (*AccessClaims, *armAuthError) {
	claims := jwt.MapClaims{}
	_, err := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithTimeFunc(s.now), jwt.WithExpirationRequired()).
		ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
			if kid, _ := t.Header["kid"].(string); kid != "" && kid != s.pki.kid {
				return nil, fmt.Errorf("unknown signing key %q", kid)
			}
			return &s.pki.signingKey.PublicKey, nil
		})
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		exp, _ := claims.GetExpirationTime()
		expText := "unknown"
		if exp != nil {
			expText = armTime(exp.Time)
		}
		return nil, &armAuthError{code: "ExpiredAuthenticationToken",
			message:     fmt.Sprintf("The access token expiry UTC time '%s' is earlier than current UTC time '%s'.", expText, armTime(s.now())),
			description: "The access token has expired."}
	case err != nil:
		return nil, &armAuthError{code: "InvalidAuthenticationToken", message: "The access token is invalid.",
			description: "The authentication failed because of invalid token."}
	}
	aud, _ := claims.GetAudience()
	if !s.anyAudience(aud) {
		return nil, &armAuthError{code: "InvalidAuthenticationTokenAudience",
			message: fmt.Sprintf("The access token has been obtained for wrong audience or resource '%s'. It should exactly match with one of the allowed audiences '%s'.",
				strings.Join(aud, ","), strings.Join(s.audiences(), "','")),
			description: "The access token has been obtained from wrong audience or resource."}
	}
	tid, _ := claims["tid"].(string)
	iss, _ := claims.GetIssuer()
	if tid == "" || iss != "https://"+TokenIssuerHost+"/"+tid+"/" {
		return nil, &armAuthError{code: "InvalidAuthenticationTokenIssuer", message: fmt.Sprintf("The access token issuer '%s' is invalid.", iss),
			description: "The access token is from the wrong issuer."}
	}
	out := &AccessClaims{TenantID: tid}
	out.ObjectID, _ = claims["oid"].(string)
	out.AppID, _ = claims["appid"].(string)
	if exp, _ := claims.GetExpirationTime(); exp != nil {
		out.Expires = exp.Time
	}
	return out, nil
}

func (s *Service) anyAudience(aud []string) bool {
	for _, a := range aud {
		if s.isAudience(a) {
			return true
		}
	}
	return false
}

// checkAuxiliary looks for a valid token of tenant in x-ms-authorization-auxiliary.
func (s *Service) checkAuxiliary(r *http.Request, tenant string) *armAuthError {
	var firstErr *armAuthError
	for _, part := range strings.Split(r.Header.Get("x-ms-authorization-auxiliary"), ",") {
		raw, ok := cutBearer(part)
		if !ok {
			continue
		}
		c, aerr := s.verifyAccessToken(raw)
		if aerr != nil {
			if firstErr == nil {
				aerr.message = "Auxiliary token: " + aerr.message
				firstErr = aerr
			}
			continue
		}
		if strings.EqualFold(c.TenantID, tenant) {
			return nil
		}
	}
	if firstErr != nil {
		return firstErr
	}
	return &armAuthError{code: "InvalidAuthenticationTokenTenant",
		message: fmt.Sprintf("The access token is from the wrong issuer '%s'. It must match the tenant '%s' associated with this subscription. Please use the authority (URL) '%s' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later.",
			"https://"+TokenIssuerHost+"/"+s.tokenTenantOf(r)+"/", "https://"+TokenIssuerHost+"/"+tenant+"/", baseURL(r)+"/"+tenant),
		description: "The access token is from the wrong issuer. It must match the tenant associated with this subscription. Please use correct authority to get the token."}
}

// tokenTenantOf re-reads the primary token's tenant for the error text; it was verified already.
func (s *Service) tokenTenantOf(r *http.Request) string {
	raw, _ := cutBearer(r.Header.Get("Authorization"))
	if c, aerr := s.verifyAccessToken(raw); aerr == nil {
		return c.TenantID
	}
	return ""
}

// armTime formats a time as ARM's error messages do ("11/25/2026 9:50:03 PM").
func armTime(t time.Time) string { return t.UTC().Format("1/2/2006 3:04:05 PM") }
