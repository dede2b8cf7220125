// Package gallery is the publishing core: it publishes a source image as an Azure Compute Gallery
// image version and waits for replication, in four steps that are kept apart so each can be tested:
// Observe reads what exists, Plan (a pure function) decides, act carries the decisions out, and wait
// follows the replication.
//
// It imports nothing from packer-plugin-sdk: the post-processor adapts it to Packer.
package gallery

import (
	"time"
)

// Reporter receives what a user should see: decisions (Say), progress and details (Message) and
// problems (Error). packersdk.Ui satisfies it.
type Reporter interface {
	Say(string)
	Message(string)
	Error(string)
}

// ManagedTag marks the versions this plugin published, so retention can later tell them apart from
// versions published by anyone else.
const (
	ManagedTagKey   = "packer-plugin-azure-gallery"
	ManagedTagValue = "managed"
	// SourceTagKey records the source ID on the version, which survives even when Azure omits it.
	SourceTagKey = "packer-plugin-azure-gallery-source"
)

// Request is everything a publish needs, already validated by the adapter's config decoding.
type Request struct {
	// SourceID is a managed image ID, a gallery image version ID (promotion), a snapshot or managed
	// disk ID, or a VHD blob URI (see osdisk.go).
	SourceID string
	// SourceStorageAccountID is the storage account of a VHD SourceID; SourceLocation its region ("" =
	// the gallery's), which Azure cannot tell from a URI.
	SourceStorageAccountID, SourceLocation string
	// DataDisks are the data disks next to a snapshot, disk or VHD OS source (datadisk.go).
	DataDisks []DataDiskSpec
	// SubscriptionID is the gallery's subscription ("" = the session's).
	SubscriptionID     string
	ResourceGroup      string
	GalleryName        string
	CreateGallery      bool
	GalleryDescription string
	// DirectSharing creates a missing gallery with sharing permissions Groups, which Azure needs before
	// the gallery can be shared with subscriptions or tenants (ShareRequest.Direct).
	DirectSharing bool
	Definition    DefinitionSpec
	Version       VersionSpec
	// TargetRegions lists the regions to replicate to; the source region is always added.
	TargetRegions []TargetRegion
	// ReplicaCount and StorageAccountType are the defaults for regions that do not set their own
	// (0 and "" leave Azure's defaults: 1 and Standard_LRS).
	ReplicaCount       int32
	StorageAccountType string
	// StorageAccountStrategy is PreferStandard_ZRS or DefaultStandard_LRS (storage.go); "" sends none.
	// Azure refuses it together with StorageAccountType; a region's own storage type overrides it.
	StorageAccountStrategy string
	// ReplicationMode is "Full" (default) or "Shallow".
	ReplicationMode   string
	ExcludeFromLatest bool
	VersionEndOfLife  *time.Time
	Tags              map[string]string
	// AllowDeletionOfReplicatedLocations and BlockDeletionBeforeEndOfLife set the version's safety profile.
	AllowDeletionOfReplicatedLocations *bool
	BlockDeletionBeforeEndOfLife       *bool
	// Community creates a missing gallery for the community (permission Community, community.go).
	Community *CommunitySpec
	// SoftDelete turns soft delete on for a gallery this run creates (softdelete.go); nil leaves it off.
	SoftDelete *SoftDeleteSpec
	// Force is `packer build -force`: an existing version of this number that the plugin owns is deleted
	// and published again (force.go); one it does not own is refused.
	Force bool
	// CleanupOnFailure deletes what this run created (never anything else) when the publish fails.
	CleanupOnFailure bool
	// Timeout bounds the whole publish (0 = DefaultTimeout).
	Timeout time.Duration
	// Lifecycle is retention, demotion and the version quota (see retention.go).
	Lifecycle Lifecycle
}

// DefinitionSpec describes the image definition. Empty OS fields are taken from the source.
type DefinitionSpec struct {
	Name string
	// Create allows creating the definition when it does not exist (the adapter defaults it to true).
	Create                   bool
	Publisher, Offer, Sku    string
	OSType, OSState          string
	HyperVGeneration         string
	Architecture             string
	SecurityType             string
	AcceleratedNetworking    *bool
	DiskControllerTypes      []string
	MinVCPUs, MaxVCPUs       int32
	MinMemoryGB, MaxMemoryGB int32
	Description, Eula        string
	PrivacyStatementURI      string
	ReleaseNoteURI           string
	EndOfLife                *time.Time
	PurchasePlan             *PurchasePlan
}

// PurchasePlan is the Marketplace plan a definition carries.
type PurchasePlan struct{ Name, Publisher, Product string }

// VersionSpec chooses the version number.
type VersionSpec struct {
	// Version is "Major.Minor.Patch"; "auto" is reserved for picking the next number (see Bump, Major).
	Version string
	// Bump and Major steer "auto": which part to increment, and an optional pinned major.
	Bump  Bump
	Major *int32
}

// TargetRegion is one replication target. Zero values take the request's defaults.
type TargetRegion struct {
	Name                string
	Replicas            int32
	StorageAccountType  string
	ExcludeFromLatest   *bool
	DiskEncryptionSetID string
	// ConfidentialVMEncryptionType and SecureVMDiskEncryptionSetID encrypt a Confidential VM image's OS
	// disk in this region (OSDiskImageSecurityProfile).
	ConfidentialVMEncryptionType, SecureVMDiskEncryptionSetID string
	// DataDiskEncryptionSets overrides DiskEncryptionSetID for some data disk LUNs.
	DataDiskEncryptionSets map[int32]string
	// AdditionalReplicaSets are more replicas in this region on other storage (storage.go).
	AdditionalReplicaSets []ReplicaSet
}

// Outcome says what the publish did with the version.
type Outcome string

// The outcomes of a publish.
const (
	OutcomeCreated Outcome = "created"
	OutcomeReused  Outcome = "reused"
	OutcomeResumed Outcome = "resumed"
	// OutcomeUpdated: the version existed from the same source, and its updatable fields were converged.
	OutcomeUpdated Outcome = "updated"
)

// Result describes the published version.
type Result struct {
	VersionID      string
	Version        string
	GalleryName    string
	DefinitionName string
	ResourceGroup  string
	SubscriptionID string
	// Location is the gallery's (and the source's) region.
	Location string
	SourceID string
	Regions  []RegionResult
	Outcome  Outcome
	// Changes lists what a converging re-run updated (Outcome "updated").
	Changes []FieldChange
	// Attempts is how many numbers an automatic version tried (1 when the first was free).
	Attempts int
	// Retention is what happened to the superseded versions (nil when lifecycle is off).
	Retention *RetentionPlan
	Duration  time.Duration
	// Requests counts the ARM requests the wait made (progress reads and operation polls).
	Requests int
	// ClaimWindow is the longest time between reading the new number as free and the reply to its PUT:
	// the window in which a concurrent PUT of the same number can land (docs/reliability.md).
	ClaimWindow time.Duration
}

// RegionResult is one replicated region of the version.
type RegionResult struct {
	Name               string
	State              string
	Replicas           int32
	StorageAccountType string
}
