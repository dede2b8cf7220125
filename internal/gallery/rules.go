package gallery

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// This file is the one home of Azure's limits and enumerations for a publish: the post-processor's
// `packer validate` (post-processor/azuregallery/config_validate.go), the plan (plan.go) and the docs
// (docs/azure-rules.md, rendered from Rules by internal/docscheck) all read it. A new rule goes here, as
// a constant or check below and a row of Rules; tag rules live in tags.go, name rules in names.go.

// Replica and storage limits of a gallery image version's target regions.
const (
	// MinReplicas and MaxReplicas bound regionalReplicaCount (replica_count, target_region.replicas).
	MinReplicas = 1
	MaxReplicas = 100
	// DefaultReplicaCount is Azure's replica count for a region that sets none.
	DefaultReplicaCount = 1
	// DefaultStorageAccountType is Azure's storage for replicas when none is set.
	DefaultStorageAccountType = "Standard_LRS"
	// ReplicationFull copies the image into every target region (Azure's default); ReplicationShallow
	// references the source instead, for fast test publishing: only the source region, one replica.
	ReplicationFull    = "Full"
	ReplicationShallow = "Shallow"
	// DefaultReplicationMode is Azure's replication mode when none is set.
	DefaultReplicationMode = ReplicationFull
)

// DefaultTimeout bounds a publish when Request.Timeout (the post-processor's timeout) is zero.
const DefaultTimeout = 3 * time.Hour

// Limits of a definition's recommended machine configuration.
const (
	MaxRecommendedVCPUs    = 1024
	MaxRecommendedMemoryGB = 4000
)

// The enumerations Azure accepts, in Azure's spelling (rules_test.go checks the ones armcompute v8 models
// against its Possible*Values). Input is matched case-insensitively and rewritten to this spelling,
// because ARM compares some of them case-sensitively.
var (
	OSTypes             = []string{"Linux", "Windows"}
	OSStates            = []string{"Generalized", "Specialized"}
	HyperVGenerations   = []string{"V1", "V2"}
	Architectures       = []string{"x64", "Arm64"}
	SecurityTypes       = []string{"Standard", "TrustedLaunch", "TrustedLaunchSupported", "ConfidentialVM", "ConfidentialVmSupported", "TrustedLaunchAndConfidentialVmSupported"}
	StorageAccountTypes = []string{"Standard_LRS", "Standard_ZRS", "Premium_LRS", "PremiumV2_LRS"}
	ReplicationModes    = []string{ReplicationFull, ReplicationShallow}
	DiskControllerTypes = []string{"SCSI", "NVMe"}
)

// CanonicalEnum matches value case-insensitively against allowed and returns Azure's spelling; an
// unknown value is returned unchanged with an error naming field.
func CanonicalEnum(field, value string, allowed []string) (string, error) {
	for _, a := range allowed {
		if strings.EqualFold(a, value) {
			return a, nil
		}
	}
	return value, fmt.Errorf("%s %q is not valid: use one of %s", field, value, strings.Join(allowed, ", "))
}

// CheckReplicas applies the replica range to field (replica_count or target_region[i].replicas).
func CheckReplicas(field string, n int32) error {
	if n < MinReplicas || n > MaxReplicas {
		return fmt.Errorf("%s %d is out of range: Azure's minimum is %d; use %d to %d replicas per region", field, n, MinReplicas, MinReplicas, MaxReplicas)
	}
	return nil
}

// CheckTimeout refuses a negative timeout (zero means DefaultTimeout).
func CheckTimeout(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("timeout %s is negative: use a duration such as \"90m\" or \"3h\"", d)
	}
	return nil
}

// ReplicaTarget is one target region as Shallow's rule sees it.
type ReplicaTarget struct {
	Name     string
	Replicas int32
}

