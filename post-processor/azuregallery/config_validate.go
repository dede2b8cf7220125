package azuregallery

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

// Defaults applied by prepare.
const (
	defaultTimeout            = 3 * time.Hour
	defaultReplicaCount       = 1
	defaultStorageAccountType = "Standard_LRS"
	defaultReplicationMode    = "Full"
	maxReplicas               = 100
	maxTags                   = 50
)

// The enumerations Azure accepts, in Azure's spelling. Input is matched case-insensitively and rewritten
// to this spelling, because ARM compares some of them case-sensitively.
var (
	osTypes             = []string{"Linux", "Windows"}
	osStates            = []string{"Generalized", "Specialized"}
	hyperVGenerations   = []string{"V1", "V2"}
	architectures       = []string{"x64", "Arm64"}
	securityTypes       = []string{"Standard", "TrustedLaunch", "TrustedLaunchSupported", "ConfidentialVM", "ConfidentialVmSupported", "TrustedLaunchAndConfidentialVmSupported"}
	storageAccountTypes = []string{"Standard_LRS", "Standard_ZRS", "Premium_LRS", "PremiumV2_LRS"}
	replicationModes    = []string{"Full", "Shallow"}
	diskControllerTypes = []string{"SCSI", "NVMe"}
)

// resolved holds the values prepare derives from the raw configuration; the post-processor uses these,
// never the raw strings.
type resolved struct {
	createImage                        bool
	definitionEndOfLife                *time.Time
	versionEndOfLife                   *time.Time
	regions                            []TargetRegion // normalized names, defaults filled in, source region not yet added
	allowDeletionOfReplicatedLocations *bool
	acceleratedNetworking              *bool
	version                            gallery.VersionSpec // image_version resolved with version_bump and version_major
	lifecycle                          gallery.Lifecycle
}

