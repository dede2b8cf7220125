package azure

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
)

// TestSovereignCloudsMatchAzcore checks every accepted cloud_environment_name (canonical names and
// aliases, in any case) against azcore's own endpoint tables: the authority host and every service's
// endpoint and audience must be exactly azcore's, so a sovereign cloud never talks to the public one.
func TestSovereignCloudsMatchAzcore(t *testing.T) {
	cases := []struct {
		names []string
		want  cloud.Configuration
	}{
		{[]string{"", "Public", "public", "AzurePublicCloud", "AzureCloud", " azurecloud "}, cloud.AzurePublic},
		{[]string{"China", "china", "AzureChinaCloud", "AZURECHINACLOUD"}, cloud.AzureChina},
		{[]string{"USGovernment", "usgovernment", "AzureUSGovernmentCloud", "AzureUSGovernment"}, cloud.AzureGovernment},
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		for _, name := range tc.names {
			seen[strings.ToLower(strings.TrimSpace(name))] = true
			got, custom, err := resolveCloud(context.Background(), &Config{CloudEnvironmentName: name}, nil)
			if err != nil {
				t.Errorf("cloud_environment_name %q: %v", name, err)
				continue
			}
			if custom {
				t.Errorf("cloud_environment_name %q: reported as a custom cloud", name)
			}
			if got.ActiveDirectoryAuthorityHost != tc.want.ActiveDirectoryAuthorityHost {
				t.Errorf("cloud_environment_name %q: authority %q, azcore has %q", name, got.ActiveDirectoryAuthorityHost, tc.want.ActiveDirectoryAuthorityHost)
			}
			if !reflect.DeepEqual(got.Services, tc.want.Services) {
				t.Errorf("cloud_environment_name %q: services %v, azcore has %v", name, got.Services, tc.want.Services)
			}
			arm := got.Services[cloud.ResourceManager]
			if arm.Endpoint == "" || arm.Audience == "" {
				t.Errorf("cloud_environment_name %q: no Resource Manager endpoint/audience: %+v", name, arm)
			}
		}
	}
	// Every alias the plugin accepts is covered above, so a new alias cannot slip in untested.
	for alias := range cloudAliases {
		if !seen[alias] {
			t.Errorf("alias %q is accepted but not checked against azcore here", alias)
		}
	}
}

