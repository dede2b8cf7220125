package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/emulatortest"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/vhd"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/azuritetest"
)

// env is an emulator backed by a real Azurite, with a session and a resource group.
type env struct {
	srv     *emulator.Server
	ready   emulator.Ready
	session *azure.Session
	calls   atomic.Int32 // connector calls
}

func newEnv(t testing.TB) *env {
	t.Helper()
	blob := azuritetest.Start(t)
	srv, ready := emulatortest.Start(t, emulator.Options{BlobEndpoint: blob, Regions: []string{"eastus", "westus"}})
	hc, err := ready.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	s := azure.NewSessionWithCredential(ready.SubscriptionID, emulatortest.Credential(t, ready), emulatortest.Cloud(ready),
		azure.WithTransport(hc), azure.WithRetry(policy.RetryOptions{RetryDelay: 50 * time.Millisecond, MaxRetryDelay: time.Second}))
	rf, err := s.Resources("")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rf.NewResourceGroupsClient().CreateOrUpdate(context.Background(), "rg", armresources.ResourceGroup{Location: to.Ptr("eastus")}, nil); err != nil {
		t.Fatalf("creating the resource group: %v", err)
	}
	return &env{srv: srv, ready: ready, session: s}
}

func (e *env) builder(t testing.TB, extra map[string]any) *Builder {
	t.Helper()
	cfg := map[string]any{
		"client_id": e.ready.ClientID, "client_secret": e.ready.ClientSecret, "tenant_id": e.ready.TenantID,
		"subscription_id": e.ready.SubscriptionID, "resource_group": "rg", "location": "eastus",
		"image_name": "imported", "os_type": "Linux", "hyper_v_generation": "V2",
		"tags": map[string]string{"built-by": "test"},
		// The managed image path; publish_test.go covers snapshot and disk.
		"publish_source": "managed_image",
	}
	for k, v := range extra {
		cfg[k] = v
	}
	b := &Builder{connect: func(ctx context.Context, c *Config) (*clients, error) {
		e.calls.Add(1)
		return clientsFromSession(e.session, 20*time.Millisecond)
	}}
	if _, _, err := b.Prepare(cfg); err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	return b
}

// inventory returns the emulator's resources by lower-cased type.
func (e *env) inventory(t testing.TB) map[string][]map[string]any {
	t.Helper()
	raw, err := e.srv.ARM().Inventory()
	if err != nil {
		t.Fatal(err)
	}
	var list []map[string]any
	if err := json.Unmarshal(raw, &list); err != nil {
		t.Fatal(err)
	}
	out := map[string][]map[string]any{}
	for _, r := range list {
		typ, _ := r["type"].(string)
		out[strings.ToLower(typ)] = append(out[strings.ToLower(typ)], r)
	}
	return out
}

