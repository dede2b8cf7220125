package gallery

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
)

func (p *Publisher) createGallery(ctx context.Context, cf *armcompute.ClientFactory, req Request, a *Actions) error {
	body := armcompute.Gallery{
		Location: to.Ptr(a.Location),
		Tags:     createdTags(req),
	}
	if req.GalleryDescription != "" || req.DirectSharing || req.SoftDelete != nil || req.Community != nil {
		body.Properties = &armcompute.GalleryProperties{SoftDeletePolicy: softDeletePolicy(req.SoftDelete)}
	}
	if req.Community != nil {
		body.Properties.SharingProfile = communityProfile(req.Community) // community.go
	}
	if req.GalleryDescription != "" {
		body.Properties.Description = to.Ptr(req.GalleryDescription)
	}
	if req.DirectSharing {
		body.Properties.SharingProfile = &armcompute.SharingProfile{Permissions: to.Ptr(armcompute.GallerySharingPermissionTypesGroups)}
	}
	p.ui.Say(fmt.Sprintf("Creating gallery %s...", req.GalleryName))
	poller, err := cf.NewGalleriesClient().BeginCreateOrUpdate(ctx, req.ResourceGroup, req.GalleryName, body, nil)
	if err == nil {
		_, err = azure.Await(ctx, poller, azure.PollQuick)
	}
	if err != nil {
		return fmt.Errorf("creating gallery %s: %w", req.GalleryName, azure.Explain(err))
	}
	return nil
}

// createdTags are the tags of a gallery or definition this run creates: the plugin's, and the run's ID
// so that cleanup can tell it from one a concurrent run created.
func createdTags(req Request) map[string]*string {
	t := map[string]string{ManagedTagKey: ManagedTagValue}
	if req.Lifecycle.RunID != "" {
		t[RunIDTagKey] = req.Lifecycle.RunID
	}
	return ptrTags(t)
}

func ptrTags(in map[string]string) map[string]*string {
	out := make(map[string]*string, len(in))
	for k, v := range in {
		out[k] = to.Ptr(v)
	}
	return out
}

// definitionProperties builds the definition body from the resolved spec.
func definitionProperties(d DefinitionSpec) *armcompute.GalleryImageProperties {
	pr := &armcompute.GalleryImageProperties{
		Identifier:       &armcompute.GalleryImageIdentifier{Publisher: to.Ptr(d.Publisher), Offer: to.Ptr(d.Offer), SKU: to.Ptr(d.Sku)},
		OSType:           to.Ptr(armcompute.OperatingSystemTypes(d.OSType)),
		OSState:          to.Ptr(armcompute.OperatingSystemStateTypes(d.OSState)),
		HyperVGeneration: to.Ptr(armcompute.HyperVGeneration(d.HyperVGeneration)),
		EndOfLifeDate:    d.EndOfLife,
	}
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return to.Ptr(s)
	}
	pr.Description, pr.Eula = opt(d.Description), opt(d.Eula)
	pr.PrivacyStatementURI, pr.ReleaseNoteURI = opt(d.PrivacyStatementURI), opt(d.ReleaseNoteURI)
	if d.Architecture != "" {
		pr.Architecture = to.Ptr(armcompute.Architecture(d.Architecture))
	}
	if d.MinVCPUs != 0 || d.MaxVCPUs != 0 || d.MinMemoryGB != 0 || d.MaxMemoryGB != 0 {
		rng := func(lo, hi int32) *armcompute.ResourceRange {
			if lo == 0 && hi == 0 {
				return nil
			}
			r := &armcompute.ResourceRange{}
			if lo != 0 {
				r.Min = to.Ptr(lo)
			}
			if hi != 0 {
				r.Max = to.Ptr(hi)
			}
			return r
		}
		pr.Recommended = &armcompute.RecommendedMachineConfiguration{VCPUs: rng(d.MinVCPUs, d.MaxVCPUs), Memory: rng(d.MinMemoryGB, d.MaxMemoryGB)}
	}
	if pp := d.PurchasePlan; pp != nil && pp.Name != "" {
		pr.PurchasePlan = &armcompute.ImagePurchasePlan{Name: to.Ptr(pp.Name), Publisher: to.Ptr(pp.Publisher), Product: to.Ptr(pp.Product)}
	}
	feature := func(name, value string) {
		pr.Features = append(pr.Features, &armcompute.GalleryImageFeature{Name: to.Ptr(name), Value: to.Ptr(value)})
	}
	if d.SecurityType != "" {
		// Standard too: from GalleryRP 2025-03-03 on, a definition without the feature is TrustedLaunchSupported.
		feature("SecurityType", d.SecurityType)
	}
	if d.AcceleratedNetworking != nil {
		feature("IsAcceleratedNetworkSupported", fmt.Sprint(*d.AcceleratedNetworking))
	}
	if len(d.DiskControllerTypes) > 0 {
		feature("DiskControllerTypes", strings.Join(d.DiskControllerTypes, ", "))
	}
	return pr
}

