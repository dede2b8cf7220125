package galleryversion

import (
	"context"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

// This file reads a community gallery (public images) by its public name and a location, through
// Azure's communityGalleryImageVersions API, so a consumer template picks "latest public 1.x" with the
// same rules as its own gallery. The outputs' id is the public id, /CommunityGalleries/….

// listVersionsFor lists the definition's versions from the configured gallery: a community gallery
// when community_gallery_name is set, a direct-shared one when shared_gallery_name is, the caller's own
// gallery otherwise.
func (d *Datasource) listVersionsFor(ctx context.Context, sess *azure.Session) ([]gallery.VersionInfo, error) {
	c := d.config
	switch {
	case c.SharedGalleryName != "":
		return listSharedVersions(ctx, sess, c) // shared.go
	case c.CommunityGalleryName == "":
		return listVersions(ctx, sess, c.SubscriptionID, c.ResourceGroup, c.GalleryName, c.ImageName)
	}
	cf, err := sess.Compute(c.SubscriptionID)
	if err != nil {
		return nil, err
	}
	pager := cf.NewCommunityGalleryImageVersionsClient().NewListPager(c.Location, c.CommunityGalleryName, c.ImageName, nil)
	return collectPages(ctx, pager, func(p armcompute.CommunityGalleryImageVersionsClientListResponse) []*armcompute.CommunityGalleryImageVersion {
		return p.Value
	}, func(v *armcompute.CommunityGalleryImageVersion) (gallery.VersionInfo, bool) {
		return communityVersionInfo(v, c.Location)
	})
}

// communityVersionInfo converts one public version.
func communityVersionInfo(v *armcompute.CommunityGalleryImageVersion, location string) (gallery.VersionInfo, bool) {
	if v == nil || v.Name == nil {
		return gallery.VersionInfo{}, false
	}
	var id *string
	if v.Identifier != nil {
		id = v.Identifier.UniqueID
	}
	if p := v.Properties; p != nil {
		return viewVersionInfo(*v.Name, id, location, p.ExcludeFromLatest, p.ImageState, p.EndOfLifeDate, p.PublishedDate)
	}
	return viewVersionInfo(*v.Name, id, location, nil, nil, nil, nil)
}

// viewVersionInfo converts one version of a community or direct-shared view, in location. The views
// list only versions that can be used, so they count as succeeded; a soft-deleted one (imageState
// SoftDeleted) is usable only when asked for by number, so it is treated as excluded from latest.
func viewVersionInfo(name string, id *string, location string, exclude *bool, state *armcompute.GalleryImageVersionState, eol, published *time.Time) (gallery.VersionInfo, bool) {
	num, err := gallery.ParseVersion(name)
	if err != nil {
		return gallery.VersionInfo{}, false
	}
	info := gallery.VersionInfo{Name: name, Version: num, ID: str(id), Location: location, ProvisioningState: "Succeeded",
		Regions: []string{location}, Tags: map[string]string{}, EndOfLife: eol}
	info.ExcludeFromLatest = exclude != nil && *exclude || state != nil && *state == armcompute.GalleryImageVersionStateSoftDeleted
	if published != nil {
		info.PublishedDate = *published
	}
	return info, true
}
