//go:generate go tool packer-sdc struct-markdown

package importer

import (
	"fmt"
	"strings"
)

// DataDiskFile is one `data_disk_file` block: a local data disk image and its LUN.
type DataDiskFile struct {
	// The data disk's logical unit number, 0 to 63, unique.
	Lun int32 `mapstructure:"lun" required:"true"`
	// The local disk image: a fixed VHD or raw, as for `source_file`.
	Path string `mapstructure:"path" required:"true"`
}

// validateDataDisks checks the data_disk_file blocks; it runs after validatePublish.
func (c *Config) validateDataDisks(add func(error)) {
	if len(c.DataDiskFiles) > 0 && c.PublishSource != publishSnapshot {
		add(fmt.Errorf("data_disk_file needs publish_source = \"snapshot\": each data disk is left as a snapshot for the post-processor (publish_source is %q)", c.PublishSource))
	}
	seen := map[int32]int{}
	for i, d := range c.DataDiskFiles {
		field := fmt.Sprintf("data_disk_file[%d]", i)
		if d.Lun < 0 || d.Lun > 63 {
			add(fmt.Errorf("%s.lun: %d is out of range; use 0 to 63", field, d.Lun))
		}
		if first, dup := seen[d.Lun]; dup {
			add(fmt.Errorf("%s.lun: %d is already data_disk_file[%d]'s; give each data disk its own lun", field, d.Lun, first))
		}
		seen[d.Lun] = i
		if d.Path == "" {
			add(fmt.Errorf("%s.path is required: the local data disk image", field))
		} else if _, err := inspectFile(d.Path); err != nil {
			add(fmt.Errorf("%s.path: %w", field, err))
		}
	}
}

// dataDiskSnapshotsState encodes the data disk snapshots for the artifact: "lun=id" pairs joined by
// commas, a plain string that crosses msgpack unchanged.
func dataDiskSnapshotsState(m map[int32]string) string {
	var parts []string
	for lun := int32(0); lun <= 63; lun++ {
		if id, ok := m[lun]; ok {
			parts = append(parts, fmt.Sprintf("%d=%s", lun, id))
		}
	}
	return strings.Join(parts, ",")
}
