// Package gallery is the azure-gallery post-processor: a thin Packer adapter that decodes the
// configuration, resolves the image to publish, and hands the work to the publishing core in
// internal/gallery, then wraps the result in an artifact.
package azuregallery

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2/hcldec"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
	"github.com/hashicorp/packer-plugin-sdk/template/config"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
)

// PostProcessor publishes a managed image as a gallery image version.
type PostProcessor struct {
	config   Config
	resolved *resolved
}

// ConfigSpec implements packersdk.PostProcessor.
func (p *PostProcessor) ConfigSpec() hcldec.ObjectSpec { return p.config.FlatMapstructure().HCL2Spec() }

// Configure decodes and validates the configuration without any network call, so `packer validate`
// reports every problem at once.
func (p *PostProcessor) Configure(raws ...interface{}) error {
	err := config.Decode(&p.config, &config.DecodeOpts{
		PluginType:         ArtifactBuilderID,
		Interpolate:        true,
		InterpolateContext: &p.config.ctx,
	}, raws...)
	if err != nil {
		return err
	}
	// Register secrets before anything can log them, even when validation fails.
	packersdk.LogSecretFilter.Set(p.config.Config.Secrets()...)
	r, errs := p.config.prepare(time.Now())
	if errs != nil && len(errs.Errors) > 0 {
		return errs
	}
	p.resolved = r
	return nil
}

// PostProcess publishes the image. It returns keep=true with forceOverride=true: the source image is
// the input of future publishes and re-runs, so it is never destroyed on the user's behalf.
func (p *PostProcessor) PostProcess(ctx context.Context, ui packersdk.Ui, in packersdk.Artifact) (packersdk.Artifact, bool, bool, error) {
	art, keep, force, err := p.postProcess(ctx, redactingUi{ui}, in)
	return art, keep, force, azure.RedactError(err)
}

func (p *PostProcessor) postProcess(ctx context.Context, ui packersdk.Ui, in packersdk.Artifact) (packersdk.Artifact, bool, bool, error) {
	if p.resolved == nil {
		return nil, true, true, errors.New("azure-gallery: the post-processor was not configured")
	}
	src, err := resolveSourceConfig(&p.config, in)
	if err != nil {
		return nil, true, true, err
	}
	ui.Say(fmt.Sprintf("Publishing %s (from %s) to gallery %s as %s %s", src.ImageID, src.From, p.config.GalleryName, p.config.ImageName, p.config.ImageVersion))
	art, err := p.publish(ctx, ui, src)
	if err != nil {
		return nil, true, true, err
	}
	return art, true, true, nil
}

var _ packersdk.PostProcessor = (*PostProcessor)(nil)
