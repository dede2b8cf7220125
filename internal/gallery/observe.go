package gallery

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
)

// Observed is what exists in Azure before a publish: plain values, so Plan can be a pure function.
// Nil pointers mean "does not exist".
type Observed struct {
	Source     Source
	Gallery    *ObservedGallery
	Definition *ObservedDefinition
	Version    *ObservedVersion
	// SoftDeleted are the definition's soft-deleted versions, read only when the gallery has soft delete.
	SoftDeleted []SoftDeletedVersion
	// Versions are the definition's versions as listed (without replication status); Listed says the
	// list was read (the definition exists).
	Versions []*ObservedVersion
	Listed   bool
}

// Source is the image being published, as Azure reports it.
type Source struct {
	ID                string
	Kind              SourceKind
	SubscriptionID    string
	Location          string
	OSType            string
	OSState           string
	HyperVGeneration  string
	Architecture      string
	SecurityType      string
	SizeGiB           int64
	ProvisioningState string
	// StorageAccountID is a VHD source's storage account; DiskSecurityType a snapshot's or disk's
	// securityProfile.securityType (TrustedLaunch, ConfidentialVM_*).
	StorageAccountID, DiskSecurityType string
}

// ObservedGallery is an existing gallery.
type ObservedGallery struct {
	ID, Location, ProvisioningState string
	// SoftDelete and RetentionDays are the gallery's softDeletePolicy (softdelete.go).
	SoftDelete    bool
	RetentionDays int32
}

// ObservedDefinition is an existing image definition, flattened to the fields the plan compares.
type ObservedDefinition struct {
	ID, Name, Location             string
	OSType, OSState                string
	HyperVGeneration, Architecture string
	SecurityType                   string
	Publisher, Offer, Sku          string
	AcceleratedNetworking          *bool
	DiskControllerTypes            []string
	Description, Eula              string
	PrivacyStatementURI            string
	ReleaseNoteURI                 string
	EndOfLife                      *time.Time
	MinVCPUs, MaxVCPUs             int32
	MinMemoryGB, MaxMemoryGB       int32
	ProvisioningState              string
	// Tags are the definition's tags (never nil), which say whether the plugin owns it.
	Tags map[string]string
}

// ObservedVersion is an existing image version with its replication status.
type ObservedVersion struct {
	ID, Name, Location string
	SourceID           string
	ProvisioningState  string
	// AggregatedState is the replication status: Unknown, InProgress, Completed or Failed.
	AggregatedState string
	Regions         []RegionStatus
	TargetRegions   []RegionResult
	Tags            map[string]string
	// Start is when the version was published, the origin for predicting a resumed replication.
	Start time.Time
	// The publishing and safety fields that convergence, retention and demotion compare.
	ExcludeFromLatest                  bool
	EndOfLife                          *time.Time
	ReplicationMode                    string
	AllowDeletionOfReplicatedLocations *bool
	BlockDeletionBeforeEndOfLife       bool
	// RegionExcludeFromLatest is each target region's own exclude-from-latest flag.
	RegionExcludeFromLatest map[string]bool
}

// RegionStatus is one region of a version's replicationStatus.
type RegionStatus struct {
	Name     string
	State    string
	Progress int32
	Details  string
}

// Observe reads the source, the gallery, the definition and the version. It is the only step that
// reads Azure before writing; a missing resource is a nil field, any other error is returned.
func (p *Publisher) Observe(ctx context.Context, req Request) (*Observed, error) {
	src, err := parseRequestSource(req)
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	obs := &Observed{}
	switch src.Kind {
	case SourceManagedImage, SourceGalleryImageVersion:
		obs.Source, err = p.observeSource(ctx, src)
	case SourceCommunityVersion, SourceSharedVersion:
		obs.Source, err = p.observeCommunitySource(ctx, req, src) // community_source.go
	default:
		obs.Source, err = p.observeDiskSource(ctx, req, src)
	}
	if err != nil {
		return nil, err
	}
	cf, err := p.sess.Compute(req.SubscriptionID)
	if err != nil {
		return nil, err
	}
	g, err := cf.NewGalleriesClient().Get(ctx, req.ResourceGroup, req.GalleryName, nil)
	switch {
	case azure.IsNotFound(err):
		return obs, nil
	case err != nil:
		return nil, fmt.Errorf("reading gallery %s: %w", req.GalleryName, azure.Explain(err))
	}
	obs.Gallery = &ObservedGallery{ID: deref(g.ID), Location: NormalizeRegion(deref(g.Location))}
	obs.Gallery.SoftDelete, obs.Gallery.RetentionDays = softDeleteFrom(g.Gallery)
	if g.Properties != nil && g.Properties.ProvisioningState != nil {
		obs.Gallery.ProvisioningState = string(*g.Properties.ProvisioningState)
	}
	d, err := cf.NewGalleryImagesClient().Get(ctx, req.ResourceGroup, req.GalleryName, req.Definition.Name, nil)
	switch {
	case azure.IsNotFound(err):
		return obs, nil
	case err != nil:
		return nil, fmt.Errorf("reading image definition %s: %w", req.Definition.Name, azure.Explain(err))
	}
	obs.Definition = definitionFrom(d.GalleryImage)
	// The version list serves the quota, "auto" and this check at once: an explicit version the list does
	// not hold does not exist, so only one it holds is read again (with its replication status).
	if obs.Versions, err = p.listVersions(ctx, cf, req); err != nil {
		return nil, err
	}
	obs.Listed = true
	if req.Version.Version == "" || strings.EqualFold(req.Version.Version, "auto") || !listed(obs.Versions, req.Version.Version) {
		return obs, nil
	}
	v, err := p.getVersion(ctx, cf, req.ResourceGroup, req.GalleryName, req.Definition.Name, req.Version.Version)
	switch {
	case azure.IsNotFound(err):
		return obs, nil
	case err != nil:
		return nil, fmt.Errorf("reading image version %s: %w", req.Version.Version, azure.Explain(err))
	}
	obs.Version = v
	return obs, nil
}