func (p *Publisher) createDefinition(ctx context.Context, cf *armcompute.ClientFactory, req Request, a *Actions) error {
	body := armcompute.GalleryImage{Location: to.Ptr(a.Location), Properties: definitionProperties(a.Definition),
		Tags: createdTags(req)}
	p.ui.Say(fmt.Sprintf("Creating image definition %s...", a.Definition.Name))
	poller, err := cf.NewGalleryImagesClient().BeginCreateOrUpdate(ctx, req.ResourceGroup, req.GalleryName, a.Definition.Name, body, nil)
	if err == nil {
		_, err = azure.Await(ctx, poller, azure.PollQuick)
	}
	if err != nil {
		return fmt.Errorf("creating image definition %s: %w", a.Definition.Name, azure.Explain(err))
	}
	return nil
}

// updateDefinition sends the existing definition's identity with the changed fields: Azure's PATCH
// still wants the identifier and OS fields.
func (p *Publisher) updateDefinition(ctx context.Context, cf *armcompute.ClientFactory, req Request, a *Actions, ex *ObservedDefinition) error {
	if err := MayWrite(WriteConverge, ex.Tags, req.Lifecycle.RunID); err != nil {
		return fmt.Errorf("image definition %s is not updated: %w", a.Definition.Name, err)
	}
	merged := a.Definition
	merged.Publisher, merged.Offer, merged.Sku = ex.Publisher, ex.Offer, ex.Sku
	merged.OSType, merged.OSState = orDefault(ex.OSType, merged.OSType), orDefault(ex.OSState, merged.OSState)
	merged.HyperVGeneration = orDefault(ex.HyperVGeneration, merged.HyperVGeneration)
	// Features cannot change; leave them out of the PATCH.
	merged.SecurityType, merged.AcceleratedNetworking, merged.DiskControllerTypes = "", nil, nil
	merged.Architecture = ""
	merged.PurchasePlan = nil
	for _, c := range a.DefinitionUpdates {
		p.ui.Message(fmt.Sprintf("  %s: %q → %q", c.Field, c.From, c.To))
	}
	poller, err := cf.NewGalleryImagesClient().BeginUpdate(ctx, req.ResourceGroup, req.GalleryName, a.Definition.Name,
		armcompute.GalleryImageUpdate{Properties: withSecurityUpgrade(definitionProperties(merged), a, ex)}, nil)
	if err == nil {
		_, err = azure.Await(ctx, poller, azure.PollQuick)
	}
	if err != nil {
		return fmt.Errorf("updating image definition %s: %w", a.Definition.Name, azure.Explain(err))
	}
	return nil
}

