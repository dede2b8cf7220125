package gallery

import (
	"context"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
)

// This file is community galleries (public images): a gallery the plugin creates with
// CommunitySpec gets sharing permission Community and its communityGalleryInfo; once a version has
// replicated, EnableCommunity shares the gallery to the community (the share action's EnableCommunity,
// idempotent) and returns the version's public ids, /CommunityGalleries/{publicName}/Images/{def}/Versions/{v}.

// CommunitySpec is share_with_community: what Azure shows every user about the publisher.
type CommunitySpec struct {
	PublicNamePrefix, PublisherEmail, PublisherURI, Eula string
}

// communityPrefixRule is the public name prefix's rule: 5 to 16 letters, digits or hyphens, starting
// with a letter or digit (terraform-provider-azurerm's SharedImageGalleryPrefix is ^[A-Za-z0-9]{5,16}$;
// published pipelines such as Garden Linux's use hyphenated prefixes, which Azure accepts).
var communityPrefixRule = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{4,15}$`)

// CheckCommunity applies the rules of share_with_community; field prefixes every field name.
func CheckCommunity(field string, c *CommunitySpec) []error {
	if c == nil {
		return nil
	}
	var errs []error
	if !communityPrefixRule.MatchString(c.PublicNamePrefix) {
		errs = append(errs, fmt.Errorf("%s.public_name_prefix %q is not valid: use 5 to 16 letters, digits or hyphens, starting with a letter or digit (Azure adds a GUID to make the public name)", field, c.PublicNamePrefix))
	}
	if a, err := mail.ParseAddress(c.PublisherEmail); err != nil || a.Address != c.PublisherEmail {
		errs = append(errs, fmt.Errorf("%s.publisher_email %q is not an email address: Azure shows it to every user as the publisher's support contact", field, c.PublisherEmail))
	}
	for _, f := range []struct{ name, value string }{{"publisher_uri", c.PublisherURI}, {"eula", c.Eula}} {
		u, err := url.Parse(f.value)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Errorf("%s.%s %q is not a link: use an absolute https:// URL (Azure shows it to every user of the public image)", field, f.name, f.value))
		}
	}
	return errs
}

// communityProfile is the sharing profile of a gallery created for the community.
func communityProfile(c *CommunitySpec) *armcompute.SharingProfile {
	return &armcompute.SharingProfile{
		Permissions: to.Ptr(armcompute.GallerySharingPermissionTypesCommunity),
		CommunityGalleryInfo: &armcompute.CommunityGalleryInfo{PublicNamePrefix: to.Ptr(c.PublicNamePrefix), PublisherContact: to.Ptr(c.PublisherEmail),
			PublisherURI: to.Ptr(c.PublisherURI), Eula: to.Ptr(c.Eula)},
	}
}

// CommunityID is a version's public id under one public gallery name.
func CommunityID(publicName, definition, version string) string {
	return "/CommunityGalleries/" + publicName + "/Images/" + definition + "/Versions/" + version
}

// EnableCommunity shares the published version's gallery to the community when it is not yet (only a
// gallery the plugin owns), and returns the version's public ids. A gallery already shared is left as
// it is; one the plugin does not own and that is not shared is refused.
func (p *Publisher) EnableCommunity(ctx context.Context, res *Result, resourceGroup string) ([]string, error) {
	cf, err := p.sess.Compute(res.SubscriptionID)
	if err != nil {
		return nil, err
	}
	client := cf.NewGalleriesClient()
	g, err := client.Get(ctx, resourceGroup, res.GalleryName, nil)
	if err != nil {
		return nil, fmt.Errorf("reading gallery %s: %w", res.GalleryName, azure.Explain(err))
	}
	if !communityEnabled(g.Gallery) {
		if err := MayWrite(WriteConverge, plainTags(g.Tags), ""); err != nil {
			return nil, fmt.Errorf("share_with_community: gallery %s is not shared to the community and is not changed: %w", res.GalleryName, err)
		}
		p.ui.Say(fmt.Sprintf("Sharing gallery %s to the community (EnableCommunity)...", res.GalleryName))
		poller, err := cf.NewGallerySharingProfileClient().BeginUpdate(ctx, resourceGroup, res.GalleryName,
			armcompute.SharingUpdate{OperationType: to.Ptr(armcompute.SharingUpdateOperationTypesEnableCommunity)}, nil)
		if err == nil {
			_, err = azure.Await(ctx, poller, azure.PollQuick)
		}
		if err != nil {
			return nil, fmt.Errorf("sharing gallery %s to the community: %w", res.GalleryName, azure.Explain(err))
		}
		if g, err = client.Get(ctx, resourceGroup, res.GalleryName, nil); err != nil {
			return nil, fmt.Errorf("reading gallery %s back: %w", res.GalleryName, azure.Explain(err))
		}
	}
	var ids []string
	if sp := g.Properties.SharingProfile; sp != nil && sp.CommunityGalleryInfo != nil {
		for _, n := range sp.CommunityGalleryInfo.PublicNames {
			if n != nil {
				ids = append(ids, CommunityID(*n, res.DefinitionName, res.Version))
			}
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("gallery %s is shared to the community, but Azure reports no public name for it", res.GalleryName)
	}
	p.ui.Say("Public image: " + strings.Join(ids, ", "))
	return ids, nil
}

// communityEnabled says whether a gallery is shared to the community.
func communityEnabled(g armcompute.Gallery) bool {
	if g.Properties == nil || g.Properties.SharingProfile == nil {
		return false
	}
	sp := g.Properties.SharingProfile
	return sp.CommunityGalleryInfo != nil && deref(sp.CommunityGalleryInfo.CommunityGalleryEnabled) &&
		sp.Permissions != nil && *sp.Permissions == armcompute.GallerySharingPermissionTypesCommunity
}