// TestSovereignCloudsAreDistinct guards against a table that maps two clouds to the same endpoints.
func TestSovereignCloudsAreDistinct(t *testing.T) {
	hosts := map[string]string{}
	for _, name := range CloudNames() {
		got, _, err := resolveCloud(context.Background(), &Config{CloudEnvironmentName: name}, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ep := got.Services[cloud.ResourceManager].Endpoint
		if other, dup := hosts[ep]; dup {
			t.Errorf("%s and %s share the Resource Manager endpoint %s", name, other, ep)
		}
		hosts[ep] = name
	}
	if len(hosts) != 3 {
		t.Errorf("want 3 distinct clouds, got %v", hosts)
	}
}

func TestUnknownCloudNameNamesTheChoices(t *testing.T) {
	_, _, err := resolveCloud(context.Background(), &Config{CloudEnvironmentName: "AzureGermanCloud"}, nil)
	if err == nil {
		t.Fatal("AzureGermanCloud accepted")
	}
	for _, want := range []string{"cloud_environment_name", "AzureGermanCloud", CloudChina, CloudPublic, CloudUSGovernment} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

// stackHubMetadata serves an Azure Stack Hub-style metadata endpoints document (ADFS login endpoint
// with a path, an audience that differs from the Resource Manager URL) over TLS and counts requests.
func stackHubMetadata(t *testing.T, doc map[string]any) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metadata/endpoints" || r.URL.Query().Get("api-version") != metadataAPIVersion {
			http.NotFound(w, r)
			return
		}
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(doc)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestMetadataHostStackHub(t *testing.T) {
	doc := map[string]any{
		"galleryEndpoint": "https://portal.local.azurestack.external:30015/",
		"graphEndpoint":   "https://graph.local.azurestack.external/",
		"portalEndpoint":  "https://portal.local.azurestack.external/",
		"name":            "AzureStack-User-1789e0c5-b7fc-4c31-8a2d-3b8b67b6d0a6",
		"authentication": map[string]any{
			"loginEndpoint": "https://adfs.local.azurestack.external/adfs",
			"audiences":     []string{"https://management.adfs.azurestack.local/4d1ac4d4-e4b2-4d6b-8c35-d3b2b1c8e3c5"},
			"tenant":        "adfs",
		},
	}
	srv, hits := stackHubMetadata(t, doc)
	// The Resource Manager endpoint is the same host (as on Azure Stack Hub).
	doc["resourceManager"] = srv.URL + "/"
	host := strings.TrimPrefix(srv.URL, "https://")

	for _, mh := range []string{host, srv.URL, srv.URL + "/"} {
		got, custom, err := resolveCloud(context.Background(), &Config{MetadataHost: mh}, srv.Client())
		if err != nil {
			t.Fatalf("metadata_host %q: %v", mh, err)
		}
		if !custom {
			t.Errorf("metadata_host %q: not reported as a custom cloud", mh)
		}
		if got.ActiveDirectoryAuthorityHost != "https://adfs.local.azurestack.external/adfs/" {
			t.Errorf("authority = %q; want the ADFS endpoint with its path and a trailing slash", got.ActiveDirectoryAuthorityHost)
		}
		arm, ok := got.Services[cloud.ResourceManager]
		if !ok {
			t.Fatalf("no Resource Manager service in %+v", got.Services)
		}
		if arm.Endpoint != srv.URL {
			t.Errorf("Resource Manager endpoint = %q; want %q (no trailing slash)", arm.Endpoint, srv.URL)
		}
		if want := "https://management.adfs.azurestack.local/4d1ac4d4-e4b2-4d6b-8c35-d3b2b1c8e3c5"; arm.Audience != want {
			t.Errorf("audience = %q; want the document's first audience %q", arm.Audience, want)
		}
	}
	if hits.Load() != 3 {
		t.Errorf("metadata document fetched %d times; want 3", hits.Load())
	}

	// metadata_host wins over cloud_environment_name: a custom cloud never falls back to a public one.
	got, _, err := resolveCloud(context.Background(), &Config{MetadataHost: host, CloudEnvironmentName: "China"}, srv.Client())
	if err != nil || got.Services[cloud.ResourceManager].Endpoint != srv.URL {
		t.Errorf("metadata_host with cloud_environment_name: %+v, %v", got.Services, err)
	}
}

// TestMetadataHostAudienceFallback: a document without audiences uses the Resource Manager URL.
func TestMetadataHostAudienceFallback(t *testing.T) {
	doc := map[string]any{
		"authentication": map[string]any{"loginEndpoint": "https://login.stack.example/"},
	}
	srv, _ := stackHubMetadata(t, doc)
	doc["resourceManager"] = srv.URL + "/"
	got, _, err := resolveCloud(context.Background(), &Config{MetadataHost: srv.URL}, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	if a := got.Services[cloud.ResourceManager].Audience; a != srv.URL+"/" {
		t.Errorf("audience = %q; want the resourceManager value %q", a, srv.URL+"/")
	}
	if got.ActiveDirectoryAuthorityHost != "https://login.stack.example/" {
		t.Errorf("authority = %q", got.ActiveDirectoryAuthorityHost)
	}
}

func TestMetadataHostErrors(t *testing.T) {
	incomplete, _ := stackHubMetadata(t, map[string]any{"name": "half"})
	_, _, err := resolveCloud(context.Background(), &Config{MetadataHost: incomplete.URL}, incomplete.Client())
	if err == nil || !strings.Contains(err.Error(), "lacks resourceManager") {
		t.Errorf("incomplete document: %v", err)
	}

	// An untrusted certificate is refused (never skipped) and the error says what to check.
	good, _ := stackHubMetadata(t, map[string]any{})
	_, _, err = resolveCloud(context.Background(), &Config{MetadataHost: good.URL}, &http.Client{})
	if err == nil || !strings.Contains(err.Error(), "certificate is trusted") {
		t.Errorf("untrusted certificate: %v", err)
	}

	u, _ := url.Parse(good.URL)
	_, _, err = resolveCloud(context.Background(), &Config{MetadataHost: "http://" + u.Host}, good.Client())
	if err == nil || !strings.Contains(err.Error(), "must use https") {
		t.Errorf("http metadata_host: %v", err)
	}
}
