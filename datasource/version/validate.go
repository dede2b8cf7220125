package version

import (
	"fmt"
	"regexp"
	"strings"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	core "github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

// Azure's naming rules, the same the post-processor checks, so a typo fails at `packer validate`
// rather than as a 404 at build time.
var (
	resourceGroupPattern = regexp.MustCompile(`^[-\w._()]{1,90}$`)
	galleryNamePattern   = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9_.]{0,78}[A-Za-z0-9])?$`)
	imageNamePattern     = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9_.-]{0,78}[A-Za-z0-9])?$`)
)

// prepare validates everything that can be checked without the network and parses the constraint. It
// returns every problem at once; each names the field and says how to fix it.
func (c *Config) prepare() (core.Constraint, *packersdk.MultiError) {
	var errs *packersdk.MultiError
	add := func(format string, args ...interface{}) {
		errs = packersdk.MultiErrorAppend(errs, fmt.Errorf(format, args...))
	}
	for _, err := range c.Config.Prepare() {
		errs = packersdk.MultiErrorAppend(errs, err)
	}

	switch {
	case c.ResourceGroup == "":
		add("resource_group is required: the resource group that holds the gallery")
	case !resourceGroupPattern.MatchString(c.ResourceGroup) || strings.HasSuffix(c.ResourceGroup, "."):
		add("resource_group %q is not a valid resource group name: use 1 to 90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'", c.ResourceGroup)
	}
	switch {
	case c.GalleryName == "":
		add("gallery_name is required: the name of the Azure Compute Gallery that holds the image definition")
	case !galleryNamePattern.MatchString(c.GalleryName):
		add("gallery_name %q is not a valid gallery name: use up to 80 letters, digits, '_' or '.', starting and ending with a letter or digit (no hyphens)", c.GalleryName)
	}
	switch {
	case c.ImageName == "":
		add("image_name is required: the name of the gallery image definition whose versions to search")
	case !imageNamePattern.MatchString(c.ImageName):
		add("image_name %q is not a valid image definition name: use up to 80 letters, digits, '-', '_' or '.', starting and ending with a letter or digit", c.ImageName)
	}

	var constraint core.Constraint
	if c.VersionConstraint != "" {
		parsed, err := core.ParseConstraint(c.VersionConstraint)
		if err != nil {
			add("version_constraint: %v", err)
		} else {
			constraint = parsed
		}
	}
	if c.IncludeExcluded && c.VersionConstraint == "" {
		add("include_excluded needs version_constraint: the latest version never includes versions excluded from latest; to consider every version, set version_constraint = \">= 0\"")
	}
	return constraint, errs
}