// publishingProfile is the publishing profile both the create PUT (versionBody) and the converging PATCH
// (updateVersion) send: exclude-from-latest, end of life, and every planned target region with its
// replicas, storage and encryption (targetRegions is a full replacement). It is the one builder of the
// target-region body.
func publishingProfile(req Request, a *Actions) *armcompute.GalleryImageVersionPublishingProfile {
	pp := &armcompute.GalleryImageVersionPublishingProfile{
		ExcludeFromLatest: to.Ptr(req.ExcludeFromLatest),
		EndOfLifeDate:     req.VersionEndOfLife,
	}
	for _, r := range a.Regions {
		tr := &armcompute.TargetRegion{
			Name:                  to.Ptr(r.Name),
			RegionalReplicaCount:  to.Ptr(r.Replicas),
			ExcludeFromLatest:     r.ExcludeFromLatest,
			AdditionalReplicaSets: replicaSetsBody(a.ReplicaSets[r.Name]),
		}
		if r.StorageAccountType != "" { // "" when the storage account strategy decides
			tr.StorageAccountType = to.Ptr(armcompute.StorageAccountType(r.StorageAccountType))
		}
		tr.Encryption = regionEncryption(r, req)
		pp.TargetRegions = append(pp.TargetRegions, tr)
	}
	return pp
}

// versionBody is the single PUT that carries every target region: the shared publishing profile plus the
// defaults and replication mode that only a create sets.
func versionBody(req Request, a *Actions, src Source) armcompute.GalleryImageVersion {
	plain := maps.Clone(req.Tags)
	if plain == nil {
		plain = map[string]string{}
	}
	plain[ManagedTagKey] = ManagedTagValue
	sourceTags(plain, src.ID)
	plain[ExcludedTagKey] = fmt.Sprint(req.ExcludeFromLatest)
	if req.Lifecycle.RunID != "" {
		plain[RunIDTagKey] = req.Lifecycle.RunID
	}
	tags := ptrTags(plain)
	pp := publishingProfile(req, a)
	if req.ReplicaCount > 0 {
		pp.ReplicaCount = to.Ptr(req.ReplicaCount)
	}
	if req.StorageAccountType != "" {
		pp.StorageAccountType = to.Ptr(armcompute.StorageAccountType(req.StorageAccountType))
	}
	if req.StorageAccountStrategy != "" {
		pp.StorageAccountStrategy = to.Ptr(armcompute.StorageAccountStrategy(req.StorageAccountStrategy))
	}
	if req.ReplicationMode != "" {
		pp.ReplicationMode = to.Ptr(armcompute.ReplicationMode(req.ReplicationMode))
	}
	body := armcompute.GalleryImageVersion{
		Location: to.Ptr(a.Location),
		Tags:     tags,
		Properties: &armcompute.GalleryImageVersionProperties{
			StorageProfile:    storageProfile(src, req.DataDisks),
			PublishingProfile: pp,
		},
	}
	allowDeletion := req.AllowDeletionOfReplicatedLocations
	if allowDeletion == nil && req.Lifecycle.demotes() {
		// Demotion will later remove this version's replicated regions, which Azure allows only when set.
		allowDeletion = to.Ptr(true)
	}
	if allowDeletion != nil || req.BlockDeletionBeforeEndOfLife != nil {
		body.Properties.SafetyProfile = &armcompute.GalleryImageVersionSafetyProfile{
			AllowDeletionOfReplicatedLocations: allowDeletion,
			BlockDeletionBeforeEndOfLife:       req.BlockDeletionBeforeEndOfLife,
		}
	}
	return body
}

func (p *Publisher) createVersion(ctx context.Context, cf *armcompute.ClientFactory, req Request, a *Actions, src Source) (*runtime.Poller[armcompute.GalleryImageVersionsClientCreateOrUpdateResponse], error) {
	p.ui.Say(fmt.Sprintf("Creating version %s in %d region(s)...", a.VersionName, len(a.Regions)))
	poller, err := cf.NewGalleryImageVersionsClient().BeginCreateOrUpdate(ctx, req.ResourceGroup, req.GalleryName, a.Definition.Name, a.VersionName, versionBody(req, a, src), nil)
	if err != nil {
		return nil, fmt.Errorf("creating version %s: %w", a.VersionName, azure.Explain(err))
	}
	return poller, nil
}
