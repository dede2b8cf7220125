package gallery

import (
	"context"
	"fmt"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
)

// SourceVHD is a VHD blob published straight into a version (osDiskImage.source.uri with the blob's
// storage account), as in Azure's GalleryImageVersion_Create_WithVHD example.
const SourceVHD SourceKind = "VHD blob"

// IsBlobURI reports whether a source is a blob URL rather than a resource ID.
func IsBlobURI(s string) bool {
	l := strings.ToLower(strings.TrimSpace(s))
	return strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://")
}

// CheckStorageAccountID checks the storage account that holds a VHD source: Azure needs its resource ID
// next to the blob URI (osDiskImage.source.storageAccountId).
func CheckStorageAccountID(id string) error {
	rid, err := arm.ParseResourceID(strings.TrimSpace(id))
	if err != nil {
		return fmt.Errorf("%q is not an Azure resource ID; give the storage account's ID, /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/{name}", id)
	}
	if !strings.EqualFold(rid.ResourceType.String(), "Microsoft.Storage/storageAccounts") || rid.SubscriptionID == "" || rid.ResourceGroupName == "" {
		return fmt.Errorf("%q is a %s, not a Microsoft.Storage/storageAccounts; give the ID of the storage account that holds the VHD", id, rid.ResourceType.String())
	}
	return nil
}

// requestSourceKinds are the sources a Request may name by ID (a direct-shared version parses, so that
// its refusal names Azure's rule: observeCommunitySource).
var requestSourceKinds = []SourceKind{SourceManagedImage, SourceGalleryImageVersion, SourceDisk, SourceSnapshot, SourceCommunityVersion, SourceSharedVersion}

// parseRequestSource parses Request.SourceID: a VHD blob URI (with Request.SourceStorageAccountID) or the
// resource ID of a managed image, a gallery image version, a snapshot or a managed disk.
func parseRequestSource(req Request) (*SourceID, error) {
	if !IsBlobURI(req.SourceID) {
		return ParseSourceID(req.SourceID, requestSourceKinds...)
	}
	if req.SourceStorageAccountID == "" {
		return nil, fmt.Errorf("source %q is a VHD blob, and Azure needs its storage account: set source_storage_account_id", req.SourceID)
	}
	if err := CheckStorageAccountID(req.SourceStorageAccountID); err != nil {
		return nil, fmt.Errorf("source_storage_account_id: %w", err)
	}
	rid, _ := arm.ParseResourceID(strings.TrimSpace(req.SourceStorageAccountID))
	return &SourceID{ID: strings.TrimSpace(req.SourceID), Kind: SourceVHD, SubscriptionID: rid.SubscriptionID,
		ResourceGroup: rid.ResourceGroupName, Name: rid.Name}, nil
}

// observeDiskSource reads a snapshot, a managed disk or a VHD source. Snapshots and disks say their OS
// type, Hyper-V generation, architecture (supportedCapabilities) and security type; a VHD says none of
// them, so those come from the configuration, and its region from source_location or the gallery.
func (p *Publisher) observeDiskSource(ctx context.Context, req Request, src *SourceID) (Source, error) {
	out := Source{ID: src.ID, Kind: src.Kind, SubscriptionID: src.SubscriptionID}
	if src.Kind == SourceVHD {
		out.StorageAccountID = strings.TrimSpace(req.SourceStorageAccountID)
		loc, err := p.sourceRegion(ctx, req, fmt.Sprintf("source %s is a VHD blob, whose region Azure cannot tell", src.ID), "the storage account's region")
		out.Location = loc
		return out, err
	}
	cf, err := p.sess.Compute(src.SubscriptionID)
	if err != nil {
		return Source{}, err
	}
	var d diskFacts
	if src.Kind == SourceSnapshot {
		s, err := cf.NewSnapshotsClient().Get(ctx, src.ResourceGroup, src.Name, nil)
		if err != nil {
			return Source{}, fmt.Errorf("reading source snapshot %s: %w", src.ID, azure.Explain(err))
		}
		d = diskFacts{location: deref(s.Location)}
		if pr := s.Properties; pr != nil {
			d.osType, d.hyperV, d.caps, d.sec = pr.OSType, pr.HyperVGeneration, pr.SupportedCapabilities, pr.SecurityProfile
			d.sizeGB, d.state = deref(pr.DiskSizeGB), deref(pr.ProvisioningState)
		}
	} else {
		s, err := cf.NewDisksClient().Get(ctx, src.ResourceGroup, src.Name, nil)
		if err != nil {
			return Source{}, fmt.Errorf("reading source disk %s: %w", src.ID, azure.Explain(err))
		}
		d = diskFacts{location: deref(s.Location)}
		if pr := s.Properties; pr != nil {
			d.osType, d.hyperV, d.caps, d.sec = pr.OSType, pr.HyperVGeneration, pr.SupportedCapabilities, pr.SecurityProfile
			d.sizeGB, d.state = deref(pr.DiskSizeGB), deref(pr.ProvisioningState)
		}
	}
	d.fill(&out)
	return out, nil
}

