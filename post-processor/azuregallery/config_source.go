//go:generate go tool packer-sdc mapstructure-to-hcl2 -type DataDisk,DataDiskEncryption
//go:generate go tool packer-sdc struct-markdown

package azuregallery

import (
	"fmt"
	"strings"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

// SourceConfig publishes a snapshot, a managed disk or a VHD blob straight into the version, without a
// managed image: the only route Azure allows for Arm64 and Confidential VM images. The field names are
// the `azure-gallery-import` builder's. Set exactly one source per run, counting `source_image_id` and
// `source_image_version_id`.
type SourceConfig struct {
	// The resource ID of a snapshot to publish as the OS disk
	// (`/subscriptions/.../providers/Microsoft.Compute/snapshots/os`), sent as
	// `storageProfile.osDiskImage.source.id`. Its OS type, Hyper-V generation, architecture and security
	// type are read from Azure and fill the definition's unset fields.
	SourceSnapshotID string `mapstructure:"source_snapshot_id" required:"false"`
	// The resource ID of a managed disk to publish as the OS disk, like `source_snapshot_id`.
	SourceDiskID string `mapstructure:"source_disk_id" required:"false"`
	// The URL of a fixed-size VHD page blob to publish as the OS disk
	// (`osDiskImage.source.uri`). Azure cannot tell its OS type, generation or architecture: set
	// `os_type`, and `hyper_v_generation` and `architecture` unless the defaults (`V1`, `x64`) are right.
	// Needs `source_storage_account_id`.
	SourceVHDURI string `mapstructure:"source_vhd_uri" required:"false"`
	// The resource ID of the storage account that holds `source_vhd_uri`
	// (`/subscriptions/.../providers/Microsoft.Storage/storageAccounts/name`); Azure requires it with a
	// VHD source.
	SourceStorageAccountID string `mapstructure:"source_storage_account_id" required:"false"`
	// The region of the storage account of `source_vhd_uri`, which a URL does not say; or, for a community
	// `source_image_version_id` (`/CommunityGalleries/...`), the region to read it in (Azure shows
	// community versions per region, and the version must be replicated there). Defaults to the gallery's
	// region; required when the gallery does not exist yet.
	SourceLocation string `mapstructure:"source_location" required:"false"`
	// Data disks published next to a snapshot, disk or VHD OS disk (`storageProfile.dataDiskImages`), any
	// number, each with a unique `lun`. A managed image source carries its own data disks instead.
	DataDisks []DataDisk `mapstructure:"data_disk" required:"false"`
}

// DataDisk is one `data_disk` block: a LUN and exactly one source.
type DataDisk struct {
	// The data disk's logical unit number, 0 to 63, unique in the image.
	Lun int32 `mapstructure:"lun" required:"true"`
	// The resource ID of a snapshot holding the data disk.
	SourceSnapshotID string `mapstructure:"source_snapshot_id" required:"false"`
	// The resource ID of a managed disk holding the data disk.
	SourceDiskID string `mapstructure:"source_disk_id" required:"false"`
	// The URL of a fixed-size VHD page blob holding the data disk; needs `source_storage_account_id`.
	SourceVHDURI string `mapstructure:"source_vhd_uri" required:"false"`
	// The resource ID of the storage account that holds `source_vhd_uri`.
	SourceStorageAccountID string `mapstructure:"source_storage_account_id" required:"false"`
	// The disk's host caching: `None` (Azure's default), `ReadOnly` or `ReadWrite`.
	HostCaching string `mapstructure:"host_caching" required:"false"`
}

// DataDiskEncryption is one `data_disk_encryption` block of a `target_region`: the disk encryption set
// of one data disk in that region, instead of the region's `disk_encryption_set_id`.
type DataDiskEncryption struct {
	// The data disk's LUN, as in its `data_disk` block.
	Lun int32 `mapstructure:"lun" required:"true"`
	// The resource ID of a disk encryption set in the region.
	DiskEncryptionSetID string `mapstructure:"disk_encryption_set_id" required:"true"`
}

// sourceFields are the exclusive source settings, in the order messages list them.
func (c *Config) sourceFields() []struct{ name, value string } {
	return []struct{ name, value string }{
		{"source_image_id", c.SourceImageID}, {"source_image_version_id", c.SourceImageVersionID},
		{"source_snapshot_id", c.SourceSnapshotID}, {"source_disk_id", c.SourceDiskID}, {"source_vhd_uri", c.SourceVHDURI},
	}
}

// prepareSources validates the snapshot, disk and VHD sources and that at most one source is set.
func (c *Config) prepareSources(errs **packersdk.MultiError) {
	add := func(format string, args ...any) {
		*errs = packersdk.MultiErrorAppend(*errs, fmt.Errorf(format, args...))
	}
	var set []string
	for _, f := range c.sourceFields() {
		if f.value != "" {
			set = append(set, f.name)
		}
	}
	// source_image_id with source_image_version_id alone is reported by prepare.
	if len(set) > 1 && !(len(set) == 2 && c.SourceImageID != "" && c.SourceImageVersionID != "") {
		add("%s are all set: publish exactly one source per run; keep one of them", strings.Join(set, ", "))
	}
	if c.SourceSnapshotID != "" {
		if _, err := gallery.ParseSourceID(c.SourceSnapshotID, gallery.SourceSnapshot); err != nil {
			add("source_snapshot_id: %v", err)
		}
	}
	if c.SourceDiskID != "" {
		if _, err := gallery.ParseSourceID(c.SourceDiskID, gallery.SourceDisk); err != nil {
			add("source_disk_id: %v", err)
		}
	}
	switch {
	case c.SourceVHDURI != "" && !gallery.IsBlobURI(c.SourceVHDURI):
		add("source_vhd_uri %q is not a blob URL: give the https:// URL of a fixed-size VHD page blob", c.SourceVHDURI)
	case c.SourceVHDURI != "" && c.SourceStorageAccountID == "":
		add("source_vhd_uri needs source_storage_account_id: Azure requires the resource ID of the storage account that holds the VHD (osDiskImage.source.storageAccountId)")
	case c.SourceVHDURI == "" && c.SourceStorageAccountID != "" && c.hasConfiguredSource():
		add("source_storage_account_id is set without source_vhd_uri: it names the storage account of a VHD source (source_vhd_uri, or the azure-arm builder's VHD artifact); remove it or set source_vhd_uri")
	case c.SourceVHDURI == "" && c.SourceLocation != "" && c.hasConfiguredSource() && !gallery.IsPublicVersionID(c.SourceImageVersionID):
		add("source_location is set without source_vhd_uri or a community source_image_version_id: only those need a region; remove it")
	}
	if c.SourceVHDURI != "" && c.OSType == "" {
		add("source_vhd_uri needs os_type: Azure cannot read a VHD's operating system, so the definition takes it from the configuration; set os_type = \"Linux\" or \"Windows\" (and hyper_v_generation, architecture unless V1 and x64)")
	}
	if c.SourceStorageAccountID != "" {
		if err := gallery.CheckStorageAccountID(c.SourceStorageAccountID); err != nil {
			add("source_storage_account_id: %v", err)
		}
	}
	if c.SourceLocation != "" {
		name, err := gallery.CheckRegion(c.SourceLocation)
		if err != nil {
			add("source_location: %v", err)
		}
		c.SourceLocation = name
	}
}

// configuredSource is the snapshot, disk or VHD the configuration names, or nil.
func (c *Config) configuredSource() *source {
	switch {
	case c.SourceSnapshotID != "":
		return &source{ImageID: c.SourceSnapshotID, From: "source_snapshot_id", Kind: gallery.SourceSnapshot}
	case c.SourceDiskID != "":
		return &source{ImageID: c.SourceDiskID, From: "source_disk_id", Kind: gallery.SourceDisk}
	case c.SourceVHDURI != "":
		return &source{ImageID: c.SourceVHDURI, From: "source_vhd_uri", Kind: gallery.SourceVHD,
			StorageAccountID: c.SourceStorageAccountID, Location: c.SourceLocation}
	}
	return nil
}

// sourceKind is the kind of source the configuration fixes, or "" when the input artifact decides.
func (c *Config) sourceKind() gallery.SourceKind {
	if s := c.configuredSource(); s != nil {
		return s.Kind
	}
	if c.SourceImageID != "" {
		return gallery.SourceManagedImage
	}
	if id, err := gallery.ParseSourceID(c.SourceImageVersionID, publicSourceKinds...); err == nil {
		return id.Kind // a community or direct-shared ID (publicid.go)
	}
	return ""
}

// publicSourceKinds are the public (consumer) ID forms of source_image_version_id.
var publicSourceKinds = []gallery.SourceKind{gallery.SourceCommunityVersion, gallery.SourceSharedVersion}

// vhdLocation is the region of a VHD or community source (Request.SourceLocation); other sources say
// their own.
func vhdLocation(s *source) string {
	if s.Kind == gallery.SourceVHD || s.Kind == gallery.SourceCommunityVersion {
		return s.Location
	}
	return ""
}

// hasConfiguredSource reports whether any source_* ID is set; without one the input artifact decides,
// and source_storage_account_id and source_location may serve an artifact that is a VHD.
func (c *Config) hasConfiguredSource() bool {
	for _, f := range c.sourceFields() {
		if f.value != "" {
			return true
		}
	}
	return false
}
