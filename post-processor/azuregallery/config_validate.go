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

// maxTags is Azure's limit of tags per resource. (Every other Azure rule and limit prepare applies is
// read from internal/gallery/rules.go.)
const maxTags = 50

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
// network. It returns every problem at once; each names the field and says how to fix it. Azure's rules
// and limits come from internal/gallery's rule table (rules.go); each step below applies one group.
func (c *Config) prepare(now time.Time) (*resolved, *packersdk.MultiError) {
	var errs *packersdk.MultiError
	r := &resolved{
		createImage:                        !c.CreateImage.False(),
		allowDeletionOfReplicatedLocations: c.AllowDeletionOfReplicatedLocations.ToBoolPointer(),
		acceleratedNetworking:              c.AcceleratedNetworking.ToBoolPointer(),
	}
	for _, err := range c.Config.Prepare() {
		errs = packersdk.MultiErrorAppend(errs, err)
	}
	c.prepareSource(&errs)
	c.prepareShare(&errs)
	c.prepareSources(&errs)   // snapshot, disk and VHD sources (config_source.go)
	c.prepareDataDisks(&errs) // data_disk blocks (config_datadisk.go)
	c.prepareGallery(&errs)
	c.prepareDefinition(&errs, r, now)
	c.prepareVersion(&errs, r, now)
	c.prepareReplication(&errs, r)
	c.prepareSoftDelete(&errs) // config_softdelete.go
	c.prepareCommunity(&errs)  // config_community.go
	if c.Timeout == 0 {
		c.Timeout = gallery.DefaultTimeout
	} else if err := gallery.CheckTimeout(c.Timeout); err != nil {
		errs = packersdk.MultiErrorAppend(errs, err)
	}
	return r, errs
}

// adder returns a function that appends a formatted error to *errs.
func adder(errs **packersdk.MultiError) func(format string, args ...interface{}) {
	return func(format string, args ...interface{}) {
		*errs = packersdk.MultiErrorAppend(*errs, fmt.Errorf(format, args...))
	}
}

// prepareSource checks the source IDs: a managed image, or a gallery image version to promote.
func (c *Config) prepareSource(errs **packersdk.MultiError) {
	add := adder(errs)
	if c.SourceImageID != "" {
		if _, err := gallery.ParseSourceID(c.SourceImageID, gallery.SourceManagedImage); err != nil {
			add("source_image_id: %v", err)
		}
	}
	if c.SourceImageVersionID != "" {
		// A direct-shared ID parses here and is refused by gallery.ImageRules in prepareSecurity.
		if _, err := gallery.ParseSourceID(c.SourceImageVersionID, append([]gallery.SourceKind{gallery.SourceGalleryImageVersion}, publicSourceKinds...)...); err != nil {
			add("source_image_version_id: %v", err)
		}
		if c.SourceImageID != "" {
			add("source_image_id and source_image_version_id are both set: set source_image_id to publish a managed image, or source_image_version_id to promote a gallery image version, not both")
		}
	}
}

// prepareGallery checks the resource group and gallery names (Azure's name rules, names.go).
func (c *Config) prepareGallery(errs **packersdk.MultiError) {
	add := adder(errs)
	for _, f := range []struct {
		field, value, what string
		check              func(string) error
	}{
		{"resource_group", c.ResourceGroup, "the resource group that holds the gallery", gallery.CheckResourceGroupName},
		{"gallery_name", c.GalleryName, "the name of the Azure Compute Gallery to publish to", gallery.CheckGalleryName},
		{"image_name", c.ImageName, "the name of the gallery image definition", gallery.CheckImageName},
	} {
		if f.value == "" {
			add("%s is required: %s", f.field, f.what)
		} else if err := f.check(f.value); err != nil {
			*errs = packersdk.MultiErrorAppend(*errs, err)
		}
	}
}

// prepareDefinition checks the definition's fields: identity, Azure's enumerations, the recommended
// configuration, URLs, end of life and purchase plan.
func (c *Config) prepareDefinition(errs **packersdk.MultiError, r *resolved, now time.Time) {
	add := adder(errs)
	if r.createImage {
		for _, f := range []struct{ name, value string }{{"publisher", c.Publisher}, {"offer", c.Offer}, {"sku", c.SKU}} {
			if f.value == "" {
				add("%s is required when create_image is true (the default), because Azure needs publisher, offer and sku to create a definition; set it, or set create_image = false to use an existing definition", f.name)
			}
		}
	}
	c.OSType = canonicalEnum(errs, "os_type", c.OSType, gallery.OSTypes)
	c.OSState = canonicalEnum(errs, "os_state", c.OSState, gallery.OSStates)
	c.HyperVGeneration = canonicalEnum(errs, "hyper_v_generation", c.HyperVGeneration, gallery.HyperVGenerations)
	c.Architecture = canonicalEnum(errs, "architecture", c.Architecture, gallery.Architectures)
	c.SecurityType = canonicalEnum(errs, "security_type", c.SecurityType, gallery.SecurityTypes)
	c.prepareSecurity(errs) // gallery.ImageRules and Confidential VM regions (config_security.go)
	c.prepareDiskControllers(errs)
	checkRange(errs, "recommended_vcpus", c.RecommendedVCPUsMin, c.RecommendedVCPUsMax, gallery.MaxRecommendedVCPUs)
	checkRange(errs, "recommended_memory_gb", c.RecommendedMemoryGBMin, c.RecommendedMemoryGBMax, gallery.MaxRecommendedMemoryGB)
	checkURL(errs, "privacy_statement_uri", c.PrivacyStatementURI)
	checkURL(errs, "release_note_uri", c.ReleaseNoteURI)
	r.definitionEndOfLife = endOfLife(errs, "end_of_life_date", c.EndOfLifeDate, now)
	if p := c.PurchasePlan; p != nil {
		for _, f := range []struct{ name, value string }{{"name", p.Name}, {"publisher", p.Publisher}, {"product", p.Product}} {
			if f.value == "" {
				add("purchase_plan.%s is required: a purchase plan needs name, publisher and product", f.name)
			}
		}
	}
}

