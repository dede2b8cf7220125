package upload

import (
	"context"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/pageblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/service"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/azuritetest"
)

// Azurite's documented development account; it exists only inside the emulator.
const (
	devAccount = azuritetest.Account
	devKey     = azuritetest.AccountKey
)

// blobSAS is a create/write SAS URL for a blob that does not exist yet, for tools that create it.
func blobSAS(tb testing.TB, endpoint, name string) string {
	tb.Helper()
	cred, err := service.NewSharedKeyCredential(devAccount, devKey)
	if err != nil {
		tb.Fatal(err)
	}
	cc, err := container.NewClientWithSharedKeyCredential(endpoint+"/bench", cred, nil)
	if err != nil {
		tb.Fatal(err)
	}
	_, _ = cc.Create(context.Background(), nil)
	pb, err := pageblob.NewClientWithSharedKeyCredential(endpoint+"/bench/"+name, cred, nil)
	if err != nil {
		tb.Fatal(err)
	}
	u, err := pb.BlobClient().GetSASURL(sas.BlobPermissions{Read: true, Write: true, Create: true}, time.Now().Add(2*time.Hour), nil)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// newPageBlob creates an empty page blob of size bytes and returns a write SAS URL for it, like the one
// beginGetAccess hands out.
func newPageBlob(tb testing.TB, endpoint, name string, size int64) string {
	tb.Helper()
	ctx := context.Background()
	cred, err := service.NewSharedKeyCredential(devAccount, devKey)
	if err != nil {
		tb.Fatal(err)
	}
	cc, err := container.NewClientWithSharedKeyCredential(endpoint+"/bench", cred, nil)
	if err != nil {
		tb.Fatal(err)
	}
	_, _ = cc.Create(ctx, nil)
	pb, err := pageblob.NewClientWithSharedKeyCredential(endpoint+"/bench/"+name, cred, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := pb.Create(ctx, size, nil); err != nil {
		tb.Fatal(err)
	}
	u, err := pb.BlobClient().GetSASURL(sas.BlobPermissions{Read: true, Write: true}, time.Now().Add(2*time.Hour), nil)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}
