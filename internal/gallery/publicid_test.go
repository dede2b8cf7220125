package gallery

import (
	"strings"
	"testing"
)

// publicIDCases are the community and direct-shared ID forms ParseSourceID takes when they are allowed.
var publicIDCases = []struct {
	in, id               string
	kind                 SourceKind
	gallery, def, number string
	err                  string
}{
	{in: "/CommunityGalleries/acme-1a2b/Images/ubuntu/Versions/1.0.0", id: "/CommunityGalleries/acme-1a2b/Images/ubuntu/Versions/1.0.0",
		kind: SourceCommunityVersion, gallery: "acme-1a2b", def: "ubuntu", number: "1.0.0"},
	{in: " /communityGalleries/acme-1a2b/images/ubuntu/versions/2.3.4 ", id: "/CommunityGalleries/acme-1a2b/Images/ubuntu/Versions/2.3.4",
		kind: SourceCommunityVersion, gallery: "acme-1a2b", def: "ubuntu", number: "2.3.4"},
	{in: "/SharedGalleries/0000-1111/Images/gen2/Versions/1.0.0", id: "/SharedGalleries/0000-1111/Images/gen2/Versions/1.0.0",
		kind: SourceSharedVersion, gallery: "0000-1111", def: "gen2", number: "1.0.0"},
	{in: "/CommunityGalleries/acme/Images/ubuntu/Versions/latest", err: `names version "latest", not a version number`},
	{in: "/CommunityGalleries/acme/Images/ubuntu", err: "give it as /CommunityGalleries/{name}/Images/{image}/Versions/{major.minor.patch}"},
	{in: "CommunityGalleries/acme/Images/ubuntu/Versions/1.0.0", err: "is not a community gallery image version ID"},
	{in: "/CommunityGalleries//Images/ubuntu/Versions/1.0.0", err: "empty or padded part"},
	{in: "/SharedGalleries/x/Images/y/Versions/1.0.0/extra", err: "is not a direct-shared gallery image version ID"},
	{in: "/CommunityGalleries/acme/Definitions/ubuntu/Versions/1.0.0", err: "give it as"},
}

func TestParsePublicVersionID(t *testing.T) {
	for _, tc := range publicIDCases {
		got, err := ParseSourceID(tc.in, SourceGalleryImageVersion, SourceCommunityVersion, SourceSharedVersion)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseSourceID(%q) error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseSourceID(%q): %v", tc.in, err)
			continue
		}
		want := SourceID{ID: tc.id, Kind: tc.kind, Gallery: tc.gallery, Definition: tc.def, Name: tc.number}
		if *got != want {
			t.Errorf("ParseSourceID(%q) = %+v, want %+v", tc.in, *got, want)
		}
	}
	// Public forms are accepted only where allowed: a managed image field refuses them by kind.
	if _, err := ParseSourceID("/CommunityGalleries/a/Images/b/Versions/1.0.0", SourceManagedImage); err == nil ||
		!strings.Contains(err.Error(), "is a community gallery image version, not a managed image") {
		t.Errorf("managed image field took a community ID: %v", err)
	}
	if _, err := ParseSourceID("/CommunityGalleries/a/Images/b/Versions/1.0.0"); err == nil {
		t.Error("the default kinds took a community ID")
	}
}

// TestCheckVersionSourceID: the promotion source takes a version's resource ID or a community ID and
// refuses a direct-shared ID with Azure's rule (ImageRules), naming source_image_version_id.
func TestCheckVersionSourceID(t *testing.T) {
	for _, ok := range []string{
		"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d/versions/1.0.0",
		"/CommunityGalleries/acme-1a2b/Images/ubuntu/Versions/1.0.0",
	} {
		if err := CheckVersionSourceID(ok); err != nil {
			t.Errorf("CheckVersionSourceID(%q): %v", ok, err)
		}
	}
	err := CheckVersionSourceID("/SharedGalleries/0000-1111/Images/gen2/Versions/1.0.0")
	if err == nil || !strings.Contains(err.Error(), "source_image_version_id: a direct-shared version") || !strings.Contains(err.Error(), "GalleryArtifactVersionFullSource") {
		t.Errorf("direct-shared: %v", err)
	}
	if err := CheckVersionSourceID("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/images/i"); err == nil {
		t.Error("a managed image was taken as a version source")
	}
}

// TestCommunitySourceBody: a community source goes in storageProfile.source.communityGalleryImageId (as
// GalleryImageVersion_Create_WithCommunityImageVersionAsSource.json sends it), and reads back as the
// version's source ID, so a re-run recognizes its own version.
func TestCommunitySourceBody(t *testing.T) {
	id := "/CommunityGalleries/acme-1a2b/Images/ubuntu/Versions/1.0.0"
	sp := storageProfile(Source{ID: id, Kind: SourceCommunityVersion}, nil)
	if sp.Source == nil || deref(sp.Source.CommunityGalleryImageID) != id || sp.Source.ID != nil || sp.OSDiskImage != nil {
		t.Fatalf("storage profile %+v", sp)
	}
	if got := StorageSourceID(sp); got != id {
		t.Errorf("StorageSourceID = %q, want %q", got, id)
	}
	if errs := dataDiskRules(Source{Kind: SourceCommunityVersion}, []DataDiskSpec{{Lun: 1}}); len(errs) != 1 {
		t.Errorf("data disks with a community source: %v", errs)
	}
}