// CheckShallow applies Shallow replication's rule: the version goes to the source region only, with one
// replica. source is the source's region, or "" when it is not known yet (packer validate); targets are
// the target regions with their replicas resolved; replicaCount is the default for the others.
func CheckShallow(source string, replicaCount int32, targets []ReplicaTarget) []error {
	var errs []error
	if len(targets) > 1 {
		errs = append(errs, fmt.Errorf("replication_mode = \"Shallow\" allows only the source image's region, but %d target regions are set: remove the others, or use replication_mode = \"Full\"", len(targets)))
	}
	if replicaCount > 1 {
		errs = append(errs, fmt.Errorf("replication_mode = \"Shallow\" allows 1 replica, but replica_count is %d: set replica_count = 1, or use replication_mode = \"Full\"", replicaCount))
	}
	for _, t := range targets {
		if t.Replicas > 1 {
			errs = append(errs, fmt.Errorf("replication_mode = \"Shallow\" allows 1 replica, but target_region %q has replicas = %d: set replicas = 1, or use replication_mode = \"Full\"", t.Name, t.Replicas))
		}
		if source != "" && t.Name != source {
			errs = append(errs, fmt.Errorf("replication_mode = \"Shallow\" allows only the source image's region (%s), but target_region %q is another: remove it, or use replication_mode = \"Full\"", source, t.Name))
		}
	}
	return errs
}

// Rule is one Azure rule or limit as the docs show it: the field it constrains (as config errors name
// it), Azure's rule in words, and, for single-value rules, the check and a value it refuses.
type Rule struct {
	Field string
	Azure string
	// Check checks one value written as in a template; nil for rules across fields.
	Check func(value string) error
	// Refused is a value Check refuses (the rule's own test uses it).
	Refused string
}

// enumRule is a Rule for an Azure enumeration.
func enumRule(field, what string, allowed []string) Rule {
	return Rule{Field: field, Azure: what + ": one of " + strings.Join(allowed, ", ") + " (matched case-insensitively, sent in Azure's spelling).",
		Check: func(v string) error { _, err := CanonicalEnum(field, v, allowed); return err }, Refused: "Unknown_Value"}
}

// replicasRule is a Rule for a replica count field.
func replicasRule(field string) Rule {
	return Rule{Field: field, Azure: fmt.Sprintf("Replicas per region: %d to %d (default %d).", MinReplicas, MaxReplicas, DefaultReplicaCount),
		Check: func(v string) error {
			n, err := strconv.ParseInt(v, 10, 32)
			if err != nil {
				return fmt.Errorf("%s %q is not a number", field, v)
			}
			return CheckReplicas(field, int32(n))
		}, Refused: strconv.Itoa(MaxReplicas + 1)}
}

