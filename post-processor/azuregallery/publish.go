package azuregallery

import (
	"context"
	"fmt"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

// publish authenticates, runs the core's publish and turns its result into the artifact.
func (p *PostProcessor) publish(ctx context.Context, ui packersdk.Ui, src *source) (*Artifact, error) {
	sess, err := azure.NewSession(ctx, &p.config.Config)
	if err != nil {
		return nil, err
	}
	pub := gallery.NewPublisher(sess, ui)
	req, share := p.request(src), p.config.shareRequest()
	// A share that cannot succeed fails now, not after a long replication.
	if err := pub.CheckShare(ctx, req, share); err != nil {
		return nil, fmt.Errorf("azure-gallery: %w", azure.Explain(err))
	}
	res, err := pub.Publish(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("azure-gallery: %w", azure.Explain(err))
	}
	// Publish returns once the version has fully replicated, so sharing never exposes a partial version.
	if _, err := pub.Share(ctx, res, share); err != nil {
		return nil, fmt.Errorf("azure-gallery: version %s is published, but sharing it failed (re-run the build to retry; the publish is reused): %w", res.VersionID, err)
	}
	art := artifactFrom(res, p.config.ImageName)
	if p.config.communityEnabled() {
		if art.CommunityIDs, err = pub.EnableCommunity(ctx, res, p.config.ResourceGroup); err != nil {
			return nil, fmt.Errorf("azure-gallery: version %s is published, but sharing it to the community failed (re-run the build to retry; the publish is reused): %w", res.VersionID, err)
		}
	}
	return art, nil
}

// request maps the validated configuration onto the core's Request.
func (p *PostProcessor) request(src *source) gallery.Request {
	c, r := &p.config, p.resolved
	req := gallery.Request{
		SourceID: src.ImageID,
		// A VHD's storage account and region (config_source.go); empty for every other source.
		SourceStorageAccountID: src.StorageAccountID,
		SourceLocation:         vhdLocation(src),
		DataDisks:              append(c.dataDiskSpecs(), artifactDataDisks(src)...), // config_datadisk.go
		SubscriptionID:         c.SubscriptionID,
		ResourceGroup:          c.ResourceGroup,
		GalleryName:            c.GalleryName,
		CreateGallery:          c.CreateGallery,
		GalleryDescription:     c.GalleryDescription,
		DirectSharing:          len(c.ShareWithSubscriptions) > 0 || len(c.ShareWithTenants) > 0,
		Definition: gallery.DefinitionSpec{
			Name:                  c.ImageName,
			Create:                r.createImage,
			Publisher:             c.Publisher,
			Offer:                 c.Offer,
			Sku:                   c.SKU,
			OSType:                c.OSType,
			OSState:               c.OSState,
			HyperVGeneration:      c.HyperVGeneration,
			Architecture:          c.Architecture,
			SecurityType:          c.SecurityType,
			AcceleratedNetworking: r.acceleratedNetworking,
			DiskControllerTypes:   c.DiskControllerTypes,
			MinVCPUs:              deref32(c.RecommendedVCPUsMin),
			MaxVCPUs:              deref32(c.RecommendedVCPUsMax),
			MinMemoryGB:           deref32(c.RecommendedMemoryGBMin),
			MaxMemoryGB:           deref32(c.RecommendedMemoryGBMax),
			Description:           c.Description,
			Eula:                  c.EULA,
			PrivacyStatementURI:   c.PrivacyStatementURI,
			ReleaseNoteURI:        c.ReleaseNoteURI,
			EndOfLife:             r.definitionEndOfLife,
		},
		Version:                            r.version,
		Lifecycle:                          r.lifecycle,
		ReplicaCount:                       deref32(c.ReplicaCount),
		StorageAccountType:                 c.StorageAccountType,
		ReplicationMode:                    c.ReplicationMode,
		ExcludeFromLatest:                  c.ExcludeFromLatest,
		VersionEndOfLife:                   r.versionEndOfLife,
		Tags:                               c.Tags,
		AllowDeletionOfReplicatedLocations: r.allowDeletionOfReplicatedLocations,
		CleanupOnFailure:                   c.CleanupOnFailure,
		Timeout:                            c.Timeout,
	}
	// Managed images carry no architecture; the import builder passes it on, so an Arm64 import gets an
	// Arm64 definition without repeating it in the post-processor.
	if req.Definition.Architecture == "" && src.Architecture != "" {
		req.Definition.Architecture = src.Architecture
	}
	if c.PurchasePlan != nil {
		req.Definition.PurchasePlan = &gallery.PurchasePlan{Name: c.PurchasePlan.Name, Publisher: c.PurchasePlan.Publisher, Product: c.PurchasePlan.Product}
	}
	if c.BlockDeletionBeforeEndOfLife {
		block := true
		req.BlockDeletionBeforeEndOfLife = &block
	}
	for _, tr := range r.regions {
		t := gallery.TargetRegion{
			Name:                tr.Name,
			Replicas:            deref32(tr.Replicas),
			StorageAccountType:  tr.StorageAccountType,
			DiskEncryptionSetID: tr.DiskEncryptionSetID,
			// Confidential VM encryption (config_security.go).
			ConfidentialVMEncryptionType: tr.ConfidentialVMEncryptionType,
			SecureVMDiskEncryptionSetID:  tr.SecureVMDiskEncryptionSetID,
			DataDiskEncryptionSets:       dataDiskEncryptionSets(tr),
		}
		if tr.ExcludeFromLatest {
			exclude := true
			t.ExcludeFromLatest = &exclude
		}
		req.TargetRegions = append(req.TargetRegions, t)
	}
	return c.withExtras(req, r.regions) // config_storage.go
}

// artifactFrom copies the core's result into the artifact.
func artifactFrom(res *gallery.Result, imageName string) *Artifact {
	a := &Artifact{
		VersionID:      res.VersionID,
		Version:        res.Version,
		SubscriptionID: res.SubscriptionID,
		ResourceGroup:  res.ResourceGroup,
		GalleryName:    res.GalleryName,
		ImageName:      res.DefinitionName,
		SourceImageID:  res.SourceID,
		Outcome:        string(res.Outcome),
	}
	if a.ImageName == "" {
		a.ImageName = imageName
	}
	if a.SubscriptionID != "" {
		a.DefinitionID = fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Compute/galleries/%s/images/%s",
			a.SubscriptionID, a.ResourceGroup, a.GalleryName, a.ImageName)
	}
	for _, reg := range res.Regions {
		a.Regions = append(a.Regions, reg.Name)
	}
	return a
}