// prepare applies defaults, normalizes names and validates everything that can be checked without the
// network. It returns every problem at once; each names the field and says how to fix it.
func (c *Config) prepare(now time.Time) (*resolved, *packersdk.MultiError) {
	var errs *packersdk.MultiError
	add := func(format string, args ...interface{}) {
		errs = packersdk.MultiErrorAppend(errs, fmt.Errorf(format, args...))
	}
	r := &resolved{
		createImage:                        !c.CreateImage.False(),
		allowDeletionOfReplicatedLocations: c.AllowDeletionOfReplicatedLocations.ToBoolPointer(),
		acceleratedNetworking:              c.AcceleratedNetworking.ToBoolPointer(),
	}

	for _, err := range c.Config.Prepare() {
		errs = packersdk.MultiErrorAppend(errs, err)
	}

	if c.SourceImageID != "" {
		if _, err := gallery.ParseSourceID(c.SourceImageID, gallery.SourceManagedImage); err != nil {
			add("source_image_id: %v", err)
		}
	}
	if c.SourceImageVersionID != "" {
		if _, err := gallery.ParseSourceID(c.SourceImageVersionID, gallery.SourceGalleryImageVersion); err != nil {
			add("source_image_version_id: %v", err)
		}
		if c.SourceImageID != "" {
			add("source_image_id and source_image_version_id are both set: set source_image_id to publish a managed image, or source_image_version_id to promote a gallery image version, not both")
		}
	}
	c.prepareShare(&errs)

	// Gallery.
	switch {
	case c.ResourceGroup == "":
		add("resource_group is required: the resource group that holds the gallery")
	default:
		if err := gallery.CheckResourceGroupName(c.ResourceGroup); err != nil {
			errs = packersdk.MultiErrorAppend(errs, err)
		}
	}
	switch {
	case c.GalleryName == "":
		add("gallery_name is required: the name of the Azure Compute Gallery to publish to")
	default:
		if err := gallery.CheckGalleryName(c.GalleryName); err != nil {
			errs = packersdk.MultiErrorAppend(errs, err)
		}
	}

	// Definition.
	switch {
	case c.ImageName == "":
		add("image_name is required: the name of the gallery image definition")
	default:
		if err := gallery.CheckImageName(c.ImageName); err != nil {
			errs = packersdk.MultiErrorAppend(errs, err)
		}
	}
	if r.createImage {
		for _, f := range []struct{ name, value string }{{"publisher", c.Publisher}, {"offer", c.Offer}, {"sku", c.SKU}} {
			if f.value == "" {
				add("%s is required when create_image is true (the default), because Azure needs publisher, offer and sku to create a definition; set it, or set create_image = false to use an existing definition", f.name)
			}
		}
	}
	c.OSType = canonicalEnum(&errs, "os_type", c.OSType, osTypes)
	c.OSState = canonicalEnum(&errs, "os_state", c.OSState, osStates)
	c.HyperVGeneration = canonicalEnum(&errs, "hyper_v_generation", c.HyperVGeneration, hyperVGenerations)
	c.Architecture = canonicalEnum(&errs, "architecture", c.Architecture, architectures)
	c.SecurityType = canonicalEnum(&errs, "security_type", c.SecurityType, securityTypes)
	if c.SecurityType != "" && c.SecurityType != "Standard" && c.HyperVGeneration == "V1" {
		add("security_type %q needs hyper_v_generation = \"V2\"; Azure supports trusted launch and confidential VMs on generation 2 only", c.SecurityType)
	}
	seenControllers := map[string]bool{}
	for i, t := range c.DiskControllerTypes {
		c.DiskControllerTypes[i] = canonicalEnum(&errs, fmt.Sprintf("disk_controller_types[%d]", i), t, diskControllerTypes)
		if t == "" {
			add("disk_controller_types[%d] is empty: use SCSI or NVMe", i)
		}
		if seenControllers[c.DiskControllerTypes[i]] {
			add("disk_controller_types lists %q twice: list each controller once", c.DiskControllerTypes[i])
		}
		seenControllers[c.DiskControllerTypes[i]] = true
	}
	checkRange(&errs, "recommended_vcpus", c.RecommendedVCPUsMin, c.RecommendedVCPUsMax, 1024)
	checkRange(&errs, "recommended_memory_gb", c.RecommendedMemoryGBMin, c.RecommendedMemoryGBMax, 4000)
	checkURL(&errs, "privacy_statement_uri", c.PrivacyStatementURI)
	checkURL(&errs, "release_note_uri", c.ReleaseNoteURI)
	if c.EndOfLifeDate != "" {
		t, err := gallery.ParseEndOfLife(c.EndOfLifeDate, now)
		if err != nil {
			add("end_of_life_date: %v", err)
		} else {
			r.definitionEndOfLife = &t
		}
	}
	if p := c.PurchasePlan; p != nil {
		for _, f := range []struct{ name, value string }{{"name", p.Name}, {"publisher", p.Publisher}, {"product", p.Product}} {
			if f.value == "" {
				add("purchase_plan.%s is required: a purchase plan needs name, publisher and product", f.name)
			}
		}
	}

	// Version.
	r.version, r.lifecycle = c.prepareLifecycle(&errs, now)
	if c.VersionEndOfLifeDate != "" {
		t, err := gallery.ParseEndOfLife(c.VersionEndOfLifeDate, now)
		if err != nil {
			add("version_end_of_life_date: %v", err)
		} else {
			r.versionEndOfLife = &t
		}
	}
	if c.BlockDeletionBeforeEndOfLife && c.VersionEndOfLifeDate == "" {
		add("block_deletion_before_end_of_life needs version_end_of_life_date: set the date until which deletion is blocked")
	}
	checkTags(&errs, c.Tags)
	checkPluginTags(&errs, c.Tags)

	// Replication.
	if c.ReplicaCount == nil {
		c.ReplicaCount = ptr32(defaultReplicaCount)
	} else if *c.ReplicaCount < 1 || *c.ReplicaCount > maxReplicas {
		add("replica_count %d is out of range: Azure's minimum is 1; use 1 to %d replicas per region", *c.ReplicaCount, maxReplicas)
	}
	if c.StorageAccountType == "" {
		c.StorageAccountType = defaultStorageAccountType
	} else {
		c.StorageAccountType = canonicalEnum(&errs, "storage_account_type", c.StorageAccountType, storageAccountTypes)
	}
	if c.ReplicationMode == "" {
		c.ReplicationMode = defaultReplicationMode
	} else {
		c.ReplicationMode = canonicalEnum(&errs, "replication_mode", c.ReplicationMode, replicationModes)
	}
	r.regions = c.prepareRegions(&errs)
	if c.ReplicationMode == "Shallow" {
		if len(r.regions) > 1 {
			add("replication_mode = \"Shallow\" allows only the source image's region, but %d target_region blocks are set: remove the others, or use replication_mode = \"Full\"", len(r.regions))
		}
		if *c.ReplicaCount > 1 {
			add("replication_mode = \"Shallow\" allows 1 replica, but replica_count is %d: set replica_count = 1, or use replication_mode = \"Full\"", *c.ReplicaCount)
		}
		for _, tr := range r.regions {
			if deref32(tr.Replicas) > 1 {
				add("replication_mode = \"Shallow\" allows 1 replica, but target_region %q has replicas = %d: set replicas = 1, or use replication_mode = \"Full\"", tr.Name, deref32(tr.Replicas))
			}
		}
	}

	// Behaviour.
	if c.Timeout == 0 {
		c.Timeout = defaultTimeout
	} else if c.Timeout < 0 {
		add("timeout %s is negative: use a duration such as \"90m\" or \"3h\"", c.Timeout)
	}
	return r, errs
}

