package gallery

import (
	"fmt"

	"github.com/google/uuid"
)

// CheckSharedGalleryName reports why name is not a direct-shared gallery's unique name, or nil. Azure
// forms that name (identifier.uniqueName) from the owning subscription's id, a hyphen and the gallery's
// name, so it is checked as those two parts: a canonical GUID (36 characters) and galleryNamePattern.
func CheckSharedGalleryName(name string) error {
	const guidLen = 36
	if len(name) > guidLen+1 && name[guidLen] == '-' {
		if _, err := uuid.Parse(name[:guidLen]); err == nil && galleryNamePattern.MatchString(name[guidLen+1:]) {
			return nil
		}
	}
	return fmt.Errorf("shared_gallery_name %q is not a shared gallery's unique name: use the gallery's unique name as its owner sees it (identifier.uniqueName), the owning subscription's id, a hyphen and the gallery name, such as 1a2b3c4d-1234-abcd-1234-1a2b3c4d5e6f-GOLDEN", name)
}
