package identity

import (
	"encoding/json"
	"net/http"
)

// Register mounts the identity endpoints on mux. None of them needs a token. Tenant-scoped paths take the
// tenant id, or "common" / "organizations" where Entra accepts them.
func (s *Service) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /metadata/endpoints", s.serveMetadata)
	mux.HandleFunc("GET /common/discovery/instance", s.serveInstanceDiscovery)
	mux.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", s.serveOpenIDConfig(true))
	mux.HandleFunc("GET /{tenant}/.well-known/openid-configuration", s.serveOpenIDConfig(false))
	mux.HandleFunc("GET /{tenant}/discovery/v2.0/keys", s.serveJWKS)
	mux.HandleFunc("GET /{tenant}/discovery/keys", s.serveJWKS)
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", s.serveToken(true))
	mux.HandleFunc("POST /{tenant}/oauth2/token", s.serveToken(false))
	s.registerADFS(mux)
}

// Handler is a mux with only the identity endpoints, for tests and for embedding.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	s.Register(mux)
	return mux
}

// baseURL is this server as the client reached it. Links are built from it, so they stay right whatever
// port the emulator listens on.
func baseURL(r *http.Request) string {
	scheme := "https"
	if r.TLS == nil {
		scheme = "http"
	}
	return scheme + "://" + r.Host
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