// sourceRegion is the region of a source whose ID does not say it (a VHD blob, a community version):
// source_location, else the gallery's region. what says why the region is needed, hint what to set.
func (p *Publisher) sourceRegion(ctx context.Context, req Request, what, hint string) (string, error) {
	if loc := NormalizeRegion(req.SourceLocation); loc != "" {
		return loc, nil
	}
	cf, err := p.sess.Compute(req.SubscriptionID)
	if err != nil {
		return "", err
	}
	g, err := cf.NewGalleriesClient().Get(ctx, req.ResourceGroup, req.GalleryName, nil)
	if err != nil {
		if azure.IsNotFound(err) {
			return "", fmt.Errorf("%s, and gallery %s does not exist yet: set source_location to %s", what, req.GalleryName, hint)
		}
		return "", fmt.Errorf("reading gallery %s: %w", req.GalleryName, azure.Explain(err))
	}
	return NormalizeRegion(deref(g.Location)), nil
}

// diskFacts are the fields a snapshot and a disk share.
type diskFacts struct {
	location string
	osType   *armcompute.OperatingSystemTypes
	hyperV   *armcompute.HyperVGeneration
	caps     *armcompute.SupportedCapabilities
	sec      *armcompute.DiskSecurityProfile
	sizeGB   int32
	state    string
}

func (d diskFacts) fill(out *Source) {
	out.Location = NormalizeRegion(d.location)
	out.OSType, out.HyperVGeneration = enumString(d.osType), enumString(d.hyperV)
	if d.caps != nil {
		out.Architecture = enumString(d.caps.Architecture)
	}
	if d.sec != nil {
		out.DiskSecurityType = enumString(d.sec.SecurityType)
	}
	out.SizeGiB, out.ProvisioningState = int64(d.sizeGB), d.state
}

// storageProfile is the version's storageProfile for its source: a managed image or a gallery version
// goes in storageProfile.source.id; a snapshot or a disk in osDiskImage.source.id; a VHD in
// osDiskImage.source.{uri, storageAccountId}.
// Data disks go in dataDiskImages.
func storageProfile(src Source, dds []DataDiskSpec) *armcompute.GalleryImageVersionStorageProfile {
	sp := &armcompute.GalleryImageVersionStorageProfile{DataDiskImages: dataDiskImages(dds)}
	switch src.Kind {
	case SourceSnapshot, SourceDisk:
		sp.OSDiskImage = &armcompute.GalleryOSDiskImage{Source: &armcompute.GalleryDiskImageSource{ID: to.Ptr(src.ID)}}
	case SourceVHD:
		sp.OSDiskImage = &armcompute.GalleryOSDiskImage{
			Source: &armcompute.GalleryDiskImageSource{URI: to.Ptr(src.ID), StorageAccountID: to.Ptr(src.StorageAccountID)}}
	case SourceCommunityVersion:
		// GalleryImageVersion_Create_WithCommunityImageVersionAsSource.json: storageProfile.source.communityGalleryImageId.
		sp.Source = &armcompute.GalleryArtifactVersionFullSource{CommunityGalleryImageID: to.Ptr(src.ID)}
	default:
		sp.Source = &armcompute.GalleryArtifactVersionFullSource{ID: to.Ptr(src.ID)}
	}
	return sp
}

// StorageSourceID is the source an existing version names: storageProfile.source.id (or
// communityGalleryImageId), or its OS disk
// image's source ID or URI.
func StorageSourceID(sp *armcompute.GalleryImageVersionStorageProfile) string {
	if sp == nil {
		return ""
	}
	if sp.Source != nil && deref(sp.Source.ID) != "" {
		return deref(sp.Source.ID)
	}
	if sp.Source != nil && deref(sp.Source.CommunityGalleryImageID) != "" {
		return deref(sp.Source.CommunityGalleryImageID)
	}
	if od := sp.OSDiskImage; od != nil && od.Source != nil {
		if id := deref(od.Source.ID); id != "" {
			return id
		}
		return deref(od.Source.URI)
	}
	return ""
}

// regionEncryption is a target region's encryption: the disk encryption set for the OS disk and every
// data disk (datadisk.go) and, for a Confidential VM image, the OS disk's securityProfile
// (OSDiskImageSecurityProfile).
func regionEncryption(r RegionPlan, req Request) *armcompute.EncryptionImages {
	data := dataDiskEncryption(r, req.DataDisks, dataDiskOverrides(req, r.Name))
	if r.DiskEncryptionSetID == "" && r.ConfidentialVMEncryptionType == "" {
		if len(data) == 0 {
			return nil
		}
		return &armcompute.EncryptionImages{DataDiskImages: data}
	}
	od := &armcompute.OSDiskImageEncryption{}
	if r.DiskEncryptionSetID != "" {
		od.DiskEncryptionSetID = to.Ptr(r.DiskEncryptionSetID)
	}
	if r.ConfidentialVMEncryptionType != "" {
		od.SecurityProfile = &armcompute.OSDiskImageSecurityProfile{
			ConfidentialVMEncryptionType: to.Ptr(armcompute.ConfidentialVMEncryptionType(r.ConfidentialVMEncryptionType))}
		if r.SecureVMDiskEncryptionSetID != "" {
			od.SecurityProfile.SecureVMDiskEncryptionSetID = to.Ptr(r.SecureVMDiskEncryptionSetID)
		}
	}
	return &armcompute.EncryptionImages{OSDiskImage: od, DataDiskImages: data}
}
