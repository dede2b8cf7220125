package arm

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/pageblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"
)

// Azurite's well-known development account; it is public, documented and only valid on Azurite.
const (
	azuriteAccount = "devstoreaccount1"
	azuriteKey     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
	diskContainer  = "emulated-disks"
	blobTimeout    = 30 * time.Second
)

// blobStore keeps the data of managed disks and snapshots as page blobs in Azurite.
type blobStore struct {
	endpoint string // no trailing slash
	cred     *blob.SharedKeyCredential
}

func newBlobStore(endpoint string) (*blobStore, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("blob endpoint %q is not a URL such as http://127.0.0.1:10000/devstoreaccount1", endpoint)
	}
	account := strings.Trim(u.Path, "/")
	if account == "" {
		account = azuriteAccount
		endpoint = strings.TrimSuffix(endpoint, "/") + "/" + account
	}
	if account != azuriteAccount {
		return nil, fmt.Errorf("blob endpoint %q must use Azurite's development account %q", endpoint, azuriteAccount)
	}
	cred, err := blob.NewSharedKeyCredential(azuriteAccount, azuriteKey)
	if err != nil {
		return nil, err
	}
	return &blobStore{endpoint: strings.TrimSuffix(endpoint, "/"), cred: cred}, nil
}

func (b *blobStore) clientOptions() policy.ClientOptions {
	// One retry: Azurite is local, so a failure is real and should surface quickly.
	return policy.ClientOptions{Retry: policy.RetryOptions{MaxRetries: 1, RetryDelay: 100 * time.Millisecond}}
}

func (b *blobStore) blobURL(name string) string { return b.endpoint + "/" + diskContainer + "/" + name }

func (b *blobStore) pageClient(name string) (*pageblob.Client, error) {
	return pageblob.NewClientWithSharedKeyCredential(b.blobURL(name), b.cred, &pageblob.ClientOptions{ClientOptions: b.clientOptions()})
}

func (b *blobStore) ensureContainer(ctx context.Context) error {
	c, err := container.NewClientWithSharedKeyCredential(b.endpoint+"/"+diskContainer, b.cred, &container.ClientOptions{ClientOptions: b.clientOptions()})
	if err != nil {
		return err
	}
	_, err = c.Create(ctx, nil)
	if err != nil && !bloberror.HasCode(err, bloberror.ContainerAlreadyExists) {
		return err
	}
	return nil
}

// createPageBlob makes an empty page blob of exactly size bytes (a multiple of 512).
func (b *blobStore) createPageBlob(name string, size int64) error {
	ctx, cancel := context.WithTimeout(context.Background(), blobTimeout)
	defer cancel()
	if err := b.ensureContainer(ctx); err != nil {
		return err
	}
	pc, err := b.pageClient(name)
	if err != nil {
		return err
	}
	_, err = pc.Create(ctx, size, nil)
	return err
}

// copyBlob copies src to dst inside Azurite and waits for the copy to finish.
func (b *blobStore) copyBlob(src, dst string) error {
	ctx, cancel := context.WithTimeout(context.Background(), blobTimeout)
	defer cancel()
	if err := b.ensureContainer(ctx); err != nil {
		return err
	}
	srcSAS, err := b.sasURL(src, false, time.Now().Add(time.Hour))
	if err != nil {
		return err
	}
	pc, err := b.pageClient(dst)
	if err != nil {
		return err
	}
	if _, err := pc.BlobClient().StartCopyFromURL(ctx, srcSAS, nil); err != nil {
		return err
	}
	for {
		p, err := pc.GetProperties(ctx, nil)
		if err != nil {
			return err
		}
		if p.CopyStatus == nil || *p.CopyStatus != blob.CopyStatusTypePending {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// sasURL signs a blob URL; write adds the write permission. HTTP is allowed because Azurite serves it.
func (b *blobStore) sasURL(name string, write bool, expiry time.Time) (string, error) {
	perms := sas.BlobPermissions{Read: true, Write: write}
	qp, err := sas.BlobSignatureValues{
		Protocol:      sas.ProtocolHTTPSandHTTP,
		StartTime:     time.Now().Add(-5 * time.Minute).UTC(),
		ExpiryTime:    expiry.UTC(),
		Permissions:   perms.String(),
		ContainerName: diskContainer,
		BlobName:      name,
	}.SignWithSharedKey(b.cred)
	if err != nil {
		return "", err
	}
	return b.blobURL(name) + "?" + qp.Encode(), nil
}

func (b *blobStore) delete(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), blobTimeout)
	defer cancel()
	pc, err := b.pageClient(name)
	if err != nil {
		return err
	}
	_, err = pc.Delete(ctx, nil)
	if err != nil && bloberror.HasCode(err, bloberror.BlobNotFound, bloberror.ContainerNotFound) {
		return nil
	}
	return err
}

// hasData reports whether any page of the blob was written.
func (b *blobStore) hasData(name string) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), blobTimeout)
	defer cancel()
	pc, err := b.pageClient(name)
	if err != nil {
		return false, err
	}
	pager := pc.NewGetPageRangesPager(nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return false, err
		}
		if len(page.PageRange) > 0 {
			return true, nil
		}
	}
	return false, nil
}

// sizeOfURL measures a blob given by URL when it is on this Azurite endpoint.
func (b *blobStore) sizeOfURL(uri string) (int64, bool) {
	if !strings.HasPrefix(uri, b.endpoint+"/") {
		return 0, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), blobTimeout)
	defer cancel()
	u := strings.SplitN(uri, "?", 2)[0]
	bc, err := blob.NewClientWithSharedKeyCredential(u, b.cred, &blob.ClientOptions{ClientOptions: b.clientOptions()})
	if err != nil {
		return 0, false
	}
	p, err := bc.GetProperties(ctx, nil)
	if err != nil || p.ContentLength == nil {
		return 0, false
	}
	return *p.ContentLength, true
}

var errNoBlobEndpoint = errors.New("the emulator was started without a blob endpoint (--blob-endpoint), so disk data access is unsupported")