// sparseRaw writes a sparse raw image: size bytes with a few data blocks, one of them not page-aligned.
func sparseRaw(t testing.TB, size int64) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "disk.raw")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	for i, off := range []int64{0, 3*vhd.MiB + 100, 17 * vhd.MiB, size - 10} {
		blk := bytes.Repeat([]byte{byte(0x11 * (i + 1))}, int(min(2*vhd.MiB+7, size-off)))
		if _, err := f.WriteAt(blk, off); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// readDisk downloads a managed disk's bytes through a read SAS, as a user would export it.
func (e *env) readDisk(t *testing.T, name string) []byte {
	t.Helper()
	ctx := context.Background()
	f, _ := e.session.Compute("")
	disks := f.NewDisksClient()
	p, err := disks.BeginGrantAccess(ctx, "rg", name, armcompute.GrantAccessData{Access: to.Ptr(armcompute.AccessLevelRead), DurationInSeconds: to.Ptr[int32](600)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.PollUntilDone(ctx, &runtimePoll)
	if err != nil {
		t.Fatal(err)
	}
	c, err := vhd.NewPageBlobClient(*res.AccessSAS, nil)
	if err != nil {
		t.Fatal(err)
	}
	dl, err := c.DownloadStream(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer dl.Body.Close()
	b, err := io.ReadAll(dl.Body)
	if err != nil {
		t.Fatal(err)
	}
	rp, err := disks.BeginRevokeAccess(ctx, "rg", name, nil)
	if err == nil {
		_, err = rp.PollUntilDone(ctx, &runtimePoll)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestImportSparseRawFile(t *testing.T) {
	e := newEnv(t)
	const size = 40*vhd.MiB + 1000
	src := sparseRaw(t, size)
	b := e.builder(t, map[string]any{"source_file": src, "keep_temporary_disk": true, "temp_disk_name": "upload-disk", "upload_concurrency": 4})
	ui := &packersdk.MockUi{}
	art, err := b.Run(context.Background(), ui, &packersdk.MockHook{})
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, ui.SayMessages)
	}
	a := art.(*Artifact)
	wantID := "/subscriptions/" + e.ready.SubscriptionID + "/resourceGroups/rg/providers/Microsoft.Compute/images/imported"
	if !strings.EqualFold(a.Id(), wantID) || a.BuilderId() != BuilderID {
		t.Errorf("artifact id %q builder %q", a.Id(), a.BuilderId())
	}
	for k, want := range map[string]any{"location": "eastus", "os_type": "Linux", "hyper_v_generation": "V2", "architecture": "x64", "size_bytes": int64(41 * vhd.MiB)} {
		if got := a.State(k); got != want {
			t.Errorf("State(%q) = %v, want %v", k, got, want)
		}
	}
	if a.State("par.artifact.metadata") == nil {
		t.Error("no HCP Packer metadata")
	}

	inv := e.inventory(t)
	imgs := inv["microsoft.compute/images"]
	if len(imgs) != 1 {
		t.Fatalf("images in the emulator: %v", imgs)
	}
	props, _ := imgs[0]["properties"].(map[string]any)
	osDisk, _ := props["storageProfile"].(map[string]any)["osDisk"].(map[string]any)
	if props["hyperVGeneration"] != "V2" || osDisk["osState"] != "Generalized" || osDisk["osType"] != "Linux" {
		t.Errorf("image properties: %v", props)
	}
	if md, _ := osDisk["managedDisk"].(map[string]any); md == nil || !strings.HasSuffix(strings.ToLower(md["id"].(string)), "/disks/upload-disk") {
		t.Errorf("image source: %v", osDisk)
	}
	if tags, _ := imgs[0]["tags"].(map[string]any); tags["built-by"] != "test" {
		t.Errorf("image tags: %v", imgs[0]["tags"])
	}

	// The disk holds the raw bytes, zero padding to 41 MiB and a valid fixed-VHD footer.
	got := e.readDisk(t, "upload-disk")
	raw, _ := os.ReadFile(src)
	if int64(len(got)) != 41*vhd.MiB+512 {
		t.Fatalf("disk holds %d bytes, want %d", len(got), 41*vhd.MiB+512)
	}
	if !bytes.Equal(got[:size], raw) || !bytes.Equal(got[size:41*vhd.MiB], make([]byte, 41*vhd.MiB-size)) {
		t.Fatal("the disk's data differs from the source file")
	}
	ft, err := vhd.ParseFooter(got[41*vhd.MiB:])
	if err != nil || ft.CurrentSize != 41*vhd.MiB || ft.DiskType != vhd.DiskTypeFixed {
		t.Fatalf("footer %+v: %v", ft, err)
	}
}

func TestImportFixedVHDDeletesTemporaryDisk(t *testing.T) {
	e := newEnv(t)
	data := bytes.Repeat([]byte("fixed-vhd "), 21*vhd.MiB/10)
	data = append(data, make([]byte, 21*vhd.MiB-len(data))...)
	ft, _ := vhd.NewFixedFooter(21*vhd.MiB, time.Now(), [16]byte{1}).MarshalBinary()
	src := filepath.Join(t.TempDir(), "disk.vhd")
	if err := os.WriteFile(src, append(data, ft...), 0o644); err != nil {
		t.Fatal(err)
	}
	b := e.builder(t, map[string]any{"source_file": src, "os_type": "Windows", "hyper_v_generation": ""})
	art, err := b.Run(context.Background(), &packersdk.MockUi{}, &packersdk.MockHook{})
	if err != nil {
		t.Fatal(err)
	}
	inv := e.inventory(t)
	if len(inv["microsoft.compute/disks"]) != 0 {
		t.Errorf("temporary disk left behind: %v", inv["microsoft.compute/disks"])
	}
	if len(inv["microsoft.compute/images"]) != 1 || art.State("os_type") != "Windows" || art.State("hyper_v_generation") != "V1" {
		t.Errorf("images %v, artifact %v", inv["microsoft.compute/images"], art)
	}
	// Destroy deletes the image (what Packer does when a post-processor does not keep the input).
	if err := art.Destroy(); err != nil {
		t.Fatal(err)
	}
	if imgs := e.inventory(t)["microsoft.compute/images"]; len(imgs) != 0 {
		t.Errorf("image still there after Destroy: %v", imgs)
	}
}

// cancellingUi cancels the build as soon as the upload's progress bar moves, like Ctrl-C mid-upload.
type cancellingUi struct {
	packersdk.MockUi
	cancel context.CancelFunc
}

func (u *cancellingUi) TrackProgress(_ string, _, _ int64, s io.ReadCloser) io.ReadCloser {
	return &cancelOnRead{ReadCloser: s, cancel: u.cancel}
}

type cancelOnRead struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnRead) Read(p []byte) (int, error) { c.cancel(); return c.ReadCloser.Read(p) }

func TestImportInterruptedLeavesNothing(t *testing.T) {
	e := newEnv(t)
	src := filepath.Join(t.TempDir(), "dense.raw")
	if err := os.WriteFile(src, bytes.Repeat([]byte{0xee}, 64*vhd.MiB), 0o644); err != nil {
		t.Fatal(err)
	}
	b := e.builder(t, map[string]any{"source_file": src, "upload_concurrency": 1})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ui := &cancellingUi{cancel: cancel}
	start := time.Now()
	art, err := b.Run(ctx, ui, &packersdk.MockHook{})
	if err == nil || art != nil {
		t.Fatalf("interrupted build returned %v, %v", art, err)
	}
	inv := e.inventory(t)
	if len(inv["microsoft.compute/disks"]) != 0 || len(inv["microsoft.compute/images"]) != 0 {
		t.Fatalf("left behind after Ctrl-C: disks %v images %v", inv["microsoft.compute/disks"], inv["microsoft.compute/images"])
	}
	t.Logf("interrupted build ended in %v", time.Since(start))
}

func TestImportRefusesExistingImage(t *testing.T) {
	e := newEnv(t)
	b := e.builder(t, map[string]any{"source_file": sparseRaw(t, 21*vhd.MiB)})
	if _, err := b.Run(context.Background(), &packersdk.MockUi{}, &packersdk.MockHook{}); err != nil {
		t.Fatal(err)
	}
	before := e.inventory(t)
	b2 := e.builder(t, map[string]any{"source_file": sparseRaw(t, 22*vhd.MiB)})
	_, err := b2.Run(context.Background(), &packersdk.MockUi{}, &packersdk.MockHook{})
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second build: %v", err)
	}
	after := e.inventory(t)
	bj, _ := json.Marshal(before)
	aj, _ := json.Marshal(after)
	if !bytes.Equal(bj, aj) {
		t.Error("a refused build changed the inventory")
	}
}

func TestImportTruncatedVHDRefusedBeforeAnyCall(t *testing.T) {
	e := &env{} // no emulator: any Azure call would fail loudly
	ft, _ := vhd.NewFixedFooter(21*vhd.MiB, time.Now(), [16]byte{1}).MarshalBinary()
	src := filepath.Join(t.TempDir(), "disk.vhd")
	if err := os.WriteFile(src, append(make([]byte, 21*vhd.MiB), ft...), 0o644); err != nil {
		t.Fatal(err)
	}
	e.ready = emulator.Ready{ClientID: "c", ClientSecret: "s", TenantID: "t", SubscriptionID: "00000000-0000-0000-0000-000000000001"}
	b := e.builder(t, map[string]any{"source_file": src})
	// The file is cut short between validate and build.
	if err := os.Truncate(src, 21*vhd.MiB+200); err != nil {
		t.Fatal(err)
	}
	_, err := b.Run(context.Background(), &packersdk.MockUi{}, &packersdk.MockHook{})
	var ce *vhd.CorruptError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a CorruptError", err)
	}
	if n := e.calls.Load(); n != 0 {
		t.Fatalf("connected to Azure %d times before refusing the file", n)
	}
}

// With -on-error=abort Packer asks for no cleanup: the half-uploaded disk stays for inspection.
func TestImportOnErrorAbortKeepsDisk(t *testing.T) {
	e := newEnv(t)
	src := filepath.Join(t.TempDir(), "dense.raw")
	if err := os.WriteFile(src, bytes.Repeat([]byte{0xee}, 32*vhd.MiB), 0o644); err != nil {
		t.Fatal(err)
	}
	b := e.builder(t, map[string]any{"source_file": src, "upload_concurrency": 1, "temp_disk_name": "kept", "packer_on_error": "abort"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := b.Run(ctx, &cancellingUi{cancel: cancel}, &packersdk.MockHook{}); err == nil {
		t.Fatal("interrupted build succeeded")
	}
	disks := e.inventory(t)["microsoft.compute/disks"]
	if len(disks) != 1 || disks[0]["name"] != "kept" {
		t.Fatalf("disks after an aborted build: %v", disks)
	}
}
