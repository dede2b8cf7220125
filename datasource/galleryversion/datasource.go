// Package version is the azure-gallery-version data source: a thin Packer adapter that lists the
// versions of one gallery image definition and returns the one the selection rules of
// internal/gallery choose (the latest, or the highest matching a constraint).
package galleryversion

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hashicorp/hcl/v2/hcldec"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
	"github.com/hashicorp/packer-plugin-sdk/template/config"
	"github.com/zclconf/go-cty/cty"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

// executeTimeout bounds Execute, which Packer gives no context: listing a definition is a handful of
// requests, and azcore's retries (with Retry-After) fit well inside it.
const executeTimeout = 10 * time.Minute

// Datasource is `data "azure-gallery-version"`.
type Datasource struct {
	config     Config
	constraint gallery.Constraint

	// sessionOptions lets tests route requests to the in-process emulator.
	sessionOptions []azure.SessionOption
	// now is the clock for end-of-life checks; nil means time.Now.
	now func() time.Time
}

// ConfigSpec implements packersdk.Datasource.
func (d *Datasource) ConfigSpec() hcldec.ObjectSpec { return d.config.FlatMapstructure().HCL2Spec() }

// OutputSpec implements packersdk.Datasource.
func (d *Datasource) OutputSpec() hcldec.ObjectSpec {
	return (&DatasourceOutput{}).FlatMapstructure().HCL2Spec()
}

// Configure decodes and validates the configuration without any network call, so `packer validate`
// reports every problem at once.
func (d *Datasource) Configure(raws ...interface{}) error {
	if err := config.Decode(&d.config, nil, raws...); err != nil {
		return err
	}
	// Register secrets before anything can log them, even when validation fails.
	packersdk.LogSecretFilter.Set(d.config.Config.Secrets()...)
	c, errs := d.config.prepare()
	if errs != nil && len(errs.Errors) > 0 {
		return errs
	}
	d.constraint = c
	return nil
}

// Execute lists the definition's versions and returns the selected one. It stops on SIGINT or SIGTERM,
// since Packer passes it no context.
func (d *Datasource) Execute() (cty.Value, error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, executeTimeout)
	defer cancel()
	out, err := d.execute(ctx)
	if err != nil {
		return cty.NullVal(cty.EmptyObject), err
	}
	return out, nil
}

var _ packersdk.Datasource = (*Datasource)(nil)
