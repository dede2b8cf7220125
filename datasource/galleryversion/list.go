package galleryversion

import (
	"context"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

// listVersions reads every page of the definition's versions. A definition or gallery that does not
// exist is an error even with allow_empty: a typo should not look like "no versions yet".
func listVersions(ctx context.Context, sess *azure.Session, subscriptionID, rg, galleryName, image string) ([]gallery.VersionInfo, error) {
	cf, err := sess.Compute(subscriptionID)
	if err != nil {
		return nil, err
	}
	pager := cf.NewGalleryImageVersionsClient().NewListByGalleryImagePager(rg, galleryName, image, nil)
	return collectPages(ctx, pager, func(p armcompute.GalleryImageVersionsClientListByGalleryImageResponse) []*armcompute.GalleryImageVersion {
		return p.Value
	}, versionInfo)
}

// collectPages reads every page of pager and keeps each item that conv accepts: the one paging loop of
// the three views (own gallery, community, direct-shared).
func collectPages[P, T any](ctx context.Context, pager *runtime.Pager[P], items func(P) []T, conv func(T) (gallery.VersionInfo, bool)) ([]gallery.VersionInfo, error) {
	var out []gallery.VersionInfo
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, v := range items(page) {
			if info, ok := conv(v); ok {
				out = append(out, info)
			}
		}
	}
	return out, nil
}

// versionInfo converts one listed version. ok is false for a version whose name is not
// Major.Minor.Patch, which Azure never creates; it cannot be ordered, so it is left out.
func versionInfo(v *armcompute.GalleryImageVersion) (gallery.VersionInfo, bool) {
	if v == nil || v.Name == nil {
		return gallery.VersionInfo{}, false
	}
	num, err := gallery.ParseVersion(*v.Name)
	if err != nil {
		return gallery.VersionInfo{}, false
	}
	info := gallery.VersionInfo{
		Name:     *v.Name,
		Version:  num,
		ID:       str(v.ID),
		Location: gallery.NormalizeRegion(str(v.Location)),
		Tags:     map[string]string{},
	}
	for k, val := range v.Tags {
		info.Tags[k] = str(val)
	}
	// The plugin's source tag (split across two tags when the ID is long) stands in when Azure omits it.
	info.SourceID = gallery.SourceFromTags(info.Tags)
	p := v.Properties
	if p == nil {
		return info, true
	}
	if p.ProvisioningState != nil {
		info.ProvisioningState = string(*p.ProvisioningState)
	}
	if src := gallery.StorageSourceID(p.StorageProfile); src != "" { // a managed image, version, snapshot, disk or VHD
		info.SourceID = src
	}
	if pp := p.PublishingProfile; pp != nil {
		info.ExcludeFromLatest = pp.ExcludeFromLatest != nil && *pp.ExcludeFromLatest
		info.EndOfLife = pp.EndOfLifeDate
		if pp.PublishedDate != nil {
			info.PublishedDate = *pp.PublishedDate
		}
		info.Regions = regions(pp.TargetRegions)
	}
	return info, true
}

// regions returns the normalized target region names, each once, in Azure's order.
func regions(trs []*armcompute.TargetRegion) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, tr := range trs {
		if tr == nil || tr.Name == nil {
			continue
		}
		name := gallery.NormalizeRegion(*tr.Name)
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		out = append(out, name)
	}
	return out
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
