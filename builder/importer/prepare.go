package importer

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/google/uuid"
	"github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/vhd"
)

// sourceKind says which of the exclusive source_* fields is set.
type sourceKind int

const (
	sourceFile sourceKind = iota + 1
	sourceBlob
	sourceSnapshot
	sourceDisk
)

// Azure's naming rules for images and disks: 1-80 characters, letters, digits, '_', '.', '-', starting
// with a letter or digit and ending with a letter, digit or '_'.
var resourceName = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$`)

// validate checks everything that can be checked without the network and returns every problem at once.
func (c *Config) validate() error {
	var errs *packer.MultiError
	add := func(err error) {
		if err != nil {
			errs = packer.MultiErrorAppend(errs, err)
		}
	}
	for _, err := range c.Config.Prepare() {
		add(err)
	}
	c.validateSource(add)
	c.validateTarget(add)
	if c.UploadConcurrency < 0 || c.UploadConcurrency > 64 {
		add(fmt.Errorf("upload_concurrency: %d is out of range; use 1 to 64 (default %d)", c.UploadConcurrency, vhd.DefaultConcurrency))
	}
	if c.UploadConcurrency == 0 {
		c.UploadConcurrency = vhd.DefaultConcurrency
	}
	c.validatePublish(add)   // config_publish.go
	c.validateDataDisks(add) // config_datadisk.go
	if c.TempDiskName == "" {
		c.TempDiskName = "pkr-import-" + uuid.NewString()[:8]
	} else if !resourceName.MatchString(c.TempDiskName) {
		add(fmt.Errorf("temp_disk_name: %q is not a valid disk name (1-80 letters, digits, '_', '.', '-')", c.TempDiskName))
	}
	if errs != nil && len(errs.Errors) > 0 {
		return errs
	}
	return nil
}

// kind is the configured source; validate guarantees exactly one.
func (c *Config) kind() sourceKind {
	switch {
	case c.SourceFile != "":
		return sourceFile
	case c.SourceVHDURI != "":
		return sourceBlob
	case c.SourceSnapshotID != "":
		return sourceSnapshot
	case c.SourceDiskID != "":
		return sourceDisk
	}
	return 0
}

func (c *Config) validateSource(add func(error)) {
	var set []string
	for name, v := range map[string]string{"source_file": c.SourceFile, "source_vhd_uri": c.SourceVHDURI, "source_snapshot_id": c.SourceSnapshotID, "source_disk_id": c.SourceDiskID} {
		if v != "" {
			set = append(set, name)
		}
	}
	switch {
	case len(set) == 0:
		add(errors.New("source_file, source_vhd_uri, source_snapshot_id and source_disk_id are all unset: set exactly one of them"))
	case len(set) > 1:
		add(fmt.Errorf("conflicting sources %s: set exactly one of source_file, source_vhd_uri, source_snapshot_id or source_disk_id", strings.Join(sorted(set), ", ")))
	}
	if c.SourceFile != "" {
		if _, err := inspectFile(c.SourceFile); err != nil {
			add(fmt.Errorf("source_file: %w", err))
		}
	}
	if c.SourceVHDURI != "" {
		add(checkBlobURI(c.SourceVHDURI, c.SourceStorageAccountID))
	} else if c.SourceStorageAccountID != "" {
		add(errors.New("source_storage_account_id is only used with source_vhd_uri; remove it or set source_vhd_uri"))
	}
	if c.SourceSnapshotID != "" {
		add(checkResourceID("source_snapshot_id", c.SourceSnapshotID, "Microsoft.Compute/snapshots"))
	}
	if c.SourceDiskID != "" {
		add(checkResourceID("source_disk_id", c.SourceDiskID, "Microsoft.Compute/disks"))
	}
}

func checkBlobURI(uri, accountID string) error {
	if !strings.HasPrefix(uri, "https://") && !strings.HasPrefix(uri, "http://") {
		return fmt.Errorf("source_vhd_uri: %q is not a blob URL such as https://ACCOUNT.blob.core.windows.net/CONTAINER/disk.vhd", uri)
	}
	if accountID == "" {
		return errors.New("source_vhd_uri needs source_storage_account_id, the resource ID of the storage account that holds the blob")
	}
	return checkResourceID("source_storage_account_id", accountID, "Microsoft.Storage/storageAccounts")
}

// checkResourceID parses id with azcore's parser and checks its type, so a disk ID in a snapshot field
// is caught at validate time rather than as a 404 later.
func checkResourceID(field, id, wantType string) error {
	rid, err := arm.ParseResourceID(id)
	if err != nil {
		return fmt.Errorf("%s: %q is not an Azure resource ID: %w", field, id, err)
	}
	if !strings.EqualFold(rid.ResourceType.String(), wantType) {
		return fmt.Errorf("%s: %q is a %s, want a %s ID like /subscriptions/SUB/resourceGroups/RG/providers/%s/NAME", field, id, rid.ResourceType.String(), wantType, wantType)
	}
	return nil
}

func (c *Config) validateTarget(add func(error)) {
	if c.ResourceGroup == "" {
		add(errors.New("resource_group is required: the resource group to create the image in"))
	}
	if c.Location == "" {
		add(errors.New("location is required: the Azure region of the image, such as eastus"))
	}
	if c.ImageName == "" {
		add(errors.New("image_name is required: the name of the managed image to create"))
	} else if !resourceName.MatchString(c.ImageName) {
		add(fmt.Errorf("image_name: %q is not a valid image name (1-80 letters, digits, '_', '.', '-', not ending in '.' or '-')", c.ImageName))
	}
	var ok bool
	if c.OSType, ok = oneOf(c.OSType, "Linux", "Windows"); !ok {
		add(fmt.Errorf("os_type: %q is invalid; set Linux or Windows", c.OSType))
	}
	if c.HyperVGeneration == "" {
		c.HyperVGeneration = "V1"
	}
	if c.HyperVGeneration, ok = oneOf(c.HyperVGeneration, "V1", "V2"); !ok {
		add(fmt.Errorf("hyper_v_generation: %q is invalid; set V1 (BIOS) or V2 (UEFI)", c.HyperVGeneration))
	}
	if c.Architecture == "" {
		c.Architecture = "x64"
	}
	if c.Architecture, ok = oneOf(c.Architecture, "x64", "Arm64"); !ok {
		add(fmt.Errorf("architecture: %q is invalid; set x64 or Arm64", c.Architecture))
	}
	if c.Architecture == "Arm64" && c.HyperVGeneration == "V1" {
		add(errors.New("architecture Arm64 needs hyper_v_generation = \"V2\": Azure runs Arm64 VMs on UEFI only"))
	}
}

// oneOf returns the canonical spelling of v among choices, matched case-insensitively.
func oneOf(v string, choices ...string) (string, bool) {
	for _, c := range choices {
		if strings.EqualFold(v, c) {
			return c, true
		}
	}
	return v, false
}

func sorted(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}
