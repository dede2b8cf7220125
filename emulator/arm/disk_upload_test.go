package arm

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/pageblob"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/azuritetest"
)

// TestDiskUploadFlow runs the direct-upload flow against a real Azurite: Upload disk, write SAS,
// pages written with azblob's pageblob client, endGetAccess, then a managed image from the disk.
func TestDiskUploadFlow(t *testing.T) {
	endpoint := azuritetest.Start(t)
	h := newHarness(t, Options{BlobEndpoint: endpoint})
	h.createRG("rg1", "eastus")
	const size = 20*mib + vhdFooter
	disk := computePath("rg1", "disks/up1")
	r := h.must(202, "PUT", withAPI(disk, apiDisk), map[string]any{"location": "eastus", "properties": map[string]any{
		"osType": "Linux", "hyperVGeneration": "V2",
		"creationData": map[string]any{"createOption": "Upload", "uploadSizeBytes": size}}})
	h.waitOp(r)
	if got := str(obj(h.must(200, "GET", withAPI(disk, apiDisk), nil).Body, "properties"), "diskState"); got != "ReadyToUpload" {
		t.Fatalf("diskState %q, want ReadyToUpload", got)
	}
	// An image from a disk that has no data yet is refused.
	img := computePath("rg1", "images/img1")
	imgBody := map[string]any{"location": "eastus", "properties": map[string]any{"hyperVGeneration": "V2", "storageProfile": map[string]any{
		"osDisk": map[string]any{"osType": "Linux", "osState": "Generalized", "managedDisk": map[string]any{"id": disk}}}}}
	if r := h.do("PUT", withAPI(img, apiImage), imgBody); r.Status != 409 {
		t.Fatalf("image from ReadyToUpload disk: %d %s", r.Status, r.Raw)
	}

	sasURL, pb, page := uploadDiskPages(t, h, disk, size)
	imageFromUploadedDisk(t, h, disk, img, imgBody)
	snapshotServesUpload(t, h, disk, page)
	importAndDeleteDisk(t, h, disk, sasURL, pb, size)
}