// listed says whether the list holds the version name (Azure compares names case-insensitively).
func listed(vs []*ObservedVersion, name string) bool {
	for _, v := range vs {
		if strings.EqualFold(v.Name, name) {
			return true
		}
	}
	return false
}

// getVersion reads a version with its replication status: one request covers every region.
func (p *Publisher) getVersion(ctx context.Context, cf *armcompute.ClientFactory, rg, gallery, def, version string) (*ObservedVersion, error) {
	resp, err := cf.NewGalleryImageVersionsClient().Get(ctx, rg, gallery, def, version,
		&armcompute.GalleryImageVersionsClientGetOptions{Expand: to.Ptr(armcompute.ReplicationStatusTypesReplicationStatus)})
	if err != nil {
		return nil, err
	}
	return versionFrom(resp.GalleryImageVersion), nil
}

func (p *Publisher) observeSource(ctx context.Context, src *SourceID) (Source, error) {
	cf, err := p.sess.Compute(src.SubscriptionID)
	if err != nil {
		return Source{}, err
	}
	out := Source{ID: src.ID, Kind: src.Kind, SubscriptionID: src.SubscriptionID}
	switch src.Kind {
	case SourceManagedImage:
		img, err := cf.NewImagesClient().Get(ctx, src.ResourceGroup, src.Name, nil)
		if err != nil {
			return Source{}, fmt.Errorf("reading source image %s: %w", src.ID, azure.Explain(err))
		}
		out.Location = NormalizeRegion(deref(img.Location))
		if pr := img.Properties; pr != nil {
			out.ProvisioningState = deref(pr.ProvisioningState)
			if pr.HyperVGeneration != nil {
				out.HyperVGeneration = string(*pr.HyperVGeneration)
			}
			if sp := pr.StorageProfile; sp != nil {
				if od := sp.OSDisk; od != nil {
					out.OSType = enumString(od.OSType)
					out.OSState = enumString(od.OSState)
					out.SizeGiB += int64(deref(od.DiskSizeGB))
				}
				for _, dd := range sp.DataDisks {
					if dd != nil {
						out.SizeGiB += int64(deref(dd.DiskSizeGB))
					}
				}
			}
		}
	case SourceGalleryImageVersion:
		v, err := cf.NewGalleryImageVersionsClient().Get(ctx, src.ResourceGroup, src.Gallery, src.Definition, src.Name, nil)
		if err != nil {
			return Source{}, fmt.Errorf("reading source version %s: %w", src.ID, azure.Explain(err))
		}
		out.Location = NormalizeRegion(deref(v.Location))
		if pr := v.Properties; pr != nil {
			out.ProvisioningState = enumString(pr.ProvisioningState)
			if sp := pr.StorageProfile; sp != nil {
				if sp.OSDiskImage != nil {
					out.SizeGiB += int64(deref(sp.OSDiskImage.SizeInGB))
				}
				for _, dd := range sp.DataDiskImages {
					if dd != nil {
						out.SizeGiB += int64(deref(dd.SizeInGB))
					}
				}
			}
		}
		d, err := cf.NewGalleryImagesClient().Get(ctx, src.ResourceGroup, src.Gallery, src.Definition, nil)
		if err != nil {
			return Source{}, fmt.Errorf("reading the source version's definition %s: %w", src.Definition, azure.Explain(err))
		}
		def := definitionFrom(d.GalleryImage)
		out.OSType, out.OSState, out.HyperVGeneration = def.OSType, def.OSState, def.HyperVGeneration
		out.Architecture, out.SecurityType = def.Architecture, def.SecurityType
	}
	return out, nil
}

