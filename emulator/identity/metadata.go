package identity

import (
	"net/http"
	"strings"
)

// serveMetadata answers the cloud metadata endpoint that Azure CLI, go-azure-sdk and Packer's
// metadata_host use to discover a custom cloud (Azure Stack Hub style).
//
// Shapes by api-version, as Azure serves them:
//   - 2022-09-01: one cloud object (resourceManager, authentication{loginEndpoint, audiences, tenant,
//     identityProvider}, name, suffixes, ...). Azure Stack Hub's own keys (galleryEndpoint,
//     graphEndpoint, portalEndpoint) are included too, so readers of either shape find what they need.
//   - 2019-05-01: an array of such objects.
//   - 2015-01-01, 2018-01-01 and 1.0: the Azure Stack Hub object without resourceManager.
func (s *Service) serveMetadata(w http.ResponseWriter, r *http.Request) {
	base := baseURL(r)
	version := r.URL.Query().Get("api-version")
	switch version {
	case "2022-09-01":
		writeJSON(w, http.StatusOK, s.cloudMetadata(base))
	case "2019-05-01":
		writeJSON(w, http.StatusOK, []map[string]any{s.cloudMetadata(base)})
	case "1.0", "2015-01-01", "2018-01-01":
		writeJSON(w, http.StatusOK, s.stackHubMetadata(base))
	default:
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": map[string]string{
			"code":    "InvalidApiVersionParameter",
			"message": "The api-version '" + version + "' is invalid. The supported versions are '2022-09-01,2019-05-01,2018-01-01,2015-01-01,1.0'.",
		}})
	}
}

func (s *Service) authenticationMetadata(base string) map[string]any {
	return map[string]any{
		"loginEndpoint":    base + "/",
		"audiences":        s.audiences(),
		"tenant":           "common",
		"identityProvider": "AAD",
	}
}

// audiences lists the audience with and without its trailing slash, as Azure lists both forms.
func (s *Service) audiences() []string {
	a := s.cfg.Audience
	return []string{a, strings.TrimSuffix(a, "/")}
}

func (s *Service) cloudMetadata(base string) map[string]any {
	return map[string]any{
		"name":            "AzureGalleryEmulator",
		"portal":          base + "/",
		"authentication":  s.authenticationMetadata(base),
		"resourceManager": base + "/",
		"gallery":         base + "/",
		"graph":           base + "/",
		"graphAudience":   base + "/",
		"media":           "",
		"batch":           "",
		"sqlManagement":   "",
		"vmImageAliasDoc": "",
		"suffixes": map[string]string{
			"storage":     "core.windows.net",
			"keyVaultDns": "vault.azure-gallery-emulator.local",
		},
		"galleryEndpoint": base + "/",
		"graphEndpoint":   base + "/",
		"portalEndpoint":  base + "/",
	}
}

func (s *Service) stackHubMetadata(base string) map[string]any {
	return map[string]any{
		"galleryEndpoint": base + "/",
		"graphEndpoint":   base + "/",
		"portalEndpoint":  base + "/",
		"authentication":  s.authenticationMetadata(base),
	}
}
