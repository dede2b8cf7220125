//go:generate go tool packer-sdc mapstructure-to-hcl2 -type Config,TargetRegion,PurchasePlan
//go:generate go tool packer-sdc struct-markdown

package azuregallery

import (
	"time"

	"github.com/hashicorp/packer-plugin-sdk/common"
	"github.com/hashicorp/packer-plugin-sdk/template/config"
	"github.com/hashicorp/packer-plugin-sdk/template/interpolate"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
)

// Config is the azure-gallery post-processor's configuration. The authentication fields come from
// azure.Config and keep the azure-arm builder's names, so users can copy them.
//
// The required fields name the gallery (`resource_group`, `gallery_name`), the image definition
// (`image_name`) and the version (`image_version`); everything else has a default or is taken from the
// source image.
type Config struct {
	common.PackerConfig `mapstructure:",squash"`
	azure.Config        `mapstructure:",squash"`
	LifecycleConfig     `mapstructure:",squash"`
	ShareConfig         `mapstructure:",squash"`
	SourceConfig        `mapstructure:",squash"`

	// The resource ID of the managed image to publish, for example
	// `/subscriptions/.../resourceGroups/rg/providers/Microsoft.Compute/images/my-image`. When set it wins
	// over the input artifact, so the post-processor can follow the `null` builder. It may live in another
	// subscription than the gallery. When empty, the image comes from the build's artifact: the azure-arm
	// builder (with `managed_image_name`) or this plugin's `azure-gallery-import` builder.
	SourceImageID string `mapstructure:"source_image_id" required:"false"`
	// The resource ID of a gallery image version to promote, for example from a test gallery to a
	// production gallery, in the same or another subscription:
	// `/subscriptions/.../galleries/dev/images/ubuntu/versions/1.4.0`. The new version is copied from it.
	// An existing definition must match the source version's definition (OS type and state, Hyper-V
	// generation, architecture, security type). When empty, a previous `azure-gallery` post-processor's
	// artifact is promoted. Set either this or `source_image_id`, not both.
	//
	// A community version is promoted by its public ID,
	// `/CommunityGalleries/{publicName}/Images/{image}/Versions/{version}` (any case), which Azure takes as
	// `storageProfile.source.communityGalleryImageId`: it is read through the community APIs in
	// `source_location` (default: the gallery's region), where it must be replicated, and its image's OS
	// type, state, generation, architecture and security type must match the definition. A direct-shared
	// ID (`/SharedGalleries/...`) is refused: Azure's version source has no field for one; use the
	// version's resource ID with read access granted by its publisher instead.
	SourceImageVersionID string `mapstructure:"source_image_version_id" required:"false"`

	// The resource group that holds the gallery, in `subscription_id`.
	ResourceGroup string `mapstructure:"resource_group" required:"true"`
	// The name of the Azure Compute Gallery: letters, digits, underscores and periods, starting and ending
	// with a letter or digit, at most 80 characters.
	GalleryName string `mapstructure:"gallery_name" required:"true"`
	// Create the gallery (in the source image's region) when it does not exist. Off by default, so that a
	// typo in `gallery_name` fails instead of creating a stray gallery.
	CreateGallery bool `mapstructure:"create_gallery" required:"false"`
	// Soft delete for the gallery this plugin creates: `soft_delete { retention_days = 7 }` keeps deleted
	// versions recoverable for that many days. Needs `create_gallery = true`.
	SoftDelete *SoftDeleteBlock `mapstructure:"soft_delete" required:"false"`
	// Publish to a community gallery (public images): see the `share_with_community` block.
	ShareWithCommunity *CommunityBlock `mapstructure:"share_with_community" required:"false"`
	// The description of a gallery created by `create_gallery`.
	GalleryDescription string `mapstructure:"gallery_description" required:"false"`

	// The name of the image definition: letters, digits, hyphens, underscores and periods, starting and
	// ending with a letter or digit, at most 80 characters.
	ImageName string `mapstructure:"image_name" required:"true"`
	// Create the image definition when it does not exist, matching the source image. Defaults to `true`.
	// Set it to `false` to require an existing definition.
	CreateImage config.Trilean `mapstructure:"create_image" required:"false"`
	// The definition's publisher. Together with `offer` and `sku` it forms the definition's identifier,
	// which must be unique in the gallery. Required when `create_image` is true.
	Publisher string `mapstructure:"publisher" required:"false"`
	// The definition's offer. Required when `create_image` is true.
	Offer string `mapstructure:"offer" required:"false"`
	// The definition's SKU. Required when `create_image` is true.
	SKU string `mapstructure:"sku" required:"false"`
	// The operating system: `Linux` or `Windows`. Defaults to the source image's. An existing definition
	// must match the source.
	OSType string `mapstructure:"os_type" required:"false"`
	// `Generalized` or `Specialized`. Defaults to the source image's state; a managed image must be
	// generalized to be published.
	OSState string `mapstructure:"os_state" required:"false"`
	// The Hyper-V generation: `V1` or `V2`. Defaults to the source image's.
	HyperVGeneration string `mapstructure:"hyper_v_generation" required:"false"`
	// The CPU architecture: `x64` (the default) or `Arm64`.
	Architecture string `mapstructure:"architecture" required:"false"`
	// The security type of VMs created from the definition: `Standard` (the default), `TrustedLaunch`,
	// `TrustedLaunchSupported`, `ConfidentialVM`, `ConfidentialVmSupported` or
	// `TrustedLaunchAndConfidentialVmSupported`. Trusted launch and confidential VMs need `hyper_v_generation = "V2"`.
	SecurityType string `mapstructure:"security_type" required:"false"`
	// Whether the image supports accelerated networking. Unset leaves Azure's default.
	AcceleratedNetworking config.Trilean `mapstructure:"accelerated_networking" required:"false"`
	// The disk controllers the image supports: `SCSI`, `NVMe`, or both.
	DiskControllerTypes []string `mapstructure:"disk_controller_types" required:"false"`
	// The smallest recommended number of vCPUs for VMs from this image (1 to 1024).
	RecommendedVCPUsMin *int32 `mapstructure:"recommended_vcpus_min" required:"false"`
	// The largest recommended number of vCPUs (1 to 1024, at least `recommended_vcpus_min`).
	RecommendedVCPUsMax *int32 `mapstructure:"recommended_vcpus_max" required:"false"`
	// The smallest recommended memory in GiB (1 to 4000).
	RecommendedMemoryGBMin *int32 `mapstructure:"recommended_memory_gb_min" required:"false"`
	// The largest recommended memory in GiB (1 to 4000, at least `recommended_memory_gb_min`).
	RecommendedMemoryGBMax *int32 `mapstructure:"recommended_memory_gb_max" required:"false"`
	// The definition's description.
	Description string `mapstructure:"description" required:"false"`
	// The definition's end-user license agreement text.
	EULA string `mapstructure:"eula" required:"false"`
	// An `https://` or `http://` URL of the definition's privacy statement.
	PrivacyStatementURI string `mapstructure:"privacy_statement_uri" required:"false"`
	// An `https://` or `http://` URL of the definition's release notes.
	ReleaseNoteURI string `mapstructure:"release_note_uri" required:"false"`
	// The definition's end-of-life date: RFC 3339 (`2027-06-30T00:00:00Z`), a plain date (`2027-06-30`,
	// midnight UTC), or a duration from now (`90d`, `12h`). It must be in the future. Updated on an
	// existing definition when it differs.
	EndOfLifeDate string `mapstructure:"end_of_life_date" required:"false"`
	// The Marketplace purchase plan that VMs created from the definition must carry.
	PurchasePlan *PurchasePlan `mapstructure:"purchase_plan" required:"false"`

	// The version to publish: `Major.Minor.Patch`, each part a whole number from 0 to 2147483647
	// (for example `1.4.0`), or `auto` for the next one after the highest existing version (see
	// `version_bump` and `version_major`). A date-based version such as `2026.1125.2130` works too:
	// `formatdate("YYYY.MMDD.hhmm", timestamp())`.
	ImageVersion string `mapstructure:"image_version" required:"true"`
	// The regions to replicate the version to. The source image's region is always included (with the
	// defaults) when it is not listed. Names are normalized, so `West Europe` and `westeurope` are the same.
	TargetRegions []TargetRegion `mapstructure:"target_region" required:"false"`
	// The default number of replicas per region (1 to 100; 0 is refused, since Azure's minimum is 1). Defaults to 1.
	ReplicaCount *int32 `mapstructure:"replica_count" required:"false"`
	// The default storage for replicas: `Standard_LRS` (the default), `Standard_ZRS`, `Premium_LRS` or
	// `PremiumV2_LRS`.
	StorageAccountType string `mapstructure:"storage_account_type" required:"false"`
	// How Azure picks the replicas' storage instead of `storage_account_type` (Azure accepts only one
	// of the two): `PreferStandard_ZRS` stores them on `Standard_ZRS` in regions with availability zones
	// and on `Standard_LRS` elsewhere; `DefaultStandard_LRS` on `Standard_LRS`. A `target_region`'s own
	// `storage_account_type` overrides it. It cannot change on an existing version.
	StorageAccountStrategy string `mapstructure:"storage_account_strategy" required:"false"`
	// `Full` (the default) copies the image into every region. `Shallow` skips the copy for fast test
	// publishes; it allows only the source region and one replica.
	ReplicationMode string `mapstructure:"replication_mode" required:"false"`
	// Keep this version out of `latest`, so VMs that ask for the latest version do not get it.
	ExcludeFromLatest bool `mapstructure:"exclude_from_latest" required:"false"`
	// The version's end-of-life date, in the same forms as `end_of_life_date` (RFC 3339, a plain date, or
	// a duration from now such as `90d`). It must be in the future.
	VersionEndOfLifeDate string `mapstructure:"version_end_of_life_date" required:"false"`
	// Tags for the image version (at most 50; keys up to 512 characters without `<>%&\?/`, values up to 256).
	Tags map[string]string `mapstructure:"tags" required:"false"`
	// Allow later removal of replicated regions from this version. Azure's default is to allow it.
	AllowDeletionOfReplicatedLocations config.Trilean `mapstructure:"allow_deletion_of_replicated_locations" required:"false"`
	// Refuse deletion of this version before its end-of-life date. Requires `version_end_of_life_date`.
	BlockDeletionBeforeEndOfLife bool `mapstructure:"block_deletion_before_end_of_life" required:"false"`

	// How long to wait for the publish, replication included, as a duration such as `90m`. Defaults to
	// `3h`. On timeout the version keeps replicating in Azure, and re-running the same build resumes the wait.
	Timeout time.Duration `mapstructure:"timeout" required:"false"`
	// Delete the image version when the publish fails, but only if this run created it. Off by default so
	// that a slow replication can be resumed by running the build again.
	CleanupOnFailure bool `mapstructure:"cleanup_on_failure" required:"false"`

	ctx interpolate.Context
}

