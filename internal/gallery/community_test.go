package gallery

import (
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
)

func communitySpec() *CommunitySpec {
	return &CommunitySpec{PublicNamePrefix: "acme-os", PublisherEmail: "images@example.com", PublisherURI: "https://example.com", Eula: "https://example.com/eula"}
}

func TestCheckCommunity(t *testing.T) {
	if errs := CheckCommunity("share_with_community", communitySpec()); len(errs) != 0 {
		t.Fatalf("valid spec refused: %v", errs)
	}
	bad := &CommunitySpec{PublicNamePrefix: "ab", PublisherEmail: "not-mail", PublisherURI: "example.com", Eula: "MIT"}
	errs := CheckCommunity("share_with_community", bad)
	var all []string
	for _, e := range errs {
		all = append(all, e.Error())
	}
	for _, want := range []string{"public_name_prefix \"ab\"", "publisher_email \"not-mail\"", "publisher_uri \"example.com\"", "eula \"MIT\""} {
		if !strings.Contains(strings.Join(all, "\n"), "share_with_community."+want) {
			t.Errorf("errors lack %s: %v", want, all)
		}
	}
}

// TestCommunityPublishAndPublicRead, against the emulator: 1.0.0 and 1.1.0 published into a gallery
// created for the community are shared to it, carry public ids, and the public read API lists both in
// the gallery's region; 1.1.0 is the newest not excluded from latest, and after it is excluded, 1.0.0.
func TestCommunityPublishAndPublicRead(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	src := e.image("img1", "eastus", 1, armcompute.HyperVGenerationTypesV2)
	var ids []string
	for _, v := range []string{"1.0.0", "1.1.0"} {
		req := e.request(src, v)
		req.Community = communitySpec()
		p := e.publisher(&recorder{})
		res, err := p.Publish(e.ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if res.SubscriptionID == "" {
			res.SubscriptionID = e.ready.SubscriptionID
		}
		if ids, err = p.EnableCommunity(e.ctx, res, testRG); err != nil {
			t.Fatal(err)
		}
	}
	if len(ids) != 1 || !strings.HasPrefix(ids[0], "/CommunityGalleries/acme-os-") || !strings.HasSuffix(ids[0], "/Images/"+testDef+"/Versions/1.1.0") {
		t.Fatalf("public ids: %v", ids)
	}
	public := strings.Split(ids[0], "/")[2]
	latest := func() string {
		t.Helper()
		pager := e.compute.NewCommunityGalleryImageVersionsClient().NewListPager("eastus", public, testDef, nil)
		best := ""
		for pager.More() {
			page, err := pager.NextPage(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range page.Value {
				if !strings.HasPrefix(*v.Identifier.UniqueID, "/CommunityGalleries/"+public+"/Images/") {
					t.Errorf("public id %s", *v.Identifier.UniqueID)
				}
				if !*v.Properties.ExcludeFromLatest && *v.Name > best {
					best = *v.Name
				}
			}
		}
		return best
	}
	if got := latest(); got != "1.1.0" {
		t.Fatalf("latest public version %q, want 1.1.0", got)
	}
	p, err := e.compute.NewGalleryImageVersionsClient().BeginUpdate(e.ctx, testRG, testGallery, testDef, "1.1.0", armcompute.GalleryImageVersionUpdate{
		Properties: &armcompute.GalleryImageVersionProperties{PublishingProfile: &armcompute.GalleryImageVersionPublishingProfile{ExcludeFromLatest: to.Ptr(true)}}}, nil)
	done(t, "exclude 1.1.0", p, err)
	if got := latest(); got != "1.0.0" {
		t.Fatalf("latest public version after excluding 1.1.0: %q, want 1.0.0", got)
	}
	if _, err := e.compute.NewCommunityGalleryImageVersionsClient().Get(e.ctx, "westus", public, testDef, "1.0.0", nil); err == nil {
		t.Error("a version not replicated to westus is readable there")
	}
}
