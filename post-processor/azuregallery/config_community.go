//go:generate go tool packer-sdc mapstructure-to-hcl2 -type CommunityBlock
//go:generate go tool packer-sdc struct-markdown

package azuregallery

import (
	"fmt"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
	"github.com/hashicorp/packer-plugin-sdk/template/config"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

// CommunityBlock is the `share_with_community` block: the gallery becomes a community gallery, public
// to every Azure user under `public_name_prefix` plus a GUID. A gallery this plugin creates gets sharing
// permission `Community` with this publisher information; once the version has replicated, the gallery
// is shared to the community (Azure's `EnableCommunity`, skipped when it already is) and the artifact
// carries the version's public IDs, `/CommunityGalleries/{publicName}/Images/{image}/Versions/{version}`.
type CommunityBlock struct {
	// The start of the gallery's public name: 5 to 16 letters, digits or hyphens.
	PublicNamePrefix string `mapstructure:"public_name_prefix" required:"true"`
	// The publisher's support email, shown to every user.
	PublisherEmail string `mapstructure:"publisher_email" required:"true"`
	// The publisher's website, an `https://` link shown to every user.
	PublisherURI string `mapstructure:"publisher_uri" required:"true"`
	// A link to the end-user license agreement of the images.
	Eula string `mapstructure:"eula" required:"true"`
	// Share the gallery to the community once the version has replicated. Defaults to true; `false`
	// creates the gallery with the community information but keeps it unshared.
	Enable config.Trilean `mapstructure:"enable" required:"false"`
}

// prepareCommunity checks share_with_community: Azure's rules for the publisher information, and that
// the gallery is not also shared directly (a gallery has one sharing permission: Groups or Community).
func (c *Config) prepareCommunity(errs **packersdk.MultiError) {
	if c.ShareWithCommunity == nil {
		return
	}
	for _, err := range gallery.CheckCommunity("share_with_community", c.communitySpec()) {
		*errs = packersdk.MultiErrorAppend(*errs, err)
	}
	if len(c.ShareWithSubscriptions) > 0 || len(c.ShareWithTenants) > 0 {
		*errs = packersdk.MultiErrorAppend(*errs, fmt.Errorf("share_with_community cannot be combined with share_with_subscriptions or share_with_tenants: a gallery's sharing permission is either Groups (direct sharing) or Community; use one of them"))
	}
}

// communitySpec is share_with_community as the publishing core takes it (nil without the block).
func (c *Config) communitySpec() *gallery.CommunitySpec {
	b := c.ShareWithCommunity
	if b == nil {
		return nil
	}
	return &gallery.CommunitySpec{PublicNamePrefix: b.PublicNamePrefix, PublisherEmail: b.PublisherEmail, PublisherURI: b.PublisherURI, Eula: b.Eula}
}

// communityEnabled says whether the run shares the gallery to the community.
func (c *Config) communityEnabled() bool {
	return c.ShareWithCommunity != nil && !c.ShareWithCommunity.Enable.False()
}