// TargetRegion is one region that the version is replicated to.
type TargetRegion struct {
	// The region's name, such as `westeurope` or `West Europe`.
	Name string `mapstructure:"name" required:"true"`
	// The number of replicas in this region (1 to 100; 0 is refused). Defaults to `replica_count`.
	Replicas *int32 `mapstructure:"replicas" required:"false"`
	// The storage for this region's replicas. Defaults to `storage_account_type`.
	StorageAccountType string `mapstructure:"storage_account_type" required:"false"`
	// Keep this version out of `latest` in this region only.
	ExcludeFromLatest bool `mapstructure:"exclude_from_latest" required:"false"`
	// The resource ID of a disk encryption set in this region that encrypts the replicas with your keys.
	DiskEncryptionSetID string `mapstructure:"disk_encryption_set_id" required:"false"`
	// How a Confidential VM image's OS disk is encrypted in this region: `EncryptedVMGuestStateOnlyWithPmk`,
	// `EncryptedWithPmk`, `EncryptedWithCmk` (needs `secure_vm_disk_encryption_set_id`) or `NonPersistedTPM`.
	// Only for `security_type` `ConfidentialVM`, `ConfidentialVmSupported` or
	// `TrustedLaunchAndConfidentialVmSupported`.
	ConfidentialVMEncryptionType string `mapstructure:"confidential_vm_encryption_type" required:"false"`
	// The resource ID of the disk encryption set in this region whose key encrypts a Confidential VM disk;
	// only with `confidential_vm_encryption_type = "EncryptedWithCmk"`.
	SecureVMDiskEncryptionSetID string `mapstructure:"secure_vm_disk_encryption_set_id" required:"false"`
	// The disk encryption set of one data disk in this region, instead of `disk_encryption_set_id`, which
	// otherwise encrypts the OS disk and every data disk. Repeat the block for several LUNs.
	DataDiskEncryption []DataDiskEncryption `mapstructure:"data_disk_encryption" required:"false"`
	// More replicas in this region on other storage (Azure's direct drive replicas), next to `replicas`:
	// `additional_replica_set { storage_account_type = "PremiumV2_LRS" replicas = 1 }`. One set per
	// storage type; not with `replication_mode = "Shallow"`.
	AdditionalReplicaSets []ReplicaSetBlock `mapstructure:"additional_replica_set" required:"false"`
}

// PurchasePlan is a Marketplace purchase plan. All three fields are required when the block is present.
type PurchasePlan struct {
	// The plan's name.
	Name string `mapstructure:"name" required:"true"`
	// The plan's publisher.
	Publisher string `mapstructure:"publisher" required:"true"`
	// The plan's product.
	Product string `mapstructure:"product" required:"true"`
}
