package arm

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// apiError is an ARM error as the validation layer returns it; handlers only pass it on and
// writeError is the one place that formats it.
type apiError struct {
	Status  int        `json:"-"`
	Code    string     `json:"code"`
	Message string     `json:"message"`
	Target  string     `json:"target,omitempty"`
	Details []apiError `json:"details,omitempty"`
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func newError(status int, code, target, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Target: target, Message: fmt.Sprintf(format, args...)}
}

func badRequest(code, target, format string, args ...any) *apiError {
	return newError(http.StatusBadRequest, code, target, format, args...)
}

func conflict(code, target, format string, args ...any) *apiError {
	return newError(http.StatusConflict, code, target, format, args...)
}

func invalidParameter(target, format string, args ...any) *apiError {
	return badRequest("InvalidParameter", target, format, args...)
}

func missingProperty(target string) *apiError {
	return badRequest("InvalidParameter", target,
		"Required parameter '%s' is missing (null).", target)
}

func parentNotFound(name string) *apiError {
	return newError(http.StatusNotFound, "ParentResourceNotFound", "",
		"Can not perform requested operation on nested resource. Parent resource '%s' not found.", name)
}

func rgNotFound(rg string) *apiError {
	return newError(http.StatusNotFound, "ResourceGroupNotFound", "", "Resource group '%s' could not be found.", rg)
}

func internalError(err error) *apiError {
	return newError(http.StatusInternalServerError, "InternalServerError", "", "The emulator failed: %v", err)
}

// errorBody is ARM's common error envelope.
type errorBody struct {
	Error *apiError `json:"error"`
}

func writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("x-ms-error-code", e.Code)
	writeJSON(w, e.Status, errorBody{Error: e})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if v == nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(`{"error":{"code":"InternalServerError","message":"encoding failed"}}`)
	}
	_, _ = w.Write(b)
}