// prepareRegions normalizes the target_region blocks, fills in their defaults and reports bad ones.
func (c *Config) prepareRegions(errs **packersdk.MultiError) []TargetRegion {
	add := func(format string, args ...interface{}) {
		*errs = packersdk.MultiErrorAppend(*errs, fmt.Errorf(format, args...))
	}
	seen := map[string]int{}
	out := make([]TargetRegion, 0, len(c.TargetRegions))
	for i, tr := range c.TargetRegions {
		field := fmt.Sprintf("target_region[%d]", i)
		if tr.Name == "" {
			add("%s.name is required: name the region, such as \"westeurope\"", field)
			continue
		}
		name, err := gallery.CheckRegion(tr.Name)
		if err != nil {
			add("%s.name: %v", field, err)
			continue
		}
		if first, dup := seen[name]; dup {
			add("%s.name %q is the same region as target_region[%d] (%q) once normalized: list each region once", field, tr.Name, first, c.TargetRegions[first].Name)
			continue
		}
		seen[name] = i
		tr.Name = name
		if tr.Replicas == nil {
			tr.Replicas = c.ReplicaCount
		} else if *tr.Replicas < 1 || *tr.Replicas > maxReplicas {
			add("%s.replicas %d is out of range: Azure's minimum is 1; use 1 to %d", field, *tr.Replicas, maxReplicas)
		}
		if tr.StorageAccountType == "" {
			tr.StorageAccountType = c.StorageAccountType
		} else {
			tr.StorageAccountType = canonicalEnum(errs, field+".storage_account_type", tr.StorageAccountType, storageAccountTypes)
		}
		if tr.DiskEncryptionSetID != "" {
			if err := checkResourceID(tr.DiskEncryptionSetID, "Microsoft.Compute/diskEncryptionSets"); err != nil {
				add("%s.disk_encryption_set_id: %v; use the disk encryption set's full resource ID", field, err)
			}
		}
		out = append(out, tr)
	}
	return out
}

// canonicalEnum matches value case-insensitively against allowed and returns Azure's spelling. An
// unknown value is reported, and returned unchanged so later checks do not pile up more errors.
func canonicalEnum(errs **packersdk.MultiError, field, value string, allowed []string) string {
	if value == "" {
		return ""
	}
	for _, a := range allowed {
		if strings.EqualFold(a, value) {
			return a
		}
	}
	*errs = packersdk.MultiErrorAppend(*errs, fmt.Errorf("%s %q is not valid: use one of %s", field, value, strings.Join(allowed, ", ")))
	return value
}

// checkResourceID parses an ARM resource ID and checks its type.
func checkResourceID(id, wantType string) error {
	rid, err := arm.ParseResourceID(id)
	if err != nil {
		return fmt.Errorf("%q is not an Azure resource ID", id)
	}
	if !strings.EqualFold(rid.ResourceType.String(), wantType) {
		return fmt.Errorf("%q is a %s, not a %s", id, rid.ResourceType.String(), wantType)
	}
	if rid.SubscriptionID == "" || rid.ResourceGroupName == "" {
		return fmt.Errorf("%q lacks a subscription or resource group", id)
	}
	return nil
}

func checkRange(errs **packersdk.MultiError, base string, minP, maxP *int32, limit int32) {
	add := func(format string, args ...interface{}) {
		*errs = packersdk.MultiErrorAppend(*errs, fmt.Errorf(format, args...))
	}
	min, max := deref32(minP), deref32(maxP)
	if minP != nil && (min < 1 || min > limit) {
		add("%s_min %d is out of range: Azure's minimum is 1; use 1 to %d", base, min, limit)
	}
	if maxP != nil && (max < 1 || max > limit) {
		add("%s_max %d is out of range: Azure's minimum is 1; use 1 to %d", base, max, limit)
	}
	if min > 0 && max > 0 && min > max {
		add("%s_min %d is larger than %s_max %d: swap them", base, min, base, max)
	}
}

func checkURL(errs **packersdk.MultiError, field, value string) {
	if value == "" {
		return
	}
	u, err := url.Parse(value)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		*errs = packersdk.MultiErrorAppend(*errs, fmt.Errorf("%s %q is not a web address: use a full URL such as \"https://example.com/privacy\"", field, value))
	}
}

func checkTags(errs **packersdk.MultiError, tags map[string]string) {
	add := func(err error) { *errs = packersdk.MultiErrorAppend(*errs, err) }
	if len(tags) > maxTags {
		add(fmt.Errorf("tags has %d entries: Azure allows at most %d per resource", len(tags), maxTags))
	}
	for k, v := range tags {
		switch {
		case k == "":
			add(errors.New("tags has an empty key: give every tag a name"))
		case len(k) > 512:
			add(fmt.Errorf("tags key %.20q... is %d characters long: Azure allows 512", k, len(k)))
		case strings.ContainsAny(k, `<>%&\?/`):
			add(fmt.Errorf("tags key %q contains one of <>%%&\\?/, which Azure refuses in tag names: rename it", k))
		}
		if len(v) > 256 {
			add(fmt.Errorf("tags value of %q is %d characters long: Azure allows 256", k, len(v)))
		}
	}
}
