package galleryversion

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/packer-plugin-sdk/hcl2helper"
	"github.com/zclconf/go-cty/cty"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

// execute authenticates, lists, selects and converts the result to the output object.
func (d *Datasource) execute(ctx context.Context) (cty.Value, error) {
	if d.config.ImageName == "" {
		return cty.NilVal, errors.New("azure-gallery-version: the data source was not configured")
	}
	sess, err := azure.NewSession(ctx, &d.config.Config, d.sessionOptions...)
	if err != nil {
		return cty.NilVal, fmt.Errorf("azure-gallery-version: %w", err)
	}
	versions, err := d.listVersionsFor(ctx, sess) // community.go
	if err != nil && (d.config.CommunityGalleryName != "" || d.config.SharedGalleryName != "") {
		return cty.NilVal, fmt.Errorf("azure-gallery-version: listing the versions of image %q in %s: %w",
			d.config.ImageName, d.config.galleryLabel(), azure.Explain(err))
	}
	if err != nil {
		return cty.NilVal, fmt.Errorf("azure-gallery-version: listing the versions of image definition %q in gallery %q (resource group %q): %w",
			d.config.ImageName, d.config.GalleryName, d.config.ResourceGroup, azure.Explain(err))
	}
	sel := d.selectVersion(versions)
	if sel.Version == nil {
		if d.config.AllowEmpty {
			return d.value(emptyOutput()), nil
		}
		return cty.NilVal, fmt.Errorf("azure-gallery-version: image definition %q in %s has no %s: %s; %s",
			d.config.ImageName, d.config.galleryLabel(), d.wanted(), sel.Explain(), d.fixes(sel))
	}
	return d.value(outputFrom(*sel.Version)), nil
}

// selectVersion applies the configured rule.
func (d *Datasource) selectVersion(versions []gallery.VersionInfo) gallery.Selection {
	now := time.Now()
	if d.now != nil {
		now = d.now()
	}
	if d.constraint.IsZero() {
		return gallery.SelectLatest(versions, now)
	}
	return gallery.SelectMatching(versions, d.constraint, d.config.IncludeExcluded, now)
}

// wanted names what was looked for, for the error message.
func (d *Datasource) wanted() string {
	if d.constraint.IsZero() {
		return "eligible latest version (succeeded, not past end of life, not excluded from latest)"
	}
	if d.config.IncludeExcluded {
		return fmt.Sprintf("eligible version matching %q (succeeded, not past end of life)", d.constraint.String())
	}
	return fmt.Sprintf("eligible version matching %q (succeeded, not past end of life, not excluded from latest)", d.constraint.String())
}

// fixes lists what could make a version eligible, given why each was passed over.
func (d *Datasource) fixes(sel gallery.Selection) string {
	fixes := []string{"publish one"}
	var excluded, mismatched bool
	for _, s := range sel.Skipped {
		excluded = excluded || s.Reason == gallery.SkipExcludedFromLatest
		mismatched = mismatched || s.Reason == gallery.SkipNoMatch
	}
	if mismatched {
		fixes = append(fixes, "widen version_constraint")
	}
	if excluded {
		if d.constraint.IsZero() {
			fixes = append(fixes, "set version_constraint and include_excluded = true to accept a version excluded from latest")
		} else {
			fixes = append(fixes, "set include_excluded = true to accept a version excluded from latest")
		}
	}
	fixes = append(fixes, "set allow_empty = true to get empty outputs")
	return strings.Join(fixes[:len(fixes)-1], ", ") + " or " + fixes[len(fixes)-1]
}

func (d *Datasource) value(out DatasourceOutput) cty.Value {
	return hcl2helper.HCL2ValueFromConfig(out, d.OutputSpec())
}

// outputFrom maps the selected version to the outputs; dates are RFC 3339 in UTC.
func outputFrom(v gallery.VersionInfo) DatasourceOutput {
	out := DatasourceOutput{
		ID:                v.ID,
		Version:           v.Name,
		Location:          v.Location,
		ReplicatedRegions: append([]string{}, v.Regions...),
		SourceID:          v.SourceID,
		ExcludeFromLatest: v.ExcludeFromLatest,
	}
	if !v.PublishedDate.IsZero() {
		out.PublishedDate = v.PublishedDate.UTC().Format(time.RFC3339)
	}
	if v.EndOfLife != nil {
		out.EndOfLifeDate = v.EndOfLife.UTC().Format(time.RFC3339)
	}
	return out
}

// emptyOutput is the allow_empty result: empty values, not nulls, so templates can compare with "".
func emptyOutput() DatasourceOutput {
	return DatasourceOutput{ReplicatedRegions: []string{}}
}
