package gallery

import (
	"context"
	"fmt"
)

// This file is `packer build -force` (Request.Force): the version the build names is replaced when this
// plugin owns it (MayWrite(WriteReplace, ...), decided by the tags Observe read back), and never when it
// does not. The replacement deletes the version, waits for the delete to finish (Azure refuses a PUT of
// a version that is still being deleted), then publishes it again with the one create PUT.

// forceCheck runs before Plan. When -force names an existing version, it refuses one the plugin does not
// own, and otherwise takes the version out of what Plan sees, so that Plan decides a create from the
// config as if it were gone. It returns the version to delete, or nil.
func forceCheck(req Request, obs *Observed) (*ObservedVersion, error) {
	if !req.Force || obs.Version == nil {
		return nil, nil
	}
	v := obs.Version
	if err := MayWrite(WriteReplace, v.Tags, req.Lifecycle.RunID); err != nil {
		return nil, fmt.Errorf("-force: version %s is not replaced: %w; choose another image_version, or %s", v.Name, err, AdoptHint(req, v.Name))
	}
	obs.Version = nil
	return v, nil
}

// forceDelete deletes the version forceCheck returned, after the plan succeeded, and waits for the
// delete. Nothing is deleted when old is nil.
func (p *Publisher) forceDelete(ctx context.Context, req Request, acts *Actions, old *ObservedVersion) error {
	if old == nil {
		return nil
	}
	cf, err := p.sess.Compute(req.SubscriptionID)
	if err != nil {
		return err
	}
	p.ui.Say(fmt.Sprintf("-force: version %s exists and this plugin published it (tag %s = %s): deleting it to publish it again...", old.Name, ManagedTagKey, ManagedTagValue))
	sub := orDefault(req.SubscriptionID, p.sess.SubscriptionID())
	if err := p.deleteVersion(ctx, cf.NewGalleryImageVersionsClient(), sub, req.ResourceGroup, req.GalleryName, acts.Definition.Name, old.Name, false); err != nil {
		return fmt.Errorf("-force: deleting version %s: %w", old.Name, err)
	}
	p.ui.Message(fmt.Sprintf("-force: version %s deleted.", old.Name))
	return nil
}
