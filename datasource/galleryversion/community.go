package galleryversion

import (
	"context"
	"fmt"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

// This file reads a community gallery (public images) by its public name and a location, through
// Azure's communityGalleryImageVersions API, so a consumer template picks "latest public 1.x" with the
// same rules as its own gallery. The outputs' id is the public id, /CommunityGalleries/….

// prepareCommunity checks the community settings: a location, and no resource_group or gallery_name
// (a community gallery is read by its public name only).
func (c *Config) prepareCommunity(errs **packersdk.MultiError) {
	add := func(format string, args ...interface{}) {
		*errs = packersdk.MultiErrorAppend(*errs, fmt.Errorf(format, args...))
	}
	if c.Location == "" {
		add("location is required with community_gallery_name: the region whose replicas to read, such as \"eastus\"")
	} else if loc, err := gallery.CheckRegion(c.Location); err != nil {
		add("location: %v", err)
	} else {
		c.Location = loc
	}
	if c.ResourceGroup != "" || c.GalleryName != "" {
		add("community_gallery_name reads a community gallery by its public name: remove resource_group and gallery_name, which name a gallery of your own")
	}
}

// listVersionsFor lists the definition's versions from the configured gallery: a community gallery
// when community_gallery_name is set, the caller's own gallery otherwise.
func (d *Datasource) listVersionsFor(ctx context.Context, sess *azure.Session) ([]gallery.VersionInfo, error) {
	c := d.config
	if c.CommunityGalleryName == "" {
		return listVersions(ctx, sess, c.SubscriptionID, c.ResourceGroup, c.GalleryName, c.ImageName)
	}
	cf, err := sess.Compute(c.SubscriptionID)
	if err != nil {
		return nil, err
	}
	pager := cf.NewCommunityGalleryImageVersionsClient().NewListPager(c.Location, c.CommunityGalleryName, c.ImageName, nil)
	var out []gallery.VersionInfo
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, v := range page.Value {
			if info, ok := communityVersionInfo(v, c.Location); ok {
				out = append(out, info)
			}
		}
	}
	return out, nil
}

// communityVersionInfo converts one public version. The view lists only versions that can be used, so
// they count as succeeded; a soft-deleted one (imageState SoftDeleted) is usable only when asked for by
// number, so it is treated as excluded from latest.
func communityVersionInfo(v *armcompute.CommunityGalleryImageVersion, location string) (gallery.VersionInfo, bool) {
	if v == nil || v.Name == nil {
		return gallery.VersionInfo{}, false
	}
	num, err := gallery.ParseVersion(*v.Name)
	if err != nil {
		return gallery.VersionInfo{}, false
	}
	info := gallery.VersionInfo{Name: *v.Name, Version: num, Location: location, ProvisioningState: "Succeeded", Regions: []string{location}, Tags: map[string]string{}}
	if v.Identifier != nil {
		info.ID = str(v.Identifier.UniqueID)
	}
	if p := v.Properties; p != nil {
		info.ExcludeFromLatest = p.ExcludeFromLatest != nil && *p.ExcludeFromLatest ||
			p.ImageState != nil && *p.ImageState == armcompute.GalleryImageVersionStateSoftDeleted
		info.EndOfLife = p.EndOfLifeDate
		if p.PublishedDate != nil {
			info.PublishedDate = *p.PublishedDate
		}
	}
	return info, true
}
