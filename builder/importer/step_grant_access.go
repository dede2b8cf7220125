package importer

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	"github.com/hashicorp/packer-plugin-sdk/multistep"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
)

// sasSeconds is how long the write SAS lives: long enough for a slow multi-hour upload, and revoked as
// soon as the upload ends anyway.
const sasSeconds = 24 * 3600

// stepGrantAccess asks for a write SAS on the upload disk (beginGetAccess). Its Cleanup revokes the SAS
// if the build stops before stepRevokeAccess, so the disk can be deleted.
type stepGrantAccess struct{}

func (stepGrantAccess) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	r, err := getRun(state)
	if err != nil {
		return multistep.ActionHalt
	}
	c := r.cfg
	p, err := r.az.disks.BeginGrantAccess(ctx, c.ResourceGroup, c.TempDiskName, armcompute.GrantAccessData{
		Access:            to.Ptr(armcompute.AccessLevelWrite),
		DurationInSeconds: to.Ptr[int32](sasSeconds),
	}, nil)
	if err == nil {
		r.accessOpen = true
		var res armcompute.DisksClientGrantAccessResponse
		res, err = wait(ctx, p, r.az)
		if err == nil {
			r.sasURL = deref(res.AccessSAS)
			if r.sasURL == "" {
				err = errors.New("Azure returned no SAS URL")
			}
			hideSAS(r.sasURL)
		}
	}
	if err != nil {
		return halt(state, r.ui, describe(fmt.Sprintf("getting write access to disk %q", c.TempDiskName), err))
	}
	return multistep.ActionContinue
}

func (stepGrantAccess) Cleanup(state multistep.StateBag) {
	r, err := getRun(state)
	if err != nil || !r.accessOpen {
		return
	}
	ctx, cancel := cleanupContext()
	defer cancel()
	_ = r.revokeAccess(ctx)
}

// revokeAccess ends the SAS (endGetAccess); after an upload this turns the disk from ActiveUpload into a
// usable disk.
func (r *run) revokeAccess(ctx context.Context) error {
	c := r.cfg
	p, err := r.az.disks.BeginRevokeAccess(ctx, c.ResourceGroup, c.TempDiskName, nil)
	if err == nil {
		_, err = wait(ctx, p, r.az)
	}
	if err != nil {
		err = describe(fmt.Sprintf("revoking access to disk %q", c.TempDiskName), err)
		r.ui.Error(err.Error())
		return err
	}
	r.accessOpen, r.sasURL = false, ""
	return nil
}

// hideSAS keeps the SAS URL and its signature out of Packer's logs: whoever holds it can write the disk.
func hideSAS(sasURL string) {
	secrets := []string{sasURL}
	if u, err := url.Parse(sasURL); err == nil {
		if sig := u.Query().Get("sig"); sig != "" {
			secrets = append(secrets, sig, url.QueryEscape(sig))
		}
	}
	packersdk.LogSecretFilter.Set(secrets...)
}
