package azuregallery

import (
	"strings"
	"testing"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

const (
	testSnapshotID = "/subscriptions/00000000-0000-0000-0000-000000000009/resourceGroups/build-rg/providers/Microsoft.Compute/snapshots/os"
	testDiskID     = "/subscriptions/00000000-0000-0000-0000-000000000009/resourceGroups/build-rg/providers/Microsoft.Compute/disks/os"
	testVHDURI     = "https://acct.blob.core.windows.net/vhds/os.vhd"
	testAccountID  = "/subscriptions/00000000-0000-0000-0000-000000000009/resourceGroups/build-rg/providers/Microsoft.Storage/storageAccounts/acct"
	testDESID      = "/subscriptions/00000000-0000-0000-0000-000000000009/resourceGroups/build-rg/providers/Microsoft.Compute/diskEncryptionSets/des"
)

// TestConfigureSourcesAndSecurity checks that `packer validate` refuses every combination Azure refuses,
// naming the field and Azure's rule, and accepts the ones it allows.
// sourceSecurityCases each edit baseConfig; want lists substrings of the error (none = valid).
var sourceSecurityCases = []struct {
	name string
	edit func(map[string]interface{})
	want []string
}{
	{"snapshot", func(m map[string]interface{}) { m["source_snapshot_id"] = testSnapshotID }, nil},
	{"disk, Arm64, V2", func(m map[string]interface{}) {
		m["source_disk_id"], m["architecture"], m["hyper_v_generation"] = testDiskID, "arm64", "V2"
	}, nil},
	{"VHD with its account", func(m map[string]interface{}) {
		m["source_vhd_uri"], m["source_storage_account_id"], m["os_type"] = testVHDURI, testAccountID, "Linux"
	}, nil},
	{"VHD without storage account or OS type", func(m map[string]interface{}) { m["source_vhd_uri"] = testVHDURI },
		[]string{"source_vhd_uri needs source_storage_account_id", "source_vhd_uri needs os_type"}},
	{"storage account without VHD", func(m map[string]interface{}) {
		m["source_storage_account_id"], m["source_disk_id"] = testAccountID, testDiskID
	},
		[]string{"source_storage_account_id is set without source_vhd_uri"}},
	{"storage account of the wrong type", func(m map[string]interface{}) {
		m["source_vhd_uri"], m["source_storage_account_id"] = testVHDURI, testDiskID
	}, []string{"source_storage_account_id", "not a Microsoft.Storage/storageAccounts"}},
	{"two sources", func(m map[string]interface{}) {
		m["source_snapshot_id"], m["source_image_id"] = testSnapshotID, testImageID
	}, []string{"source_image_id, source_snapshot_id are all set: publish exactly one source per run"}},
	{"snapshot ID is a disk", func(m map[string]interface{}) { m["source_snapshot_id"] = testDiskID },
		[]string{"source_snapshot_id", "not a snapshot"}},
	{"Arm64 from a managed image", func(m map[string]interface{}) {
		m["source_image_id"], m["architecture"], m["hyper_v_generation"] = testImageID, "Arm64", "V2"
	}, []string{"architecture: an Arm64 image cannot come from a managed image", "CPU Architecture 'Arm64' is not supported"}},
	{"ConfidentialVM from a managed image", func(m map[string]interface{}) {
		m["source_image_id"], m["security_type"] = testImageID, "ConfidentialVM"
	}, []string{"security_type: a ConfidentialVM definition cannot take a managed image", "Currently Snapshot, Disk and VM sources are supported for the Confidential VM security type"}},
	{"ConfidentialVM from a VHD", func(m map[string]interface{}) {
		m["source_vhd_uri"], m["source_storage_account_id"], m["security_type"] = testVHDURI, testAccountID, "ConfidentialVM"
	}, []string{"security_type: a ConfidentialVM definition cannot take a VHD blob"}},
	{"Arm64 gen1", func(m map[string]interface{}) {
		m["source_snapshot_id"], m["architecture"], m["hyper_v_generation"] = testSnapshotID, "Arm64", "V1"
	}, []string{"hyper_v_generation: Arm64 VMs boot generation 2 images only"}},
	{"ConfidentialVM regions", func(m map[string]interface{}) {
		m["source_snapshot_id"], m["security_type"] = testSnapshotID, "ConfidentialVMSupported"
		m["target_region"] = []map[string]interface{}{
			{"name": "westeurope", "confidential_vm_encryption_type": "nonpersistedtpm"},
			{"name": "northeurope", "confidential_vm_encryption_type": "EncryptedWithCmk", "secure_vm_disk_encryption_set_id": testDESID},
		}
	}, nil},
	{"CMK without its set, set without CMK, bad type", func(m map[string]interface{}) {
		m["source_snapshot_id"], m["security_type"] = testSnapshotID, "ConfidentialVM"
		m["target_region"] = []map[string]interface{}{
			{"name": "westeurope", "confidential_vm_encryption_type": "EncryptedWithCmk"},
			{"name": "northeurope", "confidential_vm_encryption_type": "EncryptedWithPmk", "secure_vm_disk_encryption_set_id": testDESID},
			{"name": "eastus", "confidential_vm_encryption_type": "Rot13"},
		}
	}, []string{"target_region[0].confidential_vm_encryption_type = \"EncryptedWithCmk\" needs target_region[0].secure_vm_disk_encryption_set_id",
		"target_region[1].secure_vm_disk_encryption_set_id is set, but confidential_vm_encryption_type is \"EncryptedWithPmk\"",
		"target_region[2].confidential_vm_encryption_type \"Rot13\" is not valid"}},
	{"Confidential encryption on a Trusted Launch definition", func(m map[string]interface{}) {
		m["source_snapshot_id"], m["security_type"] = testSnapshotID, "TrustedLaunch"
		m["target_region"] = []map[string]interface{}{{"name": "westeurope", "confidential_vm_encryption_type": "NonPersistedTPM"}}
	}, []string{"target_region[0].confidential_vm_encryption_type needs a Confidential VM definition"}},
}

func TestConfigureSourcesAndSecurity(t *testing.T) {
	for _, tc := range sourceSecurityCases {
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

// TestConfiguredSourceWins checks the snapshot, disk and VHD sources reach the core's request.
func TestConfiguredSourceWins(t *testing.T) {
	clearAzureEnv(t)
	m := baseConfig()
	m["source_vhd_uri"], m["source_storage_account_id"], m["source_location"], m["os_type"] = testVHDURI, testAccountID, "West Europe", "Linux"
	m["target_region"] = []map[string]interface{}{{"name": "westeurope"}}
	var p PostProcessor
	if err := p.Configure(m); err != nil {
		t.Fatal(err)
	}
	in := &fakeArtifact{builderID: "some.other.builder", id: "x", t: t}
	src, err := resolveSourceConfig(&p.config, in)
	if err != nil {
		t.Fatal(err)
	}
	req := p.request(src)
	if req.SourceID != testVHDURI || req.SourceStorageAccountID != testAccountID || req.SourceLocation != "westeurope" || src.Kind != gallery.SourceVHD {
		t.Errorf("request source %q %q %q (kind %s)", req.SourceID, req.SourceStorageAccountID, req.SourceLocation, src.Kind)
	}
}
