package gallery

import (
	"fmt"
	"regexp"
)

// sharedGalleryNamePattern is a gallery's unique name, as Azure forms it (identifier.uniqueName) and
// names a direct-shared gallery by: the owning subscription's id, a hyphen and the gallery's name.
var sharedGalleryNamePattern = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}-[A-Za-z0-9]([A-Za-z0-9_.]{0,78}[A-Za-z0-9])?$`)

// CheckSharedGalleryName reports why name is not a direct-shared gallery's unique name, or nil.
func CheckSharedGalleryName(name string) error {
	if !sharedGalleryNamePattern.MatchString(name) {
		return fmt.Errorf("shared_gallery_name %q is not a shared gallery's unique name: use the gallery's unique name as its owner sees it (identifier.uniqueName), the owning subscription's id, a hyphen and the gallery name, such as 1a2b3c4d-1234-abcd-1234-1a2b3c4d5e6f-GOLDEN", name)
	}
	return nil
}
