package gallery

import (
	"fmt"
	"strings"
)

// ImageFacts are what Azure's source, architecture and security rules look at. An empty field is not
// known yet (for example the source kind of a build artifact before the build ran) and refuses nothing.
type ImageFacts struct {
	SourceKind       SourceKind
	Architecture     string
	SecurityType     string
	HyperVGeneration string
}

// ImageRule is one combination Azure refuses, kept in one table that `packer validate` (through the
// post-processor's config), Plan (before any write) and the docs read.
type ImageRule struct {
	// Field is the configuration field the refusal names.
	Field string
	// Refuses reports whether the facts break the rule.
	Refuses func(ImageFacts) bool
	// Rule is Azure's rule, quoted where Azure words it itself, and the fix.
	Rule string
}

// isConfidential is a definition whose VMs must be Confidential VMs.
func isConfidential(securityType string) bool {
	return strings.EqualFold(securityType, "ConfidentialVM")
}

// needsGen2 are the security types that run only on Hyper-V generation 2.
func needsGen2(securityType string) bool {
	return securityType != "" && !strings.EqualFold(securityType, "Standard")
}

// sharedSourceRule is why a direct-shared version cannot be promoted (publicid.go): the version's source
// model has no field for it. Sources: the GalleryArtifactVersionFullSource model of GalleryRP 2026-03-03
// (armcompute v8.4.0: CommunityGalleryImageID, ID, VirtualMachineID) and the REST examples, whose only
// consumer-view source is GalleryImageVersion_Create_WithCommunityImageVersionAsSource.json.
const sharedSourceRule = "a direct-shared version (/SharedGalleries/…) cannot be the source of a gallery image version: Azure's version source (storageProfile.source, GalleryArtifactVersionFullSource in GalleryRP 2026-03-03) takes only a resource id, a communityGalleryImageId or a virtualMachineId, and has no field for a direct-shared image; ask the publisher for read access (RBAC) to the gallery and give the version's resource ID (/subscriptions/…/galleries/…/images/…/versions/…), or a /CommunityGalleries/… ID if the image is shared with the community"

// ImageRules are the combinations Azure refuses. Sources: azure-sdk-for-go#19665 and
// packer-plugin-azure#286 (Arm64 managed images), packer-plugin-azure#372 (Confidential VM sources), and
// Microsoft's Trusted Launch, Confidential VM and Arm64 VM pages (generation 2 only); see
// docs/emulator.md.
var ImageRules = []ImageRule{
	{
		Field: "architecture",
		Refuses: func(f ImageFacts) bool {
			return f.SourceKind == SourceManagedImage && strings.EqualFold(f.Architecture, "Arm64")
		},
		Rule: "an Arm64 image cannot come from a managed image: managed images are x64 only, and Azure refuses them with \"Creating an image with snapshot source that has CPU Architecture 'Arm64' is not supported\"; publish from source_snapshot_id, source_disk_id or source_vhd_uri (the import builder's publish_source = \"snapshot\" does this)",
	},
	{
		Field: "security_type",
		Refuses: func(f ImageFacts) bool {
			return f.SourceKind == SourceManagedImage && isConfidential(f.SecurityType)
		},
		Rule: "a ConfidentialVM definition cannot take a managed image: Azure says \"Currently Snapshot, Disk and VM sources are supported for the Confidential VM security type\"; publish from source_snapshot_id, source_disk_id, or the import builder's publish_source = \"snapshot\"",
	},
	{
		Field: "security_type",
		Refuses: func(f ImageFacts) bool {
			return f.SourceKind == SourceVHD && isConfidential(f.SecurityType)
		},
		Rule: "a ConfidentialVM definition cannot take a VHD blob: Azure says \"Currently Snapshot, Disk and VM sources are supported for the Confidential VM security type\"; import the VHD into a snapshot first (the import builder with source_vhd_uri and publish_source = \"snapshot\")",
	},
	{
		Field: "security_type",
		Refuses: func(f ImageFacts) bool {
			return (f.SourceKind == SourceSnapshot || f.SourceKind == SourceDisk) && takesNoDisks(f.SecurityType)
		},
		Rule: "a TrustedLaunchSupported or TrustedLaunchAndConfidentialVmSupported definition cannot take a snapshot or a managed disk: Azure says \"Currently only Vhd Blob, User Image and Gallery Image Version sources are supported for 'TrustedLaunchSupported' images\"; use security_type = \"TrustedLaunch\" for a Trusted Launch disk or \"Standard\" for any other, or publish a VHD blob (source_vhd_uri)",
	},
	{
		Field: "source_image_version_id",
		Refuses: func(f ImageFacts) bool {
			return f.SourceKind == SourceSharedVersion
		},
		Rule: sharedSourceRule,
	},
	{
		Field: "hyper_v_generation",
		Refuses: func(f ImageFacts) bool {
			return needsGen2(f.SecurityType) && strings.EqualFold(f.HyperVGeneration, "V1")
		},
		Rule: "Trusted Launch and Confidential VM run on Hyper-V generation 2 only, and Azure refuses a generation 1 source for these security types; use a V2 source and hyper_v_generation = \"V2\", or security_type = \"Standard\"",
	},
	{
		Field: "hyper_v_generation",
		Refuses: func(f ImageFacts) bool {
			return strings.EqualFold(f.Architecture, "Arm64") && strings.EqualFold(f.HyperVGeneration, "V1")
		},
		Rule: "Arm64 VMs boot generation 2 images only; use a V2 source and hyper_v_generation = \"V2\"",
	},
}