// Rules lists every Azure rule and limit a publish is checked against before any call.
var Rules = []Rule{
	{Field: "resource_group", Azure: "1 to 90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'.", Check: CheckResourceGroupName, Refused: "rg."},
	{Field: "gallery_name", Azure: "Up to 80 letters, digits, '_' or '.', starting and ending with a letter or digit; no hyphens.", Check: CheckGalleryName, Refused: "my-gallery"},
	{Field: "image_name", Azure: "Up to 80 letters, digits, '-', '_' or '.', starting and ending with a letter or digit.", Check: CheckImageName, Refused: "-bad"},
	{Field: "shared_gallery_name", Azure: "A direct-shared gallery's unique name (identifier.uniqueName): the owning subscription's id, a hyphen and the gallery name, such as 1a2b3c4d-1234-abcd-1234-1a2b3c4d5e6f-GOLDEN.",
		Check: CheckSharedGalleryName, Refused: "golden"},
	{Field: "target_region[].name", Azure: "An Azure region, written as its name (eastus) or display name (East US); each region once. The source's region is always a target (Azure requires it).",
		Check: func(v string) error { _, err := CheckRegion(v); return err }, Refused: "east us!"},
	replicasRule("replica_count"),
	replicasRule("target_region[].replicas"),
	enumRule("storage_account_type", "Replica storage (default "+DefaultStorageAccountType+")", StorageAccountTypes),
	enumRule("target_region[].storage_account_type", "Replica storage in one region (default: storage_account_type)", StorageAccountTypes),
	enumRule("storage_account_strategy", "How Azure picks the replicas' storage when storage_account_type is not set (GalleryRP 2026-03-03; PreferStandard_ZRS: Standard_ZRS in regions with zones, else Standard_LRS)", StorageAccountStrategies),
	{Field: "storage_account_strategy", Azure: "Cannot be set along with storage_account_type; a target_region's own storage_account_type overrides it. Not updatable on an existing version."},
	enumRule("target_region[].additional_replica_set[].storage_account_type", "Storage of an additional (direct drive) replica set", ReplicaSetStorageTypes),
	replicasRule("target_region[].additional_replica_set[].replicas"),
	{Field: "target_region[].additional_replica_set", Azure: "One replica set per storage type in a region, not the region's own storage type; none with replication_mode = \"Shallow\"."},
	enumRule("replication_mode", "Replication mode (default "+DefaultReplicationMode+")", ReplicationModes),
	{Field: "replication_mode", Azure: "Shallow replicates only to the source image's region, with 1 replica: no other target region, replica_count and replicas at most 1."},
	enumRule("os_type", "OS type", OSTypes),
	enumRule("os_state", "OS state", OSStates),
	enumRule("hyper_v_generation", "Hyper-V generation", HyperVGenerations),
	enumRule("architecture", "CPU architecture", Architectures),
	enumRule("security_type", "Security type", SecurityTypes),
	{Field: "security_type", Azure: "Any security type but Standard (trusted launch, confidential VM) needs hyper_v_generation = V2."},
	enumRule("disk_controller_types", "Disk controllers, each listed once", DiskControllerTypes),
	{Field: "recommended_vcpus_min", Azure: fmt.Sprintf("Recommended vCPUs: 1 to %d, min not above max.", MaxRecommendedVCPUs)},
	{Field: "recommended_memory_gb_min", Azure: fmt.Sprintf("Recommended memory: 1 to %d GiB, min not above max.", MaxRecommendedMemoryGB)},
	{Field: "timeout", Azure: fmt.Sprintf("Not negative; 0 means %s.", DefaultTimeout),
		Check: func(v string) error {
			d, err := time.ParseDuration(v)
			if err != nil {
				return fmt.Errorf("timeout %q is not a duration", v)
			}
			return CheckTimeout(d)
		}, Refused: "-5m"},
	{Field: "share_with_community.public_name_prefix", Azure: "5 to 16 letters, digits or hyphens, starting with a letter or digit; Azure appends a GUID to make the public name.",
		Check: func(v string) error {
			errs := CheckCommunity("share_with_community", &CommunitySpec{PublicNamePrefix: v, PublisherEmail: "a@b.c", PublisherURI: "https://b.c", Eula: "https://b.c"})
			if len(errs) > 0 {
				return errs[0]
			}
			return nil
		}, Refused: "ab"},
	{Field: "share_with_community", Azure: "publisher_email an email address, publisher_uri and eula absolute http(s) links; not with share_with_subscriptions or share_with_tenants (a gallery's sharing permission is either Groups or Community)."},
	{Field: "soft_delete.retention_days", Azure: "At least 1 day (softDeletePolicy.retentionPeriodInDays); only on a gallery the plugin creates (create_gallery = true)."},
	{Field: "source_image_version_id", Azure: "A gallery image version's resource ID, or a community version's public ID /CommunityGalleries/{publicName}/Images/{image}/Versions/{version} (sent as storageProfile.source.communityGalleryImageId). Not a direct-shared /SharedGalleries/… ID: Azure's version source has no field for one.",
		Check: CheckVersionSourceID, Refused: "/SharedGalleries/1P/Images/gen2/Versions/1.0.0"},
	{Field: "source_image_version_id", Azure: "A community source must be replicated to the gallery's region (source_location, or the gallery's), and its image must match the definition: OS type, OS state, Hyper-V generation, architecture and security type, read from the community image before any write."},
	{Field: "version_quota", Azure: fmt.Sprintf("Image versions per subscription and region: Azure's default quota is %d.", DefaultVersionQuota)},
}