// prepareDiskControllers canonicalizes disk_controller_types and refuses empty and repeated entries.
func (c *Config) prepareDiskControllers(errs **packersdk.MultiError) {
	add := adder(errs)
	seen := map[string]bool{}
	for i, t := range c.DiskControllerTypes {
		c.DiskControllerTypes[i] = canonicalEnum(errs, fmt.Sprintf("disk_controller_types[%d]", i), t, gallery.DiskControllerTypes)
		if t == "" {
			add("disk_controller_types[%d] is empty: use SCSI or NVMe", i)
		}
		if seen[c.DiskControllerTypes[i]] {
			add("disk_controller_types lists %q twice: list each controller once", c.DiskControllerTypes[i])
		}
		seen[c.DiskControllerTypes[i]] = true
	}
}

// endOfLife parses an end-of-life date field; "" is no date.
func endOfLife(errs **packersdk.MultiError, field, value string, now time.Time) *time.Time {
	if value == "" {
		return nil
	}
	t, err := gallery.ParseEndOfLife(value, now)
	if err != nil {
		adder(errs)("%s: %v", field, err)
		return nil
	}
	return &t
}

// prepareVersion checks the version's number and lifecycle, end of life, safety profile and tags.
func (c *Config) prepareVersion(errs **packersdk.MultiError, r *resolved, now time.Time) {
	r.version, r.lifecycle = c.prepareLifecycle(errs, now)
	r.versionEndOfLife = endOfLife(errs, "version_end_of_life_date", c.VersionEndOfLifeDate, now)
	if c.BlockDeletionBeforeEndOfLife && c.VersionEndOfLifeDate == "" {
		adder(errs)("block_deletion_before_end_of_life needs version_end_of_life_date: set the date until which deletion is blocked")
	}
	checkTags(errs, c.Tags)
	checkPluginTags(errs, c.Tags)
}

// prepareReplication applies the replica, storage and replication-mode defaults and rules (rules.go) to
// the defaults and to every target region.
func (c *Config) prepareReplication(errs **packersdk.MultiError, r *resolved) {
	appendErr := func(err error) { *errs = packersdk.MultiErrorAppend(*errs, err) }
	if c.ReplicaCount == nil {
		c.ReplicaCount = ptr32(gallery.DefaultReplicaCount)
	} else if err := gallery.CheckReplicas("replica_count", *c.ReplicaCount); err != nil {
		appendErr(err)
	}
	userType := c.StorageAccountType
	if c.StorageAccountType == "" {
		if c.StorageAccountStrategy == "" { // with a strategy, Azure picks each region's storage
			c.StorageAccountType = gallery.DefaultStorageAccountType
		}
	} else {
		c.StorageAccountType = canonicalEnum(errs, "storage_account_type", c.StorageAccountType, gallery.StorageAccountTypes)
	}
	c.prepareStorageStrategy(errs, userType)
	if c.ReplicationMode == "" {
		c.ReplicationMode = gallery.DefaultReplicationMode
	} else {
		c.ReplicationMode = canonicalEnum(errs, "replication_mode", c.ReplicationMode, gallery.ReplicationModes)
	}
	r.regions = c.prepareRegions(errs)
	if c.ReplicationMode == gallery.ReplicationShallow {
		targets := make([]gallery.ReplicaTarget, len(r.regions))
		for i, tr := range r.regions {
			targets[i] = gallery.ReplicaTarget{Name: tr.Name, Replicas: deref32(tr.Replicas)}
		}
		for _, err := range gallery.CheckShallow("", *c.ReplicaCount, targets) {
			appendErr(err)
		}
	}
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
		} else if err := gallery.CheckReplicas(field+".replicas", *tr.Replicas); err != nil {
			*errs = packersdk.MultiErrorAppend(*errs, err)
		}
		if tr.StorageAccountType == "" {
			tr.StorageAccountType = c.StorageAccountType
		} else {
			tr.StorageAccountType = canonicalEnum(errs, field+".storage_account_type", tr.StorageAccountType, gallery.StorageAccountTypes)
		}
		c.prepareReplicaSets(errs, field, &tr)
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
	v, err := gallery.CanonicalEnum(field, value, allowed)
	if err != nil {
		*errs = packersdk.MultiErrorAppend(*errs, err)
	}
	return v
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