// CheckImage returns every rule the facts break, each naming its field and Azure's rule.
func CheckImage(f ImageFacts) []error {
	var errs []error
	for _, r := range ImageRules {
		if r.Refuses(f) {
			errs = append(errs, fmt.Errorf("%s: %s", r.Field, r.Rule))
		}
	}
	return errs
}

// ConfidentialVMEncryptionTypes are the OS disk encryptions of a Confidential VM image in a target region
// (OSDiskImageSecurityProfile.confidentialVMEncryptionType, GalleryRP 2026-03-03).
var ConfidentialVMEncryptionTypes = []string{"EncryptedVMGuestStateOnlyWithPmk", "EncryptedWithPmk", "EncryptedWithCmk", "NonPersistedTPM"}

// CheckRegionSecurity checks one target region's Confidential VM encryption against the definition's
// security type; field is the region's configuration path, such as target_region[1].
func CheckRegionSecurity(field, securityType, encType, secureDESID string) []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if encType == "" {
		if secureDESID != "" {
			add("%s.secure_vm_disk_encryption_set_id needs %s.confidential_vm_encryption_type = \"EncryptedWithCmk\": Azure uses the set only to encrypt a Confidential VM disk with your key", field, field)
		}
		return errs
	}
	if !strings.EqualFold(securityType, "ConfidentialVM") && !strings.EqualFold(securityType, "ConfidentialVmSupported") &&
		!strings.EqualFold(securityType, "TrustedLaunchAndConfidentialVmSupported") {
		add("%s.confidential_vm_encryption_type needs a Confidential VM definition: Azure applies it only to images whose security type is ConfidentialVM, ConfidentialVmSupported or TrustedLaunchAndConfidentialVmSupported, and security_type is %q", field, orDefault(securityType, "Standard"))
	}
	switch {
	case strings.EqualFold(encType, "EncryptedWithCmk") && secureDESID == "":
		add("%s.confidential_vm_encryption_type = \"EncryptedWithCmk\" needs %s.secure_vm_disk_encryption_set_id: Azure encrypts the Confidential VM disk with the key of that region's disk encryption set", field, field)
	case !strings.EqualFold(encType, "EncryptedWithCmk") && secureDESID != "":
		add("%s.secure_vm_disk_encryption_set_id is set, but confidential_vm_encryption_type is %q: Azure uses the set only with EncryptedWithCmk", field, encType)
	}
	return errs
}

// securityFromDisk is the definition security type a snapshot or disk implies when the configuration
// leaves it empty: a Confidential VM disk (ConfidentialVM_*) needs ConfidentialVM, a Trusted Launch
// disk TrustedLaunch.
func securityFromDisk(diskSecurityType string) string {
	switch {
	case strings.HasPrefix(strings.ToLower(diskSecurityType), "confidentialvm"):
		return "ConfidentialVM"
	case strings.EqualFold(diskSecurityType, "TrustedLaunch"):
		return "TrustedLaunch"
	}
	return ""
}

// takesNoDisks are the "Supported" security types whose definitions take only VHD blobs, managed images
// and gallery versions (packer-plugin-azure#304 and microsoft/STL#4682 quote Azure's refusal).
func takesNoDisks(securityType string) bool {
	return strings.EqualFold(securityType, "TrustedLaunchSupported") || strings.EqualFold(securityType, "TrustedLaunchAndConfidentialVmSupported")
}

// sourceRules applies the image rules to the resolved definition and its observed source. A snapshot or
// disk source with no security_type configured names its definition's type explicitly (Standard for a
// plain disk): left unset, Azure defaults a new generation 2 definition to TrustedLaunchSupported (API
// 2025-03-03 on), which refuses snapshot and disk sources.
func sourceRules(d *DefinitionSpec, src Source) []string {
	if d.SecurityType == "" {
		d.SecurityType = securityFromDisk(src.DiskSecurityType)
	}
	if d.SecurityType == "" && (src.Kind == SourceSnapshot || src.Kind == SourceDisk) {
		d.SecurityType = "Standard"
	}
	var out []string
	for _, err := range CheckImage(ImageFacts{SourceKind: src.Kind, Architecture: d.Architecture, SecurityType: d.SecurityType, HyperVGeneration: d.HyperVGeneration}) {
		out = append(out, err.Error())
	}
	return out
}
