package identity

import (
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
)

// entraError is a token-endpoint failure in Entra's terms: an OAuth error, an AADSTS code and its text.
type entraError struct {
	status int
	err    string // OAuth 2.0 error: invalid_client, invalid_request, ...
	code   int    // AADSTS number
	desc   string // text after "AADSTSnnnn: "
}

func (e entraError) Error() string { return fmt.Sprintf("AADSTS%d: %s", e.code, e.desc) }

// writeEntraError answers in Entra's error JSON shape: error, error_description (with the trace,
// correlation id and timestamp appended, as Entra does), error_codes, timestamp, trace_id, correlation_id.
func writeEntraError(w http.ResponseWriter, r *http.Request, now time.Time, e entraError) {
	trace := uuid.NewString()
	corr := r.Header.Get("client-request-id")
	if corr == "" {
		corr = uuid.NewString()
	}
	ts := now.UTC().Format("2006-01-02 15:04:05Z")
	writeJSON(w, e.status, map[string]any{
		"error":             e.err,
		"error_description": fmt.Sprintf("%s Trace ID: %s Correlation ID: %s Timestamp: %s", e.Error(), trace, corr, ts),
		"error_codes":       []int{e.code},
		"timestamp":         ts,
		"trace_id":          trace,
		"correlation_id":    corr,
		"error_uri":         baseURL(r) + fmt.Sprintf("/error?code=%d", e.code),
	})
}

func errUnknownTenant(tenant string) entraError {
	return entraError{http.StatusBadRequest, "invalid_request", 90002, fmt.Sprintf(
		"Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", tenant)}
}

func errUnknownClient(client, tenant string) entraError {
	return entraError{http.StatusBadRequest, "unauthorized_client", 700016, fmt.Sprintf(
		"Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", client, tenant)}
}

func errInvalidSecret(client string) entraError {
	return entraError{http.StatusUnauthorized, "invalid_client", 7000215, fmt.Sprintf(
		"Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", client)}
}

func errMissingParameter(name string) entraError {
	return entraError{http.StatusBadRequest, "invalid_request", 900144, fmt.Sprintf(
		"The request body must contain the following parameter: '%s'.", name)}
}

func errNoCredential() entraError {
	return entraError{http.StatusUnauthorized, "invalid_client", 7000218,
		"The request body must contain the following parameter: 'client_assertion' or 'client_secret'."}
}

// armAuthError is a 401 from ARM's gateway: the code in the JSON body and the text of WWW-Authenticate.
type armAuthError struct {
	code        string
	message     string
	description string // error_description of WWW-Authenticate
	tenant      string // tenant of authorization_uri
}

// writeARMAuthError answers as ARM's front door does for a missing, bad or expired token: 401, a
// WWW-Authenticate challenge naming the authority to get a token from, and the ARM error body.
func writeARMAuthError(w http.ResponseWriter, r *http.Request, e armAuthError) {
	h := w.Header()
	h.Set("WWW-Authenticate", fmt.Sprintf(`Bearer authorization_uri="%s/%s", error="invalid_token", error_description="%s"`,
		baseURL(r), e.tenant, e.description))
	h.Set("x-ms-failure-cause", "gateway")
	h.Set("x-ms-error-code", e.code)
	if h.Get("x-ms-request-id") == "" {
		h.Set("x-ms-request-id", uuid.NewString())
	}
	writeJSON(w, http.StatusUnauthorized, map[string]any{"error": map[string]string{"code": e.code, "message": e.message}})
}
