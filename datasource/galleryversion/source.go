package galleryversion

import (
	"fmt"
	"strings"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

// This file checks which gallery the data source reads: exactly one of a gallery of your own
// (resource_group and gallery_name), a community gallery (community_gallery_name) or a gallery shared
// directly with you (shared_gallery_name), the last two in a location.

// prepareSource checks the gallery settings, naming the fields.
func (c *Config) prepareSource(errs **packersdk.MultiError) {
	add := func(format string, args ...interface{}) {
		*errs = packersdk.MultiErrorAppend(*errs, fmt.Errorf(format, args...))
	}
	var views []string
	if c.CommunityGalleryName != "" {
		views = append(views, "community_gallery_name")
	}
	if c.SharedGalleryName != "" {
		views = append(views, "shared_gallery_name")
		if err := gallery.CheckSharedGalleryName(c.SharedGalleryName); err != nil {
			*errs = packersdk.MultiErrorAppend(*errs, err)
		}
	}
	if len(views) == 0 {
		if c.Location != "" {
			add("location is only for community_gallery_name or shared_gallery_name: a gallery of your own (resource_group, gallery_name) is read in every region; remove location")
		}
		c.prepareOwnGallery(errs)
		return
	}
	if len(views) > 1 {
		add("set exactly one of gallery_name (with resource_group), community_gallery_name or shared_gallery_name: %s are both set", strings.Join(views, " and "))
	}
	if c.Location == "" {
		add("location is required with %s: the region whose replicas to read, such as \"eastus\"", views[0])
	} else if loc, err := gallery.CheckRegion(c.Location); err != nil {
		add("location: %v", err)
	} else {
		c.Location = loc
	}
	if c.ResourceGroup != "" || c.GalleryName != "" {
		what := map[string]string{"community_gallery_name": "a community gallery by its public name",
			"shared_gallery_name": "a gallery shared with you by its unique name"}[views[0]]
		add("%s reads %s: remove resource_group and gallery_name, which name a gallery of your own", views[0], what)
	}
}

// prepareOwnGallery checks resource_group and gallery_name, which name a gallery of your own.
func (c *Config) prepareOwnGallery(errs **packersdk.MultiError) {
	add := func(format string, args ...interface{}) {
		*errs = packersdk.MultiErrorAppend(*errs, fmt.Errorf(format, args...))
	}
	const other = " (or read a community_gallery_name or a shared_gallery_name, with location, instead)"
	if c.ResourceGroup == "" {
		add("resource_group is required: the resource group that holds the gallery" + other)
	} else if err := gallery.CheckResourceGroupName(c.ResourceGroup); err != nil {
		*errs = packersdk.MultiErrorAppend(*errs, err)
	}
	if c.GalleryName == "" {
		add("gallery_name is required: the name of the Azure Compute Gallery that holds the image definition" + other)
	} else if err := gallery.CheckGalleryName(c.GalleryName); err != nil {
		*errs = packersdk.MultiErrorAppend(*errs, err)
	}
}

// galleryLabel names the gallery read, for error messages.
func (c *Config) galleryLabel() string {
	switch {
	case c.SharedGalleryName != "":
		return fmt.Sprintf("shared gallery %q (%s)", c.SharedGalleryName, c.Location)
	case c.CommunityGalleryName != "":
		return fmt.Sprintf("community gallery %q (%s)", c.CommunityGalleryName, c.Location)
	}
	return fmt.Sprintf("gallery %q", c.GalleryName)
}
