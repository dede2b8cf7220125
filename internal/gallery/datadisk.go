package gallery

import (
	"fmt"
	"sort"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
)

// DataDiskSpec is one data disk of a version published from a snapshot, disk or VHD OS source
// (storageProfile.dataDiskImages, as in Azure's GalleryImageVersion_Create_WithSnapshotsAsSource and
// _WithVHD examples). A managed image source carries its own data disks instead.
type DataDiskSpec struct {
	Lun int32
	// SourceID is a snapshot or managed disk ID, or a VHD blob URI with StorageAccountID.
	SourceID         string
	StorageAccountID string
	// HostCaching is None, ReadOnly or ReadWrite ("" leaves Azure's default, None).
	HostCaching string
}

// MaxDataDiskLun is the highest LUN a VM's data disk can have (64 disks, LUN 0 to 63).
const MaxDataDiskLun = 63

// HostCachingTypes are the caching modes of a gallery data disk image.
var HostCachingTypes = []string{"None", "ReadOnly", "ReadWrite"}

// dataDiskImages is the version's dataDiskImages, in LUN order.
func dataDiskImages(dds []DataDiskSpec) []*armcompute.GalleryDataDiskImage {
	var out []*armcompute.GalleryDataDiskImage
	for _, dd := range sortedDataDisks(dds) {
		img := &armcompute.GalleryDataDiskImage{Lun: to.Ptr(dd.Lun), Source: &armcompute.GalleryDiskImageSource{}}
		if IsBlobURI(dd.SourceID) {
			img.Source.URI, img.Source.StorageAccountID = to.Ptr(dd.SourceID), to.Ptr(dd.StorageAccountID)
		} else {
			img.Source.ID = to.Ptr(dd.SourceID)
		}
		if dd.HostCaching != "" {
			img.HostCaching = to.Ptr(armcompute.HostCaching(dd.HostCaching))
		}
		out = append(out, img)
	}
	return out
}

func sortedDataDisks(dds []DataDiskSpec) []DataDiskSpec {
	out := append([]DataDiskSpec(nil), dds...)
	sort.Slice(out, func(i, j int) bool { return out[i].Lun < out[j].Lun })
	return out
}

// dataDiskEncryption is a region's data disk encryption: the region's disk encryption set for every LUN,
// unless the region names another set for that LUN.
func dataDiskEncryption(r RegionPlan, dds []DataDiskSpec, overrides map[int32]string) []*armcompute.DataDiskImageEncryption {
	var out []*armcompute.DataDiskImageEncryption
	for _, dd := range sortedDataDisks(dds) {
		des := r.DiskEncryptionSetID
		if o, ok := overrides[dd.Lun]; ok {
			des = o
		}
		if des != "" {
			out = append(out, &armcompute.DataDiskImageEncryption{Lun: to.Ptr(dd.Lun), DiskEncryptionSetID: to.Ptr(des)})
		}
	}
	return out
}

// dataDiskRules refuses data disks that Azure would not take with this source: a managed image or a
// gallery version brings its own data disks, and LUNs must be unique.
func dataDiskRules(src Source, dds []DataDiskSpec) []string {
	if len(dds) == 0 {
		return nil
	}
	var errs []string
	if src.Kind == SourceManagedImage || src.Kind == SourceGalleryImageVersion || src.Kind == SourceCommunityVersion {
		errs = append(errs, fmt.Sprintf("data_disk: a %s source carries its own data disks, and Azure takes data disk sources only next to a snapshot, disk or VHD OS disk (osDiskImage.source); remove the data_disk blocks or publish the OS disk from a snapshot", src.Kind))
	}
	seen := map[int32]bool{}
	for _, dd := range dds {
		if seen[dd.Lun] {
			errs = append(errs, fmt.Sprintf("data_disk: LUN %d is used twice; give each data disk its own lun", dd.Lun))
		}
		seen[dd.Lun] = true
	}
	return errs
}

// dataDiskOverrides are the per-LUN disk encryption sets the request names for a region.
func dataDiskOverrides(req Request, region string) map[int32]string {
	for _, tr := range req.TargetRegions {
		if NormalizeRegion(tr.Name) == region {
			return tr.DataDiskEncryptionSets
		}
	}
	return nil
}
