package galleryversion

import (
	"context"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

// This file reads a gallery shared directly with the caller (sharingProfile groups) by its unique name
// and a location, through Azure's sharedGalleryImageVersions API, so a consumer template picks its
// version with the same rules as from its own gallery. The outputs' id is the shared id,
// /SharedGalleries/….

// listSharedVersions lists the versions of a gallery shared with subscription_id and, when Azure knows
// no such gallery shared with the subscription (404), of one shared with its tenant (sharedTo=tenant).
func listSharedVersions(ctx context.Context, sess *azure.Session, c Config) ([]gallery.VersionInfo, error) {
	cf, err := sess.Compute(c.SubscriptionID)
	if err != nil {
		return nil, err
	}
	client := cf.NewSharedGalleryImageVersionsClient()
	out, err := listSharedPages(ctx, client, c, nil)
	if azure.IsNotFound(err) {
		return listSharedPages(ctx, client, c, to.Ptr(armcompute.SharedToValuesTenant))
	}
	return out, err
}

// listSharedPages reads every page of the shared versions list with the given sharedTo.
func listSharedPages(ctx context.Context, client *armcompute.SharedGalleryImageVersionsClient, c Config, sharedTo *armcompute.SharedToValues) ([]gallery.VersionInfo, error) {
	pager := client.NewListPager(c.Location, c.SharedGalleryName, c.ImageName, &armcompute.SharedGalleryImageVersionsClientListOptions{SharedTo: sharedTo})
	return collectPages(ctx, pager, func(p armcompute.SharedGalleryImageVersionsClientListResponse) []*armcompute.SharedGalleryImageVersion {
		return p.Value
	}, func(v *armcompute.SharedGalleryImageVersion) (gallery.VersionInfo, bool) {
		return sharedVersionInfo(v, c.Location)
	})
}

// sharedVersionInfo converts one shared version.
func sharedVersionInfo(v *armcompute.SharedGalleryImageVersion, location string) (gallery.VersionInfo, bool) {
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
