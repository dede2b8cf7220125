package azuregallery

import (
	"fmt"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

// prepareSecurity refuses, before any call, the source, architecture and security combinations Azure
// refuses (gallery.ImageRules), and each target region's Confidential VM encryption. A source that comes
// from the input artifact is checked again by the core's plan, once its kind is known.
func (c *Config) prepareSecurity(errs **packersdk.MultiError) {
	facts := gallery.ImageFacts{SourceKind: c.sourceKind(), Architecture: c.Architecture, SecurityType: c.SecurityType, HyperVGeneration: c.HyperVGeneration}
	for _, err := range gallery.CheckImage(facts) {
		*errs = packersdk.MultiErrorAppend(*errs, err)
	}
	for i := range c.TargetRegions {
		tr := &c.TargetRegions[i]
		field := fmt.Sprintf("target_region[%d]", i)
		tr.ConfidentialVMEncryptionType = canonicalEnum(errs, field+".confidential_vm_encryption_type", tr.ConfidentialVMEncryptionType, gallery.ConfidentialVMEncryptionTypes)
		if tr.SecureVMDiskEncryptionSetID != "" {
			if err := checkResourceID(tr.SecureVMDiskEncryptionSetID, "Microsoft.Compute/diskEncryptionSets"); err != nil {
				*errs = packersdk.MultiErrorAppend(*errs, fmt.Errorf("%s.secure_vm_disk_encryption_set_id: %w; use the disk encryption set's full resource ID", field, err))
			}
		}
		for _, err := range gallery.CheckRegionSecurity(field, c.SecurityType, tr.ConfidentialVMEncryptionType, tr.SecureVMDiskEncryptionSetID) {
			*errs = packersdk.MultiErrorAppend(*errs, err)
		}
	}
}
