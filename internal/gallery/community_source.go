package gallery

import (
	"context"
	"fmt"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
)

// observeCommunitySource reads a community version named by its public ID
// (/CommunityGalleries/{publicName}/Images/{image}/Versions/{version}) through Azure's public read APIs
// in the region it is promoted to (source_location, else the gallery's): the version must be visible
// there, that is published and replicated to it, and its image's OS type, state, generation,
// architecture and security type become the source's, so Plan checks them against the definition as for
// any gallery version. A direct-shared ID is refused with Azure's rule (ImageRules) before any call.
func (p *Publisher) observeCommunitySource(ctx context.Context, req Request, src *SourceID) (Source, error) {
	if errs := CheckImage(ImageFacts{SourceKind: src.Kind}); len(errs) > 0 {
		return Source{}, errs[0]
	}
	out := Source{ID: src.ID, Kind: src.Kind}
	loc, err := p.sourceRegion(ctx, req, fmt.Sprintf("source %s is a community version, which Azure shows per region", src.ID),
		"a region the community version is replicated to")
	if err != nil {
		return Source{}, err
	}
	out.Location = loc
	cf, err := p.sess.Compute(req.SubscriptionID)
	if err != nil {
		return Source{}, err
	}
	v, err := cf.NewCommunityGalleryImageVersionsClient().Get(ctx, loc, src.Gallery, src.Definition, src.Name, nil)
	if err != nil {
		if azure.IsNotFound(err) {
			return Source{}, fmt.Errorf("source %s is not found in %s: check the public gallery name, image and version, and that the version is published and replicated to %s (set source_location to another region it is replicated to, with a gallery there)", src.ID, loc, loc)
		}
		return Source{}, fmt.Errorf("reading community version %s in %s: %w", src.ID, loc, azure.Explain(err))
	}
	out.ProvisioningState = "Succeeded" // the public view lists published versions only
	if pr := v.Properties; pr != nil && pr.StorageProfile != nil {
		if od := pr.StorageProfile.OSDiskImage; od != nil {
			out.SizeGiB += int64(deref(od.DiskSizeGB))
		}
		for _, dd := range pr.StorageProfile.DataDiskImages {
			if dd != nil {
				out.SizeGiB += int64(deref(dd.DiskSizeGB))
			}
		}
	}
	img, err := cf.NewCommunityGalleryImagesClient().Get(ctx, loc, src.Gallery, src.Definition, nil)
	if err != nil {
		return Source{}, fmt.Errorf("reading community image %s/%s in %s: %w", src.Gallery, src.Definition, loc, azure.Explain(err))
	}
	communityImageFacts(&out, img.CommunityGalleryImage)
	return out, nil
}

// communityImageFacts fills the source's OS facts from a community image (CommunityGalleryImage_Get.json).
func communityImageFacts(out *Source, img armcompute.CommunityGalleryImage) {
	pr := img.Properties
	if pr == nil {
		return
	}
	out.OSType, out.OSState = enumString(pr.OSType), enumString(pr.OSState)
	out.HyperVGeneration, out.Architecture = enumString(pr.HyperVGeneration), enumString(pr.Architecture)
	for _, f := range pr.Features {
		if f != nil && strings.EqualFold(deref(f.Name), "SecurityType") {
			out.SecurityType = deref(f.Value)
		}
	}
}
