package azure

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// metadataAPIVersion is the api-version of the Azure Stack Hub style metadata endpoint.
const metadataAPIVersion = "2022-09-01"

// metadataURL turns metadata_host (host[:port] or an https URL) into the metadata endpoints URL.
func metadataURL(host string) (string, error) {
	h := strings.TrimSpace(host)
	if h == "" {
		return "", fmt.Errorf("is empty")
	}
	if strings.Contains(h, "://") {
		u, err := url.Parse(h)
		if err != nil {
			return "", fmt.Errorf("%q is not a host or URL: %w; write host[:port], e.g. management.local.azurestack.external", host, err)
		}
		if !strings.EqualFold(u.Scheme, "https") {
			return "", fmt.Errorf("%q must use https; write host[:port] or an https:// URL", host)
		}
		if u.Host == "" {
			return "", fmt.Errorf("%q has no host; write host[:port]", host)
		}
		h = u.Host
	}
	if strings.ContainsAny(h, "/?# \t") {
		return "", fmt.Errorf("%q is not a host; write host[:port] or an https:// URL without a path", host)
	}
	u := url.URL{Scheme: "https", Host: h, Path: "/metadata/endpoints", RawQuery: "api-version=" + metadataAPIVersion}
	return u.String(), nil
}

// endpointsDocument is the subset of the metadata endpoints response (Azure Stack Hub shape) we use.
type endpointsDocument struct {
	Name            string `json:"name"`
	ResourceManager string `json:"resourceManager"`
	Authentication  struct {
		LoginEndpoint string   `json:"loginEndpoint"`
		Audiences     []string `json:"audiences"`
		Tenant        string   `json:"tenant"`
	} `json:"authentication"`
}

// resolveCloud returns the cloud.Configuration for the Config, fetching the metadata document of a
// custom cloud through the given transport.
func resolveCloud(ctx context.Context, c *Config, t policy.Transporter) (cloud.Configuration, bool, error) {
	if c.MetadataHost == "" {
		name, ok := CanonicalCloudName(c.CloudEnvironmentName)
		if !ok {
			return cloud.Configuration{}, false, fmt.Errorf("cloud_environment_name: unknown cloud %q; use one of %s", c.CloudEnvironmentName, strings.Join(CloudNames(), ", "))
		}
		switch name {
		case CloudChina:
			return cloud.AzureChina, false, nil
		case CloudUSGovernment:
			return cloud.AzureGovernment, false, nil
		default:
			return cloud.AzurePublic, false, nil
		}
	}
	u, err := metadataURL(c.MetadataHost)
	if err != nil {
		return cloud.Configuration{}, true, fmt.Errorf("metadata_host: %w", err)
	}
	doc, err := fetchEndpoints(ctx, u, t)
	if err != nil {
		return cloud.Configuration{}, true, fmt.Errorf("metadata_host: reading %s: %w; check that metadata_host names the cloud's Resource Manager host and that its certificate is trusted", u, err)
	}
	return doc.configuration(u)
}

func (d *endpointsDocument) configuration(from string) (cloud.Configuration, bool, error) {
	if d.ResourceManager == "" || d.Authentication.LoginEndpoint == "" {
		return cloud.Configuration{}, true, fmt.Errorf("metadata_host: %s lacks resourceManager or authentication.loginEndpoint", from)
	}
	audience := d.ResourceManager
	if len(d.Authentication.Audiences) > 0 && d.Authentication.Audiences[0] != "" {
		audience = d.Authentication.Audiences[0]
	}
	login := d.Authentication.LoginEndpoint
	// The tenant-less authority host: Azure Stack ADFS endpoints end with /adfs, which azidentity
	// needs kept; Entra-style endpoints are a bare host.
	if !strings.HasSuffix(login, "/") {
		login += "/"
	}
	return cloud.Configuration{
		ActiveDirectoryAuthorityHost: login,
		Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
			cloud.ResourceManager: {Endpoint: strings.TrimSuffix(d.ResourceManager, "/"), Audience: audience},
		},
	}, true, nil
}

// httpDoer is the one thing both a policy.Transporter and *http.Client can do.
func fetchEndpoints(ctx context.Context, u string, t policy.Transporter) (*endpointsDocument, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if t == nil {
		t = http.DefaultClient
	}
	resp, err := t.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	var doc endpointsDocument
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("not a metadata endpoints document: %w", err)
	}
	return &doc, nil
}
