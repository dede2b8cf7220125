package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/vhd"
)

const (
	testSub = "00000000-0000-0000-0000-000000000001"
	snapID  = "/subscriptions/" + testSub + "/resourceGroups/rg/providers/Microsoft.Compute/snapshots/snap"
	diskID  = "/subscriptions/" + testSub + "/resourceGroups/rg/providers/Microsoft.Compute/disks/d1"
	acctID  = "/subscriptions/" + testSub + "/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct"
	blobURI = "https://acct.blob.core.windows.net/vhds/os.vhd"
)

func baseConfig(extra map[string]any) map[string]any {
	m := map[string]any{
		"client_id": "c", "client_secret": "s", "tenant_id": "t", "subscription_id": testSub,
		"resource_group": "rg", "location": "eastus", "image_name": "img", "os_type": "linux",
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

func writeFile(t *testing.T, name string, data []byte, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPrepareAccepts(t *testing.T) {
	raw := writeFile(t, "disk.raw", []byte("raw\x00bytes\x00"), 0o644)
	var b Builder
	names, warns, err := b.Prepare(baseConfig(map[string]any{"source_file": raw, "tags": map[string]string{"a": "b"}}))
	if err != nil {
		t.Fatal(err)
	}
	c := b.config
	if len(names) == 0 || len(warns) != 0 {
		t.Errorf("generated names %v warnings %v", names, warns)
	}
	if c.OSType != "Linux" || c.HyperVGeneration != "V1" || c.Architecture != "x64" || c.UploadConcurrency != vhd.DefaultConcurrency {
		t.Errorf("defaults/canonical values: %+v", c)
	}
	if !strings.HasPrefix(c.TempDiskName, "pkr-import-") || c.kind() != sourceFile {
		t.Errorf("temp disk %q kind %v", c.TempDiskName, c.kind())
	}
	for _, extra := range []map[string]any{
		{"source_snapshot_id": snapID, "hyper_v_generation": "v2", "architecture": "arm64"},
		{"source_disk_id": diskID},
		{"source_vhd_uri": blobURI, "source_storage_account_id": acctID},
	} {
		var b Builder
		if _, _, err := b.Prepare(baseConfig(extra)); err != nil {
			t.Errorf("%v: %v", extra, err)
		}
	}
}

func TestPrepareReportsEveryError(t *testing.T) {
	dir := t.TempDir()
	unreadable := writeFile(t, "secret.raw", []byte("x"), 0o000)
	qcow := writeFile(t, "disk.qcow2", append([]byte("QFI\xfb"), make([]byte, 600)...), 0o644)
	ft, _ := vhd.NewFixedFooter(30*vhd.MiB, time.Unix(0, 0), [16]byte{}).MarshalBinary()
	truncated := writeFile(t, "cut.vhd", append(make([]byte, 30*vhd.MiB-4096), ft...)[:30*vhd.MiB-4096+100], 0o644)
	small := writeFile(t, "small.vhd", append(make([]byte, vhd.MiB), mustFooter(vhd.MiB)...), 0o644)
	cases := []struct {
		name  string
		extra map[string]any
		want  []string
	}{
		{"no source", map[string]any{}, []string{"source_file, source_vhd_uri, source_snapshot_id and source_disk_id are all unset"}},
		{"two sources", map[string]any{"source_disk_id": diskID, "source_snapshot_id": snapID}, []string{"conflicting sources source_disk_id, source_snapshot_id"}},
		{"missing file", map[string]any{"source_file": filepath.Join(dir, "nope.raw")}, []string{"nope.raw does not exist"}},
		{"directory", map[string]any{"source_file": dir}, []string{"not a regular file"}},
		{"qcow2", map[string]any{"source_file": qcow}, []string{"qemu-img convert -f qcow2 -O vpc -o subformat=fixed,force_size"}},
		{"truncated vhd", map[string]any{"source_file": truncated}, []string{"cut.vhd", "cut short"}},
		{"small fixed vhd", map[string]any{"source_file": small}, []string{"at least 20 MiB"}},
		{"disk id in snapshot field", map[string]any{"source_snapshot_id": diskID}, []string{"source_snapshot_id", "is a Microsoft.Compute/disks"}},
		{"garbage id", map[string]any{"source_disk_id": "not-an-id"}, []string{"source_disk_id: \"not-an-id\" is not an Azure resource ID"}},
		{"blob without account", map[string]any{"source_vhd_uri": blobURI}, []string{"needs source_storage_account_id"}},
		{"account without blob", map[string]any{"source_disk_id": diskID, "source_storage_account_id": acctID}, []string{"only used with source_vhd_uri"}},
		{"bad target", map[string]any{"source_disk_id": diskID, "os_type": "", "image_name": "bad name!", "hyper_v_generation": "V3", "architecture": "sparc", "location": "", "resource_group": ""},
			[]string{"os_type", "image_name", "hyper_v_generation", "architecture", "location is required", "resource_group is required"}},
		{"arm64 gen1", map[string]any{"source_disk_id": diskID, "architecture": "Arm64", "hyper_v_generation": "V1"}, []string{"Arm64 needs hyper_v_generation"}},
		{"concurrency", map[string]any{"source_disk_id": diskID, "upload_concurrency": 500}, []string{"upload_concurrency"}},
	}
	if os.Geteuid() != 0 { // root reads anything
		cases = append(cases, struct {
			name  string
			extra map[string]any
			want  []string
		}{"unreadable", map[string]any{"source_file": unreadable}, []string{"not readable", "permissions"}})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b Builder
			_, _, err := b.Prepare(baseConfig(c.extra))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %q:\n%v", w, err)
				}
			}
		})
	}
}

func mustFooter(size int64) []byte {
	b, _ := vhd.NewFixedFooter(size, time.Unix(0, 0), [16]byte{}).MarshalBinary()
	return b
}
