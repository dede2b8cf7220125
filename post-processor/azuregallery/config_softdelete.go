//go:generate go tool packer-sdc mapstructure-to-hcl2 -type SoftDeleteBlock
//go:generate go tool packer-sdc struct-markdown

package azuregallery

import (
	"fmt"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

// SoftDeleteBlock is the `soft_delete` block: Azure's soft delete for a gallery this plugin creates
// (GalleryRP 2026-03-03 `softDeletePolicy`). A deleted version (by retention, `-force` or by hand) then
// stays recoverable for `retention_days`; `image_version = "auto"` never reuses its number, and re-running
// the build of that version restores it instead of publishing it again.
type SoftDeleteBlock struct {
	// How many days a deleted version stays recoverable (`retentionPeriodInDays`), at least 1. Defaults to 7.
	RetentionDays int32 `mapstructure:"retention_days" required:"false"`
}

// defaultSoftDeleteRetentionDays is retention_days when the block leaves it out.
const defaultSoftDeleteRetentionDays = 7

// prepareSoftDelete defaults and checks the soft_delete block: it applies only to a gallery the plugin
// creates, so it needs create_gallery = true.
func (c *Config) prepareSoftDelete(errs **packersdk.MultiError) {
	if c.SoftDelete == nil {
		return
	}
	if c.SoftDelete.RetentionDays == 0 {
		c.SoftDelete.RetentionDays = defaultSoftDeleteRetentionDays
	}
	if err := gallery.CheckSoftDelete(c.softDeleteSpec()); err != nil {
		*errs = packersdk.MultiErrorAppend(*errs, err)
	}
	if !c.CreateGallery {
		*errs = packersdk.MultiErrorAppend(*errs, fmt.Errorf("soft_delete applies to a gallery this plugin creates, but create_gallery is not set: set create_gallery = true, or turn soft delete on for the existing gallery yourself and remove soft_delete"))
	}
}

// softDeleteSpec is the soft_delete block as the publishing core takes it (nil without the block).
func (c *Config) softDeleteSpec() *gallery.SoftDeleteSpec {
	if c.SoftDelete == nil {
		return nil
	}
	return &gallery.SoftDeleteSpec{RetentionDays: c.SoftDelete.RetentionDays}
}
