package importer

import (
	"context"
	"strings"
	"testing"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/vhd"
)

// TestImportArm64PublishesSnapshot imports a raw Arm64 disk with the default publish_source: the build
// leaves an Arm64 snapshot named image_name, deletes its temporary disk, and creates no managed image.
func TestImportArm64PublishesSnapshot(t *testing.T) {
	e := newEnv(t)
	src := sparseRaw(t, 21*vhd.MiB)
	b := e.builder(t, map[string]any{"source_file": src, "architecture": "Arm64", "publish_source": ""})
	if b.config.PublishSource != publishSnapshot {
		t.Fatalf("publish_source defaults to %q for Arm64; want snapshot", b.config.PublishSource)
	}
	ui := &packersdk.MockUi{}
	art, err := b.Run(context.Background(), ui, &packersdk.MockHook{})
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, ui.SayMessages)
	}
	want := "/subscriptions/" + e.ready.SubscriptionID + "/resourceGroups/rg/providers/Microsoft.Compute/snapshots/imported"
	if !strings.EqualFold(art.Id(), want) || art.State("publish_source") != "snapshot" || !strings.EqualFold(art.State("snapshot_id").(string), want) {
		t.Errorf("artifact %q, publish_source %v, snapshot_id %v", art.Id(), art.State("publish_source"), art.State("snapshot_id"))
	}
	if art.State("architecture") != "Arm64" || art.State("managed_image_id") != "" {
		t.Errorf("artifact state: architecture %v, managed_image_id %v", art.State("architecture"), art.State("managed_image_id"))
	}
	inv := e.inventory(t)
	if n := len(inv["microsoft.compute/images"]); n != 0 {
		t.Errorf("%d managed images; want none", n)
	}
	if n := len(inv["microsoft.compute/disks"]); n != 0 {
		t.Errorf("temporary disk left: %v", inv["microsoft.compute/disks"])
	}
	snaps := inv["microsoft.compute/snapshots"]
	if len(snaps) != 1 {
		t.Fatalf("snapshots %v", snaps)
	}
	props, _ := snaps[0]["properties"].(map[string]any)
	caps, _ := props["supportedCapabilities"].(map[string]any)
	if caps["architecture"] != "Arm64" || props["hyperVGeneration"] != "V2" || props["osType"] != "Linux" {
		t.Errorf("snapshot properties %v", props)
	}

	// A second run refuses the taken snapshot name before uploading anything.
	b2 := e.builder(t, map[string]any{"source_file": src, "architecture": "Arm64", "publish_source": "snapshot"})
	if _, err := b2.Run(context.Background(), &packersdk.MockUi{}, &packersdk.MockHook{}); err == nil || !strings.Contains(err.Error(), "a snapshot named \"imported\" already exists") {
		t.Errorf("second run: %v", err)
	}
	if n := len(e.inventory(t)["microsoft.compute/disks"]); n != 0 {
		t.Errorf("the refused run created %d disks", n)
	}
}

func TestPublishSourceConfig(t *testing.T) {
	const diskID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/d"
	const snapID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/snapshots/s"
	cases := []struct {
		extra map[string]any
		want  string // publish_source, or a substring of the error
		err   bool
	}{
		{map[string]any{"source_disk_id": diskID, "hyper_v_generation": "V1"}, "managed_image", false},
		{map[string]any{"source_disk_id": diskID, "hyper_v_generation": "V2"}, "snapshot", false},
		{map[string]any{"source_disk_id": diskID, "publish_source": "Disk"}, "disk", false},
		{map[string]any{"source_disk_id": diskID, "architecture": "Arm64", "hyper_v_generation": "V2", "publish_source": "managed_image"}, "managed images are x64 only", true},
		{map[string]any{"source_snapshot_id": snapID, "publish_source": "disk"}, "publish_source = \"disk\" with source_snapshot_id", true},
		{map[string]any{"source_disk_id": diskID, "publish_source": "vhd"}, "publish_source: \"vhd\" is invalid", true},
	}
	for _, tc := range cases {
		cfg := map[string]any{"subscription_id": "00000000-0000-0000-0000-000000000001", "client_id": "c", "client_secret": "s", "tenant_id": "t",
			"resource_group": "rg", "location": "eastus", "image_name": "img", "os_type": "Linux"}
		for k, v := range tc.extra {
			cfg[k] = v
		}
		var b Builder
		_, _, err := b.Prepare(cfg)
		switch {
		case tc.err && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%v: error %v; want %q", tc.extra, err, tc.want)
		case !tc.err && err != nil:
			t.Errorf("%v: %v", tc.extra, err)
		case !tc.err && b.config.PublishSource != tc.want:
			t.Errorf("%v: publish_source %q; want %q", tc.extra, b.config.PublishSource, tc.want)
		}
	}
}

// TestImportDataDiskFiles uploads an OS disk and data disks at LUN 0 and 1, each left as a snapshot; the
// artifact lists the data disk snapshots by LUN and no temporary disk is left.
func TestImportDataDiskFiles(t *testing.T) {
	e := newEnv(t)
	b := e.builder(t, map[string]any{"source_file": sparseRaw(t, 21*vhd.MiB), "publish_source": "snapshot",
		"data_disk_file": []map[string]any{{"lun": 1, "path": sparseRaw(t, 22*vhd.MiB)}, {"lun": 0, "path": sparseRaw(t, 23*vhd.MiB)}}})
	ui := &packersdk.MockUi{}
	art, err := b.Run(context.Background(), ui, &packersdk.MockHook{})
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, ui.SayMessages)
	}
	base := "/subscriptions/" + e.ready.SubscriptionID + "/resourceGroups/rg/providers/Microsoft.Compute/snapshots/imported"
	want := "0=" + base + "-lun0,1=" + base + "-lun1"
	if got, _ := art.State("data_disk_snapshots").(string); !strings.EqualFold(got, want) {
		t.Errorf("data_disk_snapshots %q; want %q", got, want)
	}
	inv := e.inventory(t)
	if n := len(inv["microsoft.compute/snapshots"]); n != 3 {
		t.Errorf("%d snapshots; want the OS disk's and two data disks'", n)
	}
	if n := len(inv["microsoft.compute/disks"]); n != 0 {
		t.Errorf("temporary disks left: %v", inv["microsoft.compute/disks"])
	}
	for _, s := range inv["microsoft.compute/snapshots"] {
		props, _ := s["properties"].(map[string]any)
		if name, _ := s["name"].(string); name == "imported-lun0" && props["diskSizeBytes"] != float64(23*vhd.MiB) {
			t.Errorf("LUN 0 snapshot size %v; want %d", props["diskSizeBytes"], 23*vhd.MiB)
		}
	}
	bad := &Builder{}
	if _, _, err := bad.Prepare(map[string]any{"subscription_id": "s", "client_id": "c", "client_secret": "s", "tenant_id": "t", "resource_group": "rg",
		"location": "eastus", "image_name": "img", "os_type": "Linux", "source_file": sparseRaw(t, 21*vhd.MiB), "publish_source": "managed_image",
		"data_disk_file": []map[string]any{{"lun": 0, "path": "/nonexistent"}, {"lun": 0, "path": ""}}}); err == nil ||
		!strings.Contains(err.Error(), "data_disk_file needs publish_source = \"snapshot\"") || !strings.Contains(err.Error(), "data_disk_file[1].lun: 0 is already") {
		t.Errorf("bad data_disk_file: %v", err)
	}
}
