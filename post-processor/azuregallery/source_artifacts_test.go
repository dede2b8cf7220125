package azuregallery

import (
	"strings"
	"testing"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

// The azure-arm builder's Id() forms (hashicorp/packer-plugin-azure builder/azure/arm/artifact.go and
// builder.go): the managed image ID it formats, the kept OS disk's ID (keep_os_disk), the gallery
// version's ID (shared_image_gallery_destination alone) and the captured VHD's URL.
const (
	armSub        = "00000000-0000-0000-0000-000000000009"
	armImageID    = "/subscriptions/" + armSub + "/resourceGroups/images-rg/providers/Microsoft.Compute/images/ubuntu-2204"
	armOSDiskID   = "/subscriptions/" + armSub + "/resourceGroups/pkr-Resource-Group-k3x9/providers/Microsoft.Compute/disks/pkrosk3x9"
	armVersionID  = "/subscriptions/" + armSub + "/resourceGroups/sig-rg/providers/Microsoft.Compute/galleries/dev/images/ubuntu/versions/1.0.3"
	armVHDURI     = "https://packerbuild.blob.core.windows.net/system/Microsoft.Compute/Images/images/packer-osDisk.1f3c8d2e-5b2a-4c8e-9e43-0d3f6a1b2c4d.vhd"
	importSnapID  = "/subscriptions/" + armSub + "/resourceGroups/rg/providers/Microsoft.Compute/snapshots/imported"
	importDiskID  = "/subscriptions/" + armSub + "/resourceGroups/rg/providers/Microsoft.Compute/disks/imported"
	armGenerated  = "generated_data"
	armSigGallery = "arm.ManagedImageSharedGalleryName"
)

func TestAzureArmArtifactShapes(t *testing.T) {
	// Its State holds generated_data and, for a gallery destination, the arm.* names; they cross msgpack.
	state := map[string]interface{}{armGenerated: map[string]interface{}{"SourceImageName": "Canonical:ubuntu:22_04-lts"}, armSigGallery: "dev"}
	cases := []struct {
		id       string
		cfg      Config
		kind     gallery.SourceKind
		from     string
		errParts []string
	}{
		{id: armImageID, kind: gallery.SourceManagedImage, from: "azure-arm"},
		{id: armOSDiskID, kind: gallery.SourceDisk, from: "azure-arm (kept OS disk)"},
		{id: armVersionID, kind: gallery.SourceGalleryImageVersion, from: "azure-arm (gallery version)"},
		{id: armVHDURI, cfg: Config{SourceConfig: SourceConfig{SourceStorageAccountID: testAccountID, SourceLocation: "eastus"}}, kind: gallery.SourceVHD, from: "azure-arm"},
		{id: armVHDURI, errParts: []string{"VHD", "source_storage_account_id", "managed_image_name", "azure-gallery-import"}},
		{id: "UNKNOWN ID", errParts: []string{"azure-arm artifact's ID", "managed_image_name"}},
	}
	for _, tc := range cases {
		in := &fakeArtifact{builderID: azureArmBuilderID, id: tc.id, state: state, t: t}
		s, err := resolveSourceConfig(&tc.cfg, in)
		if len(tc.errParts) > 0 {
			for _, w := range tc.errParts {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("%s: error %v lacks %q", tc.id, err, w)
				}
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.id, err)
			continue
		}
		if s.ImageID != tc.id || s.Kind != tc.kind || s.From != tc.from {
			t.Errorf("%s: got %+v", tc.id, s)
		}
		if tc.kind == gallery.SourceVHD && (s.StorageAccountID != testAccountID || s.Location != "eastus") {
			t.Errorf("VHD: storage account %q location %q", s.StorageAccountID, s.Location)
		}
	}
}

// TestImporterArtifactShapes decodes the import builder's snapshot, disk and managed image artifacts
// with their state after msgpack.
func TestImporterArtifactShapes(t *testing.T) {
	hints := func(extra map[string]interface{}) map[string]interface{} {
		m := map[string]interface{}{"location": "East US", "os_type": "Linux", "hyper_v_generation": "V2", "architecture": "Arm64", "size_bytes": int64(21 << 20)}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	cases := []struct {
		id    string
		state map[string]interface{}
		want  source
	}{
		{importSnapID, hints(map[string]interface{}{"publish_source": "snapshot", "snapshot_id": importSnapID, "managed_image_id": "", "disk_id": ""}),
			source{ImageID: importSnapID, Kind: gallery.SourceSnapshot}},
		{importDiskID, hints(map[string]interface{}{"publish_source": "disk", "disk_id": importDiskID}),
			source{ImageID: importDiskID, Kind: gallery.SourceDisk}},
		{testImageID, hints(map[string]interface{}{"publish_source": "managed_image", "managed_image_id": testImageID}),
			source{ImageID: testImageID}},
	}
	for _, tc := range cases {
		s, err := resolveSourceConfig(&Config{}, &fakeArtifact{builderID: importerBuilderID, id: tc.id, state: tc.state, t: t})
		if err != nil {
			t.Fatalf("%s: %v", tc.id, err)
		}
		want := tc.want
		want.From, want.Location, want.OSType, want.HyperVGeneration, want.Architecture, want.SizeBytes = "azure-gallery-import", "eastus", "Linux", "V2", "Arm64", 21<<20
		if *s != want {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.id, *s, want)
		}
	}
	_, err := resolveSourceConfig(&Config{}, &fakeArtifact{builderID: importerBuilderID, id: importDiskID, state: map[string]interface{}{"publish_source": "snapshot"}, t: t})
	if err == nil || !strings.Contains(err.Error(), "not a snapshot") {
		t.Errorf("snapshot artifact whose ID is a disk: %v", err)
	}
}

// TestImporterArtifactDataDisks: the import builder's data disk snapshots reach the request next to the
// configuration's data_disk blocks.
func TestImporterArtifactDataDisks(t *testing.T) {
	lun0 := importSnapID + "-lun0"
	in := &fakeArtifact{builderID: importerBuilderID, id: importSnapID, t: t, state: map[string]interface{}{
		"publish_source": "snapshot", "snapshot_id": importSnapID, "location": "eastus", "data_disk_snapshots": "0=" + lun0,
	}}
	clearAzureEnv(t)
	m := baseConfig()
	m["data_disk"] = []map[string]interface{}{{"lun": 2, "source_disk_id": testDiskID}}
	var p PostProcessor
	if err := p.Configure(m); err != nil {
		t.Fatal(err)
	}
	s, err := resolveSourceConfig(&p.config, in)
	if err != nil {
		t.Fatal(err)
	}
	req := p.request(s)
	if len(req.DataDisks) != 2 || req.DataDisks[0].Lun != 2 || req.DataDisks[1] != (gallery.DataDiskSpec{Lun: 0, SourceID: lun0}) {
		t.Errorf("data disks %+v", req.DataDisks)
	}
	in.state["data_disk_snapshots"] = "zero=" + lun0
	if _, err := resolveSourceConfig(&Config{}, in); err == nil || !strings.Contains(err.Error(), "is not lun=snapshot-id") {
		t.Errorf("bad data disk state: %v", err)
	}
}
