package azuregallery

import (
	"strings"
	"testing"
)

func communityBlock() map[string]interface{} {
	return map[string]interface{}{"public_name_prefix": "acme-os", "publisher_email": "images@example.com",
		"publisher_uri": "https://example.com", "eula": "https://example.com/eula"}
}

// TestConfigureCommunity: share_with_community reaches the request and is enabled by default; packer
// validate refuses a bad prefix, email, links, and direct sharing next to it.
func TestConfigureCommunity(t *testing.T) {
	clearAzureEnv(t)
	raw := baseConfig()
	raw["share_with_community"] = communityBlock()
	var p PostProcessor
	if err := p.Configure(raw); err != nil {
		t.Fatalf("valid share_with_community refused: %v", err)
	}
	req := p.request(&source{ImageID: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/images/i"})
	if req.Community == nil || req.Community.PublicNamePrefix != "acme-os" || !p.config.communityEnabled() {
		t.Fatalf("request community: %+v, enabled %v", req.Community, p.config.communityEnabled())
	}
	off := communityBlock()
	off["enable"] = false
	raw["share_with_community"] = off
	var q PostProcessor
	if err := q.Configure(raw); err != nil || q.config.communityEnabled() {
		t.Fatalf("enable = false: %v, enabled %v", err, q.config.communityEnabled())
	}
	for _, c := range []struct {
		name, key string
		value     interface{}
		want      string
	}{
		{"short prefix", "public_name_prefix", "ab", "share_with_community.public_name_prefix \"ab\" is not valid"},
		{"prefix with a dot", "public_name_prefix", "acme.os", "share_with_community.public_name_prefix"},
		{"email", "publisher_email", "images", "share_with_community.publisher_email \"images\" is not an email address"},
		{"eula text", "eula", "MIT License", "share_with_community.eula \"MIT License\" is not a link"},
		{"uri without scheme", "publisher_uri", "example.com", "share_with_community.publisher_uri \"example.com\" is not a link"},
	} {
		b := communityBlock()
		b[c.key] = c.value
		raw := baseConfig()
		raw["share_with_community"] = b
		var p PostProcessor
		if err := p.Configure(raw); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	raw = baseConfig()
	raw["share_with_community"] = communityBlock()
	raw["share_with_subscriptions"] = []string{"00000000-0000-0000-0000-0000000000aa"}
	if err := (&PostProcessor{}).Configure(raw); err == nil || !strings.Contains(err.Error(), "cannot be combined with share_with_subscriptions") {
		t.Errorf("with direct sharing: %v", err)
	}
}

// TestArtifactCarriesCommunityIDs: the public ids reach generated data and the HCP Packer labels.
func TestArtifactCarriesCommunityIDs(t *testing.T) {
	id := "/CommunityGalleries/acme-os-1234/Images/ubuntu/Versions/1.0.0"
	a := &Artifact{VersionID: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/ubuntu/versions/1.0.0",
		Version: "1.0.0", Regions: []string{"eastus"}, CommunityIDs: []string{id}}
	gd, ok := a.State("generated_data").(map[string]interface{})
	if !ok || gd["CommunityImageVersionIDs"] != id {
		t.Fatalf("generated data: %v", gd)
	}
	imgs, err := a.registryImages()
	if err != nil || len(imgs) != 1 || imgs[0].Labels["community_image_ids"] != id {
		t.Fatalf("registry images: %+v %v", imgs, err)
	}
}
