//go:generate go tool packer-sdc mapstructure-to-hcl2 -type Config,DatasourceOutput
//go:generate go tool packer-sdc struct-markdown

package galleryversion

import (
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
)

// Config is the azure-gallery-version data source's configuration. The authentication fields come from
// azure.Config and keep the azure-arm builder's names; `subscription_id` is the gallery's subscription.
//
// Without `version_constraint` the data source returns the latest version: the highest that has
// succeeded, has not reached its end of life and is not excluded from latest.
//
// ```hcl
//
//	data "azure-gallery-version" "base" {
//	  subscription_id    = var.subscription_id
//	  resource_group     = "images-rg"
//	  gallery_name       = "golden"
//	  image_name         = "ubuntu-24.04"
//	  version_constraint = "~> 1.2"
//	}
//
// ```
type Config struct {
	azure.Config `mapstructure:",squash"`

	// The resource group that holds the gallery, in `subscription_id`. Name exactly one gallery: this and
	// `gallery_name` for a gallery of your own, or `community_gallery_name`, or `shared_gallery_name`.
	ResourceGroup string `mapstructure:"resource_group" required:"true"`
	// Read a community gallery (public images) by its public name, such as `acme-os-0a1b…`, instead of
	// a gallery of your own: set it with `location` and without `resource_group` and `gallery_name`. The
	// outputs' `id` is then the public id, `/CommunityGalleries/{name}/Images/{image}/Versions/{version}`.
	CommunityGalleryName string `mapstructure:"community_gallery_name" required:"false"`
	// Read a gallery shared directly with your subscription or tenant (the gallery's owner shares it
	// with `share_with_subscriptions` or `share_with_tenants`), by its unique name: the owner's
	// subscription id, a hyphen and the gallery name in capitals, such as
	// `1a2b3c4d-1234-abcd-1234-1a2b3c4d5e6f-GOLDEN` (the gallery's `identifier.uniqueName`). Set it with
	// `location` and without `resource_group` and `gallery_name`; `subscription_id` is then your own
	// subscription, the one the gallery is shared with (or one in the tenant it is shared with). The
	// outputs' `id` is the shared id, `/SharedGalleries/{name}/Images/{image}/Versions/{version}`.
	SharedGalleryName string `mapstructure:"shared_gallery_name" required:"false"`
	// The region whose versions `community_gallery_name` or `shared_gallery_name` reads (versions
	// replicated there). Only with one of them.
	Location string `mapstructure:"location" required:"false"`
	// The name of the Azure Compute Gallery.
	GalleryName string `mapstructure:"gallery_name" required:"true"`
	// The name of the image definition whose versions are searched.
	ImageName string `mapstructure:"image_name" required:"true"`
	// Return the highest version that matches this constraint instead of the latest, in the syntax of
	// Terraform and Packer's `required_plugins`: conditions separated by commas that must all hold, such as
	// `~> 1.2` (1.2 or later, before 2.0), `~> 1.2.0` (1.2.x), `>= 1.0, < 2.0`, `= 1.2.3` or `1.2.3`.
	// Versions that failed or reached their end of life are never returned; versions excluded from latest
	// only with `include_excluded`.
	VersionConstraint string `mapstructure:"version_constraint" required:"false"`
	// With `version_constraint`, also consider versions whose publisher set exclude-from-latest (for
	// example a canary). Off by default, so a range such as `~> 1.2` does not pick up a version that was
	// deliberately held back. Needs `version_constraint`.
	IncludeExcluded bool `mapstructure:"include_excluded" required:"false"`
	// When no version is eligible (or the definition has none), return empty outputs (`""`, `[]`, `false`)
	// instead of failing. Templates can then test `data.azure-gallery-version.NAME.version == ""`, for
	// example to bootstrap the first build of a new definition. The definition itself must exist.
	AllowEmpty bool `mapstructure:"allow_empty" required:"false"`
}

// DatasourceOutput is what the data source returns about the selected version. With `allow_empty` and
// no eligible version, every string is empty, the list is empty and `exclude_from_latest` is false.
type DatasourceOutput struct {
	// The version's full resource ID, usable as an image reference or as the source of a promotion. With
	// `community_gallery_name` it is the public id (`/CommunityGalleries/…`), with `shared_gallery_name`
	// the shared id (`/SharedGalleries/{name}/Images/{image}/Versions/{version}`), which a VM takes as
	// `sharedGalleryImageId`.
	ID string `mapstructure:"id"`
	// The version number, `Major.Minor.Patch` (for azure-arm's `shared_image_gallery.image_version`).
	Version string `mapstructure:"version"`
	// The version's home region, for example `eastus`.
	Location string `mapstructure:"location"`
	// The regions the version is replicated to (its target regions), normalized such as `westeurope`.
	ReplicatedRegions []string `mapstructure:"replicated_regions"`
	// When the version was published, in RFC 3339 (UTC).
	PublishedDate string `mapstructure:"published_date"`
	// The resource ID of the image the version was made from (a managed image, another gallery version,
	// a disk or a snapshot), as Azure reports it. Empty for a community or shared gallery, whose views
	// do not show it.
	SourceID string `mapstructure:"source_id"`
	// Whether the version is excluded from latest; true only with `include_excluded`.
	ExcludeFromLatest bool `mapstructure:"exclude_from_latest"`
	// The version's end-of-life date in RFC 3339 (UTC), or `""` when it has none. It is always in the
	// future: versions past their end of life are never returned.
	EndOfLifeDate string `mapstructure:"end_of_life_date"`
}
