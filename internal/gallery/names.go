package gallery

import (
	"fmt"
	"regexp"
	"strings"
)

// Azure's naming rules for the resources a template names, checked before any call so that a typo is a
// config error rather than a 400 from ARM half-way through a run.
var (
	resourceGroupPattern = regexp.MustCompile(`^[-\w._()]{1,90}$`)
	galleryNamePattern   = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9_.]{0,78}[A-Za-z0-9])?$`)
	imageNamePattern     = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9_.-]{0,78}[A-Za-z0-9])?$`)
)

// CheckResourceGroupName reports why name is not a valid resource group name, or nil.
func CheckResourceGroupName(name string) error {
	if !resourceGroupPattern.MatchString(name) || strings.HasSuffix(name, ".") {
		return fmt.Errorf("resource_group %q is not a valid resource group name: use 1 to 90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'", name)
	}
	return nil
}

// CheckGalleryName reports why name is not a valid gallery name, or nil.
func CheckGalleryName(name string) error {
	if !galleryNamePattern.MatchString(name) {
		return fmt.Errorf("gallery_name %q is not a valid gallery name: use up to 80 letters, digits, '_' or '.', starting and ending with a letter or digit (no hyphens)", name)
	}
	return nil
}

// CheckImageName reports why name is not a valid image definition name, or nil.
func CheckImageName(name string) error {
	if !imageNamePattern.MatchString(name) {
		return fmt.Errorf("image_name %q is not a valid image definition name: use up to 80 letters, digits, '-', '_' or '.', starting and ending with a letter or digit", name)
	}
	return nil
}
