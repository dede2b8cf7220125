// Package importer is the `azure-gallery-import` builder: it turns a local disk image, a VHD blob, a
// snapshot or a managed disk into a snapshot, a managed disk or a generalized managed image
// (publish_source), ready for the gallery post-processor.
// It is a thin Packer adapter over internal/vhd (format checks and the page uploader) and armcompute.
package importer

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/hcl/v2/hcldec"
	"github.com/hashicorp/packer-plugin-sdk/multistep"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
	"github.com/hashicorp/packer-plugin-sdk/template/config"
)

// Builder implements packersdk.Builder.
type Builder struct {
	config Config
	// connect builds the Azure clients; nil means the shared azure.Session.
	connect connector
}

// ConfigSpec is the HCL2 schema of Config.
func (b *Builder) ConfigSpec() hcldec.ObjectSpec { return b.config.FlatMapstructure().HCL2Spec() }

// Prepare decodes and validates the configuration without touching the network, reporting every error.
func (b *Builder) Prepare(raws ...any) ([]string, []string, error) {
	err := config.Decode(&b.config, &config.DecodeOpts{
		PluginType:         BuilderID,
		Interpolate:        true,
		InterpolateContext: &b.config.ctx,
	}, raws...)
	if err != nil {
		return nil, nil, err
	}
	if err := b.config.validate(); err != nil {
		return nil, nil, err
	}
	packersdk.LogSecretFilter.Set(b.config.Secrets()...)
	return generatedDataNames, nil, nil
}

// generatedDataNames are the build variables this builder sets (`build.ManagedImageId` and so on).
var generatedDataNames = []string{"PublishSource", "SnapshotId", "DiskId", "ManagedImageId", "ManagedImageName", "ManagedImageResourceGroupName", "Location", "OSType", "HyperVGeneration", "Architecture", "SizeBytes"}

// steps is the build for the configured source and publish_source.
func (b *Builder) steps() []multistep.Step {
	if b.config.PublishSource != publishManagedImage {
		return b.publishSteps() // steps_publish.go
	}
	switch b.config.kind() {
	case sourceFile:
		return []multistep.Step{
			stepInspectSource{}, stepAuthenticate{}, stepCheckTarget{}, stepCreateDisk{}, stepGrantAccess{},
			stepUpload{}, stepVerify{}, stepRevokeAccess{}, stepCreateImage{}, stepDeleteDisk{},
		}
	case sourceBlob:
		return []multistep.Step{stepAuthenticate{}, stepCheckTarget{}, stepCreateDisk{}, stepCreateImage{}, stepDeleteDisk{}}
	default:
		return []multistep.Step{stepAuthenticate{}, stepCheckTarget{}, stepCreateImage{}}
	}
}

// Run imports the source and returns the managed image as the artifact.
func (b *Builder) Run(ctx context.Context, ui packersdk.Ui, hook packersdk.Hook) (packersdk.Artifact, error) {
	art, err := b.run(ctx, redactingUi{ui}, hook)
	return art, azure.RedactError(err)
}

func (b *Builder) run(ctx context.Context, ui packersdk.Ui, hook packersdk.Hook) (packersdk.Artifact, error) {
	connect := b.connect
	if connect == nil {
		connect = sessionConnector
	}
	r := &run{cfg: &b.config, ui: ui, connect: connect}
	state := new(multistep.BasicStateBag)
	state.Put("hook", hook)
	state.Put("ui", ui)
	state.Put(stateKey, r)

	runner := newRunner(b.steps(), b.config.PackerConfig, ui)
	runner.Run(watchThrottling(ctx, ui), state)
	if err, ok := state.GetOk("error"); ok {
		if e, ok := err.(error); ok {
			return nil, e
		}
		return nil, fmt.Errorf("%v", err)
	}
	if _, ok := state.GetOk(multistep.StateCancelled); ok {
		return nil, errors.New("build was cancelled")
	}
	if _, ok := state.GetOk(multistep.StateHalted); ok {
		return nil, errors.New("build was halted")
	}
	if r.publishedID() == "" {
		return nil, errors.New("internal error: the build ended without an image, snapshot or disk")
	}
	return r.artifact(), nil
}

// artifact describes the created image; its Destroy deletes it with this run's clients.
func (r *run) artifact() *Artifact {
	c := r.cfg
	a := &Artifact{
		PublishSource:    c.PublishSource,
		SnapshotID:       r.snapshotID,
		DiskID:           r.publishedDisk(),
		ImageID:          r.imageID,
		ImageName:        c.ImageName,
		ResourceGroup:    c.ResourceGroup,
		Location:         c.Location,
		OSType:           c.OSType,
		HyperVGeneration: c.HyperVGeneration,
		Architecture:     c.Architecture,
		SizeBytes:        r.sizeBytes,
		destroy:          r.destroyFunc(),
	}
	a.StateData = map[string]any{
		"source":              r.sourceDescription(),
		"data_disk_snapshots": dataDiskSnapshotsState(r.dataDiskSnapshots), // "lun=id,..." (config_datadisk.go)
		"generated_data": map[string]any{
			"PublishSource":                 a.PublishSource,
			"SnapshotId":                    a.SnapshotID,
			"DiskId":                        a.DiskID,
			"ManagedImageId":                a.ImageID,
			"ManagedImageName":              a.ImageName,
			"ManagedImageResourceGroupName": a.ResourceGroup,
			"Location":                      a.Location,
			"OSType":                        a.OSType,
			"HyperVGeneration":              a.HyperVGeneration,
			"Architecture":                  a.Architecture,
			"SizeBytes":                     a.SizeBytes,
		},
	}
	return a
}

func (r *run) sourceDescription() string {
	c := r.cfg
	switch c.kind() {
	case sourceFile:
		return c.SourceFile
	case sourceBlob:
		return c.SourceVHDURI
	case sourceSnapshot:
		return c.SourceSnapshotID
	}
	return c.SourceDiskID
}
