package gallery

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
)

// deleteBound is how long one delete keeps retrying 409 CannotDeleteResource: Azure refuses a
// definition's delete for about 10–20 s after its last version's delete finished, and a gallery's after
// its last definition's, so two minutes covers the lag with room to spare.
const deleteBound = 2 * time.Minute

// target names one resource the plugin deletes: what it is, its name and its ARM ID.
type target struct{ kind, name, id string }

func (t target) String() string { return t.kind + " " + t.name }

func galleryTarget(sub, rg, g string) target {
	return target{"gallery", g, fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Compute/galleries/%s", sub, rg, g)}
}

func definitionTarget(sub, rg, g, d string) target {
	return target{"image definition", d, galleryTarget(sub, rg, g).id + "/images/" + d}
}

func versionTarget(sub, rg, g, d, v string) target {
	return target{"version", v, definitionTarget(sub, rg, g, d).id + "/versions/" + v}
}

// remove runs one delete through azure.Delete (which retries CannotDeleteResource within deleteBound
// and takes a 404 as done), telling the user about each retry. noWait only starts the delete.
func remove[T any](ctx context.Context, p *Publisher, t target, noWait bool, begin func(context.Context) (*runtime.Poller[T], error)) error {
	err := azure.Delete(ctx, begin, azure.DeleteOptions{Bound: p.deleteBound, NoWait: noWait,
		OnRetry: func(attempt int, wait time.Duration, _ error) {
			p.ui.Message(fmt.Sprintf("  %s: Azure still holds its nested resources (409 CannotDeleteResource); retry %d in %s.", t, attempt, wait))
		}})
	if err != nil {
		return &leftError{t: t, err: azure.Explain(err)}
	}
	return nil
}

// deleteVersion deletes one version (noWait: only starts the delete).
func (p *Publisher) deleteVersion(ctx context.Context, c *armcompute.GalleryImageVersionsClient, sub, rg, g, d, v string, noWait bool) error {
	return remove(ctx, p, versionTarget(sub, rg, g, d, v), noWait, func(ctx context.Context) (*runtime.Poller[armcompute.GalleryImageVersionsClientDeleteResponse], error) {
		return c.BeginDelete(ctx, rg, g, d, v, nil)
	})
}

// deleteDefinition deletes one image definition.
func (p *Publisher) deleteDefinition(ctx context.Context, c *armcompute.GalleryImagesClient, sub, rg, g, d string) error {
	return remove(ctx, p, definitionTarget(sub, rg, g, d), false, func(ctx context.Context) (*runtime.Poller[armcompute.GalleryImagesClientDeleteResponse], error) {
		return c.BeginDelete(ctx, rg, g, d, nil)
	})
}

// deleteGallery deletes one gallery.
func (p *Publisher) deleteGallery(ctx context.Context, c *armcompute.GalleriesClient, sub, rg, g string) error {
	return remove(ctx, p, galleryTarget(sub, rg, g), false, func(ctx context.Context) (*runtime.Poller[armcompute.GalleriesClientDeleteResponse], error) {
		return c.BeginDelete(ctx, rg, g, nil)
	})
}

// leftError is a delete that failed: it names the resource ID it leaves and Azure's error.
type leftError struct {
	t   target
	err error
}

func (e *leftError) Error() string {
	return fmt.Sprintf("could not delete %s (%s): %v", e.t, e.t.id, e.err)
}
func (e *leftError) Unwrap() error { return e.err }

// leftovers collects what a cleanup had to leave, so it can name each at the end.
type leftovers []string

// add records a resource left behind and why.
func (l *leftovers) add(t target, why string) {
	*l = append(*l, fmt.Sprintf("%s (%s): %s", t, t.id, why))
}

// report names everything left, one per line, or nothing when all went.
func (l leftovers) report(ui Reporter, prefix string) {
	if len(l) == 0 {
		return
	}
	ui.Error(fmt.Sprintf("%s: left %d resource(s) behind; delete them yourself:\n  %s", prefix, len(l), strings.Join(l, "\n  ")))
}
