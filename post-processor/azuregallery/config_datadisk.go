package azuregallery

import (
	"fmt"
	"strconv"
	"strings"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

// prepareDataDisks validates the data_disk blocks and the regions' data_disk_encryption blocks.
func (c *Config) prepareDataDisks(errs **packersdk.MultiError) {
	add := func(format string, args ...any) {
		*errs = packersdk.MultiErrorAppend(*errs, fmt.Errorf(format, args...))
	}
	if len(c.DataDisks) > 0 && (c.SourceImageID != "" || c.SourceImageVersionID != "") {
		add("data_disk needs a snapshot, disk or VHD OS source: a managed image or gallery version carries its own data disks, and Azure takes data disk sources only next to osDiskImage.source; remove the data_disk blocks or set source_snapshot_id, source_disk_id or source_vhd_uri")
	}
	luns := map[int32]int{}
	for i := range c.DataDisks {
		dd := &c.DataDisks[i]
		field := fmt.Sprintf("data_disk[%d]", i)
		if dd.Lun < 0 || dd.Lun > gallery.MaxDataDiskLun {
			add("%s.lun %d is out of range: use 0 to %d", field, dd.Lun, gallery.MaxDataDiskLun)
		}
		if first, dup := luns[dd.Lun]; dup {
			add("%s.lun %d is already data_disk[%d]'s: give each data disk its own lun", field, dd.Lun, first)
		}
		luns[dd.Lun] = i
		var set int
		for _, v := range []string{dd.SourceSnapshotID, dd.SourceDiskID, dd.SourceVHDURI} {
			if v != "" {
				set++
			}
		}
		if set != 1 {
			add("%s needs exactly one of source_snapshot_id, source_disk_id or source_vhd_uri (%d set)", field, set)
		}
		checkDataDiskSource(add, field, dd)
		dd.HostCaching = canonicalEnum(errs, field+".host_caching", dd.HostCaching, gallery.HostCachingTypes)
	}
	for i, tr := range c.TargetRegions {
		for j, e := range tr.DataDiskEncryption {
			field := fmt.Sprintf("target_region[%d].data_disk_encryption[%d]", i, j)
			if _, ok := luns[e.Lun]; !ok {
				add("%s.lun %d is not a data_disk's lun: encrypt only the data disks this image has", field, e.Lun)
			}
			if err := checkResourceID(e.DiskEncryptionSetID, "Microsoft.Compute/diskEncryptionSets"); err != nil {
				add("%s.disk_encryption_set_id: %v; use the disk encryption set's full resource ID", field, err)
			}
		}
	}
}

func checkDataDiskSource(add func(string, ...any), field string, dd *DataDisk) {
	if dd.SourceSnapshotID != "" {
		if _, err := gallery.ParseSourceID(dd.SourceSnapshotID, gallery.SourceSnapshot); err != nil {
			add("%s.source_snapshot_id: %v", field, err)
		}
	}
	if dd.SourceDiskID != "" {
		if _, err := gallery.ParseSourceID(dd.SourceDiskID, gallery.SourceDisk); err != nil {
			add("%s.source_disk_id: %v", field, err)
		}
	}
	switch {
	case dd.SourceVHDURI != "" && !gallery.IsBlobURI(dd.SourceVHDURI):
		add("%s.source_vhd_uri %q is not a blob URL: give the https:// URL of a fixed-size VHD page blob", field, dd.SourceVHDURI)
	case dd.SourceVHDURI != "" && dd.SourceStorageAccountID == "":
		add("%s.source_vhd_uri needs %s.source_storage_account_id: Azure requires the storage account that holds the VHD", field, field)
	case dd.SourceVHDURI == "" && dd.SourceStorageAccountID != "":
		add("%s.source_storage_account_id is set without source_vhd_uri: remove it", field)
	}
	if dd.SourceStorageAccountID != "" {
		if err := gallery.CheckStorageAccountID(dd.SourceStorageAccountID); err != nil {
			add("%s.source_storage_account_id: %v", field, err)
		}
	}
}

// dataDiskSpecs maps the data_disk blocks onto the core's request.
func (c *Config) dataDiskSpecs() []gallery.DataDiskSpec {
	var out []gallery.DataDiskSpec
	for _, dd := range c.DataDisks {
		id := dd.SourceSnapshotID + dd.SourceDiskID + dd.SourceVHDURI // validation leaves exactly one
		out = append(out, gallery.DataDiskSpec{Lun: dd.Lun, SourceID: id, StorageAccountID: dd.SourceStorageAccountID, HostCaching: dd.HostCaching})
	}
	return out
}

// dataDiskEncryptionSets is a region's per-LUN encryption overrides, or nil.
func dataDiskEncryptionSets(tr TargetRegion) map[int32]string {
	if len(tr.DataDiskEncryption) == 0 {
		return nil
	}
	out := map[int32]string{}
	for _, e := range tr.DataDiskEncryption {
		out[e.Lun] = e.DiskEncryptionSetID
	}
	return out
}

// parseDataDiskSnapshots decodes the import builder's "lun=id,lun=id" data disk snapshots.
func parseDataDiskSnapshots(s string) ([]gallery.DataDiskSpec, error) {
	var out []gallery.DataDiskSpec
	if s == "" {
		return nil, nil
	}
	for _, pair := range strings.Split(s, ",") {
		lun, id, ok := strings.Cut(pair, "=")
		n, err := strconv.ParseInt(lun, 10, 32)
		if !ok || err != nil {
			return nil, fmt.Errorf("%q is not lun=snapshot-id", pair)
		}
		if _, err := gallery.ParseSourceID(id, gallery.SourceSnapshot); err != nil {
			return nil, err
		}
		out = append(out, gallery.DataDiskSpec{Lun: int32(n), SourceID: id})
	}
	return out, nil
}

// artifactDataDisks are the data disks the import builder's artifact carries (checked when decoded).
func artifactDataDisks(s *source) []gallery.DataDiskSpec {
	dds, _ := parseDataDiskSnapshots(s.DataDiskSnapshots)
	return dds
}
