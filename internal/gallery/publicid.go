package gallery

import (
	"fmt"
	"strings"
)

// The public (consumer) forms of a gallery image version, as Azure's community and direct-shared read
// APIs report them in identifier.uniqueId (CommunityGalleryImageVersion_List.json,
// SharedGalleryImageVersion_Get.json): /CommunityGalleries/{publicName}/Images/{image}/Versions/{version}
// and /SharedGalleries/{uniqueName}/Images/{image}/Versions/{version}. They carry no subscription or
// resource group; the gallery is the public name (community) or the unique name (direct-shared).
const (
	SourceCommunityVersion SourceKind = "community gallery image version"
	SourceSharedVersion    SourceKind = "direct-shared gallery image version"
)

// publicRoots maps the lower-cased first segment of a public ID to its kind and Azure's spelling.
var publicRoots = map[string]struct {
	kind     SourceKind
	spelling string
}{
	"communitygalleries": {SourceCommunityVersion, "CommunityGalleries"},
	"sharedgalleries":    {SourceSharedVersion, "SharedGalleries"},
}

// IsPublicVersionID reports whether id starts like a community or direct-shared public ID.
func IsPublicVersionID(id string) bool {
	segs := strings.Split(strings.TrimPrefix(strings.TrimSpace(id), "/"), "/")
	_, ok := publicRoots[strings.ToLower(segs[0])]
	return ok
}

// parsePublicVersionID parses a public version ID (any case) into a SourceID whose ID is in Azure's
// spelling, Gallery the public or unique name, Definition the image and Name the version number.
func parsePublicVersionID(id string) (*SourceID, error) {
	s := strings.TrimSpace(id)
	segs := strings.Split(strings.TrimPrefix(s, "/"), "/")
	root, ok := publicRoots[strings.ToLower(segs[0])]
	if !ok {
		return nil, fmt.Errorf("source %q is not a /CommunityGalleries/… or /SharedGalleries/… ID", s)
	}
	form := "/" + root.spelling + "/{name}/Images/{image}/Versions/{major.minor.patch}"
	if !strings.HasPrefix(s, "/") || len(segs) != 6 || !strings.EqualFold(segs[2], "Images") || !strings.EqualFold(segs[4], "Versions") {
		return nil, fmt.Errorf("source %q is not a %s ID; give it as %s", s, root.kind, form)
	}
	for _, p := range []string{segs[1], segs[3], segs[5]} {
		if p == "" || strings.TrimSpace(p) != p {
			return nil, fmt.Errorf("source %q has an empty or padded part; give it as %s", s, form)
		}
	}
	if _, err := ParseVersion(segs[5]); err != nil {
		return nil, fmt.Errorf("source %q names version %q, not a version number (%w): a promotion copies one exact version, so give it as %s", s, segs[5], err, form)
	}
	out := &SourceID{Kind: root.kind, Gallery: segs[1], Definition: segs[3], Name: segs[5]}
	out.ID = "/" + root.spelling + "/" + out.Gallery + "/Images/" + out.Definition + "/Versions/" + out.Name
	return out, nil
}

// CheckVersionSourceID checks a promotion source (source_image_version_id): a gallery version's resource
// ID or a community version's public ID; a direct-shared ID parses but breaks an ImageRule (security.go).
func CheckVersionSourceID(id string) error {
	src, err := ParseSourceID(id, SourceGalleryImageVersion, SourceCommunityVersion, SourceSharedVersion)
	if err != nil {
		return fmt.Errorf("source_image_version_id %q: %w", id, err)
	}
	if errs := CheckImage(ImageFacts{SourceKind: src.Kind}); len(errs) > 0 {
		return fmt.Errorf("source_image_version_id %q is refused (%w)", id, errs[0])
	}
	return nil
}