// uploadDiskPages grants write access to disk, checks the page blob's size and writes a 4 MiB page
// with the SAS; it returns the SAS URL, the page blob client and the page written.
func uploadDiskPages(t *testing.T, h *harness, disk string, size int64) (string, *pageblob.Client, []byte) {
	grant := h.must(202, "POST", withAPI(disk+"/beginGetAccess", apiDisk), map[string]any{"access": "Write", "durationInSeconds": 3600})
	h.waitOp(grant)
	final := h.must(200, "GET", grant.Header.Get("Location"), nil)
	sasURL := str(final.Body, "accessSAS")
	if sasURL == "" {
		t.Fatalf("no accessSAS in %s", final.Raw)
	}
	if got := str(obj(h.must(200, "GET", withAPI(disk, apiDisk), nil).Body, "properties"), "diskState"); got != "ActiveUpload" {
		t.Fatalf("diskState %q, want ActiveUpload", got)
	}
	pb, err := pageblob.NewClientWithNoCredential(sasURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	props, err := pb.GetProperties(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if *props.ContentLength != size {
		t.Fatalf("page blob is %d bytes, want exactly uploadSizeBytes %d", *props.ContentLength, size)
	}
	page := bytes.Repeat([]byte{0xAB}, 4*mib)
	if _, err := pb.UploadPages(context.Background(), streaming.NopCloser(bytes.NewReader(page)), blob.HTTPRange{Offset: 0, Count: int64(len(page))}, nil); err != nil {
		t.Fatalf("upload pages with the SAS: %v", err)
	}
	// Deleting a disk with an active SAS is refused.
	if r := h.do("DELETE", withAPI(disk, apiDisk), nil); r.Status != 409 {
		t.Fatalf("delete with active SAS: %d", r.Status)
	}
	return sasURL, pb, page
}

// imageFromUploadedDisk ends the disk's access, then creates the managed image from it and checks its size.
func imageFromUploadedDisk(t *testing.T, h *harness, disk, img string, imgBody map[string]any) {
	end := h.must(202, "POST", withAPI(disk+"/endGetAccess", apiDisk), nil)
	h.waitOp(end)
	if got := str(obj(h.must(200, "GET", withAPI(disk, apiDisk), nil).Body, "properties"), "diskState"); got != "Unattached" {
		t.Fatalf("diskState after upload %q, want Unattached", got)
	}
	r := h.must(201, "PUT", withAPI(img, apiImage), imgBody)
	h.waitOp(r)
	got := h.must(200, "GET", withAPI(img, apiImage), nil)
	od := obj(got.Body, "properties", "storageProfile", "osDisk")
	if n, _ := num(od, "diskSizeGB"); n != 1 {
		t.Fatalf("image diskSizeGB %v, want 1 (20 MiB rounds up)", od["diskSizeGB"])
	}
	if str(obj(got.Body, "properties"), "provisioningState") != "Succeeded" {
		t.Fatalf("image not Succeeded: %s", got.Raw)
	}
	// The image records the disk's data size (uploadSizeBytes minus the VHD footer).
	h.svc.mu.Lock()
	sizeBytes := h.svc.get(img).Meta.SizeBytes
	h.svc.mu.Unlock()
	if sizeBytes != 20*mib {
		t.Fatalf("image size %d, want %d", sizeBytes, 20*mib)
	}
}

// snapshotServesUpload copies the disk to a snapshot whose read SAS serves the uploaded bytes.
func snapshotServesUpload(t *testing.T, h *harness, disk string, page []byte) {
	// A snapshot copies the disk's data: its read SAS serves the uploaded bytes.
	snap := computePath("rg1", "snapshots/snap1")
	h.waitOp(h.must(202, "PUT", withAPI(snap, apiDisk), map[string]any{"location": "eastus", "properties": map[string]any{
		"creationData": map[string]any{"createOption": "Copy", "sourceResourceId": disk}}}))
	sg := h.must(202, "POST", withAPI(snap+"/beginGetAccess", apiDisk), map[string]any{"access": "Read", "durationInSeconds": 600})
	h.waitOp(sg)
	readSAS := str(h.must(200, "GET", sg.Header.Get("Location"), nil).Body, "accessSAS")
	rb, err := blob.NewClientWithNoCredential(readSAS, nil)
	if err != nil {
		t.Fatal(err)
	}
	dl, err := rb.DownloadStream(context.Background(), &blob.DownloadStreamOptions{Range: blob.HTTPRange{Offset: 0, Count: 16}})
	if err != nil {
		t.Fatalf("read the snapshot with its SAS: %v", err)
	}
	head, _ := io.ReadAll(dl.Body)
	dl.Body.Close()
	if !bytes.Equal(head, page[:16]) {
		t.Fatalf("snapshot data %x, want the uploaded %x", head, page[:16])
	}
}

// importAndDeleteDisk sizes an Import disk from the uploaded blob, then deletes the disk and its blob.
func importAndDeleteDisk(t *testing.T, h *harness, disk, sasURL string, pb *pageblob.Client, size int64) {
	// An Import disk from a blob on the Azurite endpoint is sized from the blob.
	imp := computePath("rg1", "disks/imported")
	r := h.must(202, "PUT", withAPI(imp, apiDisk), map[string]any{"location": "eastus", "properties": map[string]any{
		"creationData": map[string]any{"createOption": "Import", "sourceUri": strings.SplitN(sasURL, "?", 2)[0]}}})
	if n, _ := num(obj(r.Body, "properties"), "diskSizeBytes"); n != size-vhdFooter {
		t.Fatalf("imported disk size %d, want the blob's %d without the VHD footer", n, size-vhdFooter)
	}
	// Deleting the disk deletes its blob.
	h.waitOp(h.must(202, "DELETE", withAPI(disk, apiDisk), nil))
	if _, err := pb.GetProperties(context.Background(), nil); err == nil {
		t.Fatal("the disk's blob still exists after the disk was deleted")
	}
}
