package azuregallery

import (
	"strings"
	"testing"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

const (
	testVersionID = "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/dev-rg/providers/Microsoft.Compute/galleries/dev/images/ubuntu/versions/1.2.3"
	principal1    = "11111111-aaaa-bbbb-cccc-000000000001"
	principal2    = "11111111-aaaa-bbbb-cccc-000000000002"
)

func TestConfigureShareAndPromotionErrors(t *testing.T) {
	clearAzureEnv(t)
	for _, tc := range []struct {
		name string
		set  map[string]interface{}
		want string
	}{
		{"both sources", map[string]interface{}{"source_image_id": testImageID, "source_image_version_id": testVersionID},
			"source_image_id and source_image_version_id are both set"},
		{"version ID is a managed image", map[string]interface{}{"source_image_version_id": testImageID},
			"source_image_version_id: source"},
		{"unknown scope", map[string]interface{}{"share": []map[string]interface{}{{"scope": "subscription", "principal_ids": []string{principal1}}}},
			"share[0].scope \"subscription\" is not a share scope: use gallery, image or version"},
		{"no principals", map[string]interface{}{"share": []map[string]interface{}{{"scope": "gallery"}}},
			"share[0].principal_ids is empty"},
		{"principal not a GUID", map[string]interface{}{"share": []map[string]interface{}{{"scope": "image", "principal_ids": []string{"alice@contoso.com"}}}},
			"share[0].principal_ids[0] \"alice@contoso.com\" is not a GUID"},
		{"principal twice", map[string]interface{}{"share": []map[string]interface{}{{"scope": "image", "principal_ids": []string{principal1, strings.ToUpper(principal1)}}}},
			"share[0].principal_ids lists"},
		{"unknown role", map[string]interface{}{"share": []map[string]interface{}{{"scope": "version", "principal_ids": []string{principal1}, "role": "Gallery Reader"}}},
			"share[0].role: role \"Gallery Reader\" is not a built-in role name"},
		{"subscription not a GUID", map[string]interface{}{"share_with_subscriptions": []string{"prod"}},
			"share_with_subscriptions[0] \"prod\" is not a GUID: give a subscription ID"},
		{"tenant not a GUID", map[string]interface{}{"share_with_tenants": []string{"contoso.onmicrosoft.com"}},
			"share_with_tenants[0] \"contoso.onmicrosoft.com\" is not a GUID: give a tenant ID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := baseConfig()
			for k, v := range tc.set {
				raw[k] = v
			}
			var p PostProcessor
			err := p.Configure(raw)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

func TestConfigureShareMapsToTheCore(t *testing.T) {
	clearAzureEnv(t)
	raw := baseConfig()
	raw["source_image_version_id"] = testVersionID
	raw["share"] = []map[string]interface{}{
		{"scope": "Gallery", "principal_ids": []string{principal1}},
		{"scope": "version", "principal_ids": []string{principal1, " " + principal2}, "role": "Contributor"},
	}
	raw["share_with_subscriptions"] = []string{"22222222-0000-0000-0000-000000000001"}
	raw["share_with_tenants"] = []string{"33333333-0000-0000-0000-000000000001"}
	var p PostProcessor
	if err := p.Configure(raw); err != nil {
		t.Fatal(err)
	}
	s := p.config.shareRequest()
	if len(s.Grants) != 2 || s.Grants[0].Scope != gallery.ShareScopeGallery || s.Grants[0].Role != "" ||
		s.Grants[1].Scope != gallery.ShareScopeVersion || s.Grants[1].Role != "Contributor" || s.Grants[1].PrincipalIDs[1] != principal2 {
		t.Errorf("grants: %+v", s.Grants)
	}
	if len(s.Subscriptions) != 1 || len(s.Tenants) != 1 {
		t.Errorf("direct sharing: %+v", s)
	}
	src, err := resolveSource(p.config.SourceImageID, p.config.SourceImageVersionID, nil)
	if err != nil || src.ImageID != testVersionID || src.From != "source_image_version_id" {
		t.Fatalf("source: %+v, %v", src, err)
	}
	req := p.request(src)
	if req.SourceID != testVersionID || !req.DirectSharing {
		t.Errorf("request: source %q, direct sharing %v", req.SourceID, req.DirectSharing)
	}
}
