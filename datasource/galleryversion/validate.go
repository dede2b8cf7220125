package galleryversion

import (
	"fmt"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

// prepare validates everything that can be checked without the network and parses the constraint. It
// returns every problem at once; each names the field and says how to fix it.
func (c *Config) prepare() (gallery.Constraint, *packersdk.MultiError) {
	var errs *packersdk.MultiError
	add := func(format string, args ...interface{}) {
		errs = packersdk.MultiErrorAppend(errs, fmt.Errorf(format, args...))
	}
	for _, err := range c.Config.Prepare() {
		errs = packersdk.MultiErrorAppend(errs, err)
	}

	c.prepareSource(&errs) // source.go
	switch {
	case c.ImageName == "":
		add("image_name is required: the name of the gallery image definition whose versions to search")
	default:
		if err := gallery.CheckImageName(c.ImageName); err != nil {
			errs = packersdk.MultiErrorAppend(errs, err)
		}
	}

	var constraint gallery.Constraint
	if c.VersionConstraint != "" {
		parsed, err := gallery.ParseConstraint(c.VersionConstraint)
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