func definitionFrom(g armcompute.GalleryImage) *ObservedDefinition {
	d := &ObservedDefinition{ID: deref(g.ID), Name: deref(g.Name), Location: NormalizeRegion(deref(g.Location)), Tags: plainTags(g.Tags)}
	pr := g.Properties
	if pr == nil {
		return d
	}
	d.OSType, d.OSState = enumString(pr.OSType), enumString(pr.OSState)
	d.HyperVGeneration, d.Architecture = enumString(pr.HyperVGeneration), enumString(pr.Architecture)
	d.ProvisioningState = enumString(pr.ProvisioningState)
	if id := pr.Identifier; id != nil {
		d.Publisher, d.Offer, d.Sku = deref(id.Publisher), deref(id.Offer), deref(id.SKU)
	}
	d.Description, d.Eula = deref(pr.Description), deref(pr.Eula)
	d.PrivacyStatementURI, d.ReleaseNoteURI = deref(pr.PrivacyStatementURI), deref(pr.ReleaseNoteURI)
	d.EndOfLife = pr.EndOfLifeDate
	if r := pr.Recommended; r != nil {
		if r.VCPUs != nil {
			d.MinVCPUs, d.MaxVCPUs = deref(r.VCPUs.Min), deref(r.VCPUs.Max)
		}
		if r.Memory != nil {
			d.MinMemoryGB, d.MaxMemoryGB = deref(r.Memory.Min), deref(r.Memory.Max)
		}
	}
	for _, f := range pr.Features {
		if f == nil {
			continue
		}
		switch strings.ToLower(deref(f.Name)) {
		case "securitytype":
			d.SecurityType = deref(f.Value)
		case "isacceleratednetworksupported":
			d.AcceleratedNetworking = to.Ptr(strings.EqualFold(deref(f.Value), "true"))
		case "diskcontrollertypes":
			for _, t := range strings.Split(deref(f.Value), ",") {
				if t = strings.TrimSpace(t); t != "" {
					d.DiskControllerTypes = append(d.DiskControllerTypes, t)
				}
			}
		}
	}
	return d
}

func versionFrom(v armcompute.GalleryImageVersion) *ObservedVersion {
	out := &ObservedVersion{ID: deref(v.ID), Name: deref(v.Name), Location: NormalizeRegion(deref(v.Location)), Tags: map[string]string{}}
	for k, val := range v.Tags {
		out.Tags[k] = deref(val)
	}
	pr := v.Properties
	if pr == nil {
		return out
	}
	out.ProvisioningState = enumString(pr.ProvisioningState)
	out.SourceID = StorageSourceID(pr.StorageProfile)
	if out.SourceID == "" {
		out.SourceID = SourceFromTags(out.Tags)
	}
	if pp := pr.PublishingProfile; pp != nil {
		if pp.PublishedDate != nil {
			out.Start = *pp.PublishedDate
		}
		out.ExcludeFromLatest, out.EndOfLife = deref(pp.ExcludeFromLatest), pp.EndOfLifeDate
		out.ReplicationMode = enumString(pp.ReplicationMode)
		out.RegionExcludeFromLatest = map[string]bool{}
		for _, tr := range pp.TargetRegions {
			if tr == nil {
				continue
			}
			out.TargetRegions = append(out.TargetRegions, RegionResult{Name: NormalizeRegion(deref(tr.Name)), Replicas: deref(tr.RegionalReplicaCount), StorageAccountType: enumString(tr.StorageAccountType)})
			out.RegionExcludeFromLatest[NormalizeRegion(deref(tr.Name))] = deref(tr.ExcludeFromLatest)
		}
	}
	if sp := pr.SafetyProfile; sp != nil {
		out.AllowDeletionOfReplicatedLocations = sp.AllowDeletionOfReplicatedLocations
		out.BlockDeletionBeforeEndOfLife = deref(sp.BlockDeletionBeforeEndOfLife)
	}
	if rs := pr.ReplicationStatus; rs != nil {
		out.AggregatedState = enumString(rs.AggregatedState)
		for _, s := range rs.Summary {
			if s == nil {
				continue
			}
			out.Regions = append(out.Regions, RegionStatus{Name: NormalizeRegion(deref(s.Region)), State: enumString(s.State), Progress: deref(s.Progress), Details: deref(s.Details)})
		}
	}
	return out
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// enumString turns an optional armcompute enum into a string ("" when absent).
func enumString[T ~string](p *T) string {
	if p == nil {
		return ""
	}
	return string(*p)
}
