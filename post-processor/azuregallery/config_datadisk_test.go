package azuregallery

import (
	"strings"
	"testing"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

func TestConfigureDataDisks(t *testing.T) {
	cases := []struct {
		name string
		edit func(map[string]interface{})
		want []string
	}{
		{"LUN 0 snapshot and LUN 1 VHD", func(m map[string]interface{}) {
			m["source_snapshot_id"] = testSnapshotID
			m["data_disk"] = []map[string]interface{}{
				{"lun": 0, "source_snapshot_id": testSnapshotID, "host_caching": "readonly"},
				{"lun": 1, "source_vhd_uri": testVHDURI, "source_storage_account_id": testAccountID},
			}
			m["target_region"] = []map[string]interface{}{{"name": "westeurope", "disk_encryption_set_id": testDESID,
				"data_disk_encryption": []map[string]interface{}{{"lun": 1, "disk_encryption_set_id": testDESID}}}}
		}, nil},
		{"data disks with a managed image", func(m map[string]interface{}) {
			m["source_image_id"] = testImageID
			m["data_disk"] = []map[string]interface{}{{"lun": 0, "source_disk_id": testDiskID}}
		}, []string{"data_disk needs a snapshot, disk or VHD OS source"}},
		{"duplicate LUN, two sources, VHD without account, bad caching, LUN out of range, unknown LUN encrypted", func(m map[string]interface{}) {
			m["source_disk_id"] = testDiskID
			m["data_disk"] = []map[string]interface{}{
				{"lun": 0, "source_snapshot_id": testSnapshotID, "source_disk_id": testDiskID},
				{"lun": 0, "source_vhd_uri": testVHDURI, "host_caching": "Sometimes"},
				{"lun": 64, "source_disk_id": testDiskID},
			}
			m["target_region"] = []map[string]interface{}{{"name": "westeurope",
				"data_disk_encryption": []map[string]interface{}{{"lun": 7, "disk_encryption_set_id": testDESID}}}}
		}, []string{
			"data_disk[0] needs exactly one of source_snapshot_id, source_disk_id or source_vhd_uri (2 set)",
			"data_disk[1].lun 0 is already data_disk[0]'s",
			"data_disk[1].source_vhd_uri needs data_disk[1].source_storage_account_id",
			"data_disk[1].host_caching \"Sometimes\" is not valid",
			"data_disk[2].lun 64 is out of range: use 0 to 63",
			"target_region[0].data_disk_encryption[0].lun 7 is not a data_disk's lun",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clearAzureEnv(t)
			m := baseConfig()
			tc.edit(m)
			var p PostProcessor
			err := p.Configure(m)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				src, err := resolveSourceConfig(&p.config, nil)
				if err != nil {
					t.Fatal(err)
				}
				req := p.request(src)
				want := []gallery.DataDiskSpec{{Lun: 0, SourceID: testSnapshotID, HostCaching: "ReadOnly"}, {Lun: 1, SourceID: testVHDURI, StorageAccountID: testAccountID}}
				if len(req.DataDisks) != 2 || req.DataDisks[0] != want[0] || req.DataDisks[1] != want[1] {
					t.Errorf("data disks %+v", req.DataDisks)
				}
				if req.TargetRegions[0].DataDiskEncryptionSets[1] != testDESID {
					t.Errorf("region overrides %+v", req.TargetRegions[0].DataDiskEncryptionSets)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted; want %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
