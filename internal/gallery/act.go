package gallery

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
)

func (p *Publisher) createGallery(ctx context.Context, cf *armcompute.ClientFactory, req Request, a *Actions) error {
	body := armcompute.Gallery{
		Location: to.Ptr(a.Location),
		Tags:     map[string]*string{ManagedTagKey: to.Ptr(ManagedTagValue)},
	}
	if req.GalleryDescription != "" || req.DirectSharing {
		body.Properties = &armcompute.GalleryProperties{}
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
	if d.SecurityType != "" && !strings.EqualFold(d.SecurityType, defaultSecurityType) {
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
		Tags: map[string]*string{ManagedTagKey: to.Ptr(ManagedTagValue)}}
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
		armcompute.GalleryImageUpdate{Properties: definitionProperties(merged)}, nil)
	if err == nil {
		_, err = azure.Await(ctx, poller, azure.PollQuick)
	}
	if err != nil {
		return fmt.Errorf("updating image definition %s: %w", a.Definition.Name, azure.Explain(err))
	}
	return nil
}

// versionBody is the single PUT that carries every target region.
func versionBody(req Request, a *Actions, src Source) armcompute.GalleryImageVersion {
	tags := map[string]*string{}
	for k, v := range req.Tags {
		tags[k] = to.Ptr(v)
	}
	tags[ManagedTagKey] = to.Ptr(ManagedTagValue)
	tags[SourceTagKey] = to.Ptr(src.ID)
	tags[ExcludedTagKey] = to.Ptr(fmt.Sprint(req.ExcludeFromLatest))
	if req.Lifecycle.RunID != "" {
		tags[RunIDTagKey] = to.Ptr(req.Lifecycle.RunID)
	}
	pp := &armcompute.GalleryImageVersionPublishingProfile{
		ExcludeFromLatest: to.Ptr(req.ExcludeFromLatest),
		EndOfLifeDate:     req.VersionEndOfLife,
	}
	if req.ReplicaCount > 0 {
		pp.ReplicaCount = to.Ptr(req.ReplicaCount)
	}
	if req.StorageAccountType != "" {
		pp.StorageAccountType = to.Ptr(armcompute.StorageAccountType(req.StorageAccountType))
	}
	if req.ReplicationMode != "" {
		pp.ReplicationMode = to.Ptr(armcompute.ReplicationMode(req.ReplicationMode))
	}
	for _, r := range a.Regions {
		tr := &armcompute.TargetRegion{
			Name:                 to.Ptr(r.Name),
			RegionalReplicaCount: to.Ptr(r.Replicas),
			StorageAccountType:   to.Ptr(armcompute.StorageAccountType(r.StorageAccountType)),
			ExcludeFromLatest:    r.ExcludeFromLatest,
		}
		if r.DiskEncryptionSetID != "" {
			tr.Encryption = &armcompute.EncryptionImages{OSDiskImage: &armcompute.OSDiskImageEncryption{DiskEncryptionSetID: to.Ptr(r.DiskEncryptionSetID)}}
		}
		pp.TargetRegions = append(pp.TargetRegions, tr)
	}
	body := armcompute.GalleryImageVersion{
		Location: to.Ptr(a.Location),
		Tags:     tags,
		Properties: &armcompute.GalleryImageVersionProperties{
			StorageProfile:    &armcompute.GalleryImageVersionStorageProfile{Source: &armcompute.GalleryArtifactVersionFullSource{ID: to.Ptr(src.ID)}},
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

// cleanupBudget bounds cleanup, which runs on a context detached from a cancelled build.
const cleanupBudget = 5 * time.Minute

// cleanup deletes what this run created, newest first. After an interrupt it only starts the version's
// deletion (a definition cannot go before its versions are gone, and Ctrl-C must return promptly).
// Each delete retries Azure's 409 CannotDeleteResource within a bound (delete.go); at the end it names
// every resource it had to leave, with its ID and the reason.
func (p *Publisher) cleanup(ctx context.Context, req Request, a *Actions, run *runRecord) {
	if !run.version && !run.definition && !run.gallery {
		p.ui.Message("cleanup_on_failure: this run created nothing; nothing to delete.")
		return
	}
	interrupted := ctx.Err() != nil
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupBudget)
	defer cancel()
	cf, err := p.sess.Compute(req.SubscriptionID)
	if err != nil {
		p.ui.Error(fmt.Sprintf("cleanup_on_failure: %v", err))
		return
	}
	sub := orDefault(req.SubscriptionID, p.sess.SubscriptionID())
	rg, g, d := req.ResourceGroup, req.GalleryName, a.Definition.Name
	var left leftovers
	defer func() { left.report(p.ui, "cleanup_on_failure") }()
	// blocked is why the parents cannot go: set once a child stays.
	blocked := ""
	if run.version {
		p.ui.Say(fmt.Sprintf("cleanup_on_failure: deleting version %s, which this run created...", a.VersionName))
		if err := p.deleteVersion(cctx, cf.NewGalleryImageVersionsClient(), sub, rg, g, d, a.VersionName, interrupted); err != nil {
			left.failed(versionTarget(sub, rg, g, d, a.VersionName), err)
			blocked = "not attempted: version " + a.VersionName + " is still there"
		}
	}
	if interrupted && blocked == "" {
		blocked = "interrupted: not deleted, so that Ctrl-C returns promptly"
		if run.version {
			blocked = "interrupted: delete it once version " + a.VersionName + " is gone"
		}
	}
	if run.definition {
		if blocked != "" {
			left.add(definitionTarget(sub, rg, g, d), blocked)
		} else {
			p.ui.Say(fmt.Sprintf("cleanup_on_failure: deleting image definition %s, which this run created...", d))
			if err := p.deleteDefinition(cctx, cf.NewGalleryImagesClient(), sub, rg, g, d); err != nil {
				left.failed(definitionTarget(sub, rg, g, d), err)
				blocked = "not attempted: image definition " + d + " is still there"
			}
		}
	}
	if run.gallery {
		if blocked != "" {
			left.add(galleryTarget(sub, rg, g), blocked)
			return
		}
		p.ui.Say(fmt.Sprintf("cleanup_on_failure: deleting gallery %s, which this run created...", g))
		if err := p.deleteGallery(cctx, cf.NewGalleriesClient(), sub, rg, g); err != nil {
			left.failed(galleryTarget(sub, rg, g), err)
		}
	}
}
