package azure

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// authorizationURI finds authorization_uri="..." in a WWW-Authenticate challenge.
var authorizationURI = regexp.MustCompile(`authorization_uri="([^"]+)"`)

// discoverTenant asks Resource Manager, without a token, which tenant holds the subscription: the 401
// challenge names the tenant's authority. The azure-arm builder finds the tenant the same way, so
// templates without tenant_id keep working.
func discoverTenant(ctx context.Context, cfg cloud.Configuration, subscriptionID string, t policy.Transporter) (string, error) {
	rm := cfg.Services[cloud.ResourceManager].Endpoint
	if rm == "" {
		return "", fmt.Errorf("the cloud has no Resource Manager endpoint")
	}
	u := strings.TrimSuffix(rm, "/") + "/subscriptions/" + url.PathEscape(subscriptionID) + "?api-version=2022-12-01"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	if t == nil {
		t = http.DefaultClient
	}
	resp, err := t.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	m := authorizationURI.FindStringSubmatch(resp.Header.Get("WWW-Authenticate"))
	if resp.StatusCode != http.StatusUnauthorized || m == nil {
		return "", fmt.Errorf("Resource Manager answered HTTP %d without a tenant challenge", resp.StatusCode)
	}
	au, err := url.Parse(m[1])
	if err != nil {
		return "", fmt.Errorf("bad authorization_uri %q", m[1])
	}
	tenant := strings.Trim(au.Path, "/")
	if i := strings.LastIndex(tenant, "/"); i >= 0 {
		tenant = tenant[i+1:]
	}
	if tenant == "" {
		return "", fmt.Errorf("authorization_uri %q names no tenant", m[1])
	}
	return tenant, nil
}
