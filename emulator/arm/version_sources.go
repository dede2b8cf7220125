package arm

import "strings"

// Snapshot, disk and VHD sources of gallery image versions, as in Azure's
// GalleryImageVersion_Create_WithSnapshotsAsSource and GalleryImageVersion_Create_WithVHD examples
// (osDiskImage.source.id, osDiskImage.source.{uri, storageAccountId}), with the refusals Azure returns
// for them. Each behaviour's source is listed in docs/emulator.md.

// confidentialVMEncryptionTypes are OSDiskImageSecurityProfile.confidentialVMEncryptionType's values
// (GalleryRP 2026-03-03).
var confidentialVMEncryptionTypes = []string{"EncryptedVMGuestStateOnlyWithPmk", "EncryptedWithPmk", "EncryptedWithCmk", "NonPersistedTPM"}

// checkVersionSources applies the rules of a version's sources against its definition, before the PUT
// is accepted: a VHD needs its storage account; a ConfidentialVM definition takes snapshots, disks and
// VMs only (packer-plugin-azure#372 quotes Azure's answer); OSDiskImageSecurityProfile's values.
func (s *Service) checkVersionSources(w *write, def *resource) *apiError {
	st := obj(w.res.Properties, "storageProfile")
	osSrc := obj(st, "osDiskImage", "source")
	if str(osSrc, "uri") != "" && str(osSrc, "storageAccountId") == "" {
		return missingProperty("properties.storageProfile.osDiskImage.source.storageAccountId")
	}
	for i, dd := range list(st, "dataDiskImages") {
		m, _ := dd.(map[string]any)
		if str(obj(m, "source"), "uri") != "" && str(obj(m, "source"), "storageAccountId") == "" {
			return missingProperty("properties.storageProfile.dataDiskImages[" + itoa(i) + "].source.storageAccountId")
		}
	}
	if eq(featureValue(def.Properties, "SecurityType"), "ConfidentialVM") {
		id := str(obj(st, "source"), "id")
		if id == "" {
			id = str(osSrc, "id")
		}
		isImage := strings.Contains(strings.ToLower(id), "/providers/microsoft.compute/images/")
		if isImage || (id == "" && str(osSrc, "uri") != "") {
			if id == "" {
				id = str(osSrc, "uri")
			}
			return invalidParameter("galleryImageVersion.properties.storageProfile.osDiskImage.source.id",
				"Confidential VM is not supported for the source id '%s'. Currently Snapshot, Disk and VM sources are supported for the Confidential VM security type.", id)
		}
	}
	for i, x := range list(obj(w.res.Properties, "publishingProfile"), "targetRegions") {
		m, _ := x.(map[string]any)
		sp := obj(m, "encryption", "osDiskImage", "securityProfile")
		if sp == nil {
			continue
		}
		field := "properties.publishingProfile.targetRegions[" + itoa(i) + "].encryption.osDiskImage.securityProfile"
		t := str(sp, "confidentialVMEncryptionType")
		if t != "" {
			if sp["confidentialVMEncryptionType"] = oneOf(t, confidentialVMEncryptionTypes...); sp["confidentialVMEncryptionType"] == "" {
				return invalidParameter(field+".confidentialVMEncryptionType", "The value '%s' is not valid for confidentialVMEncryptionType; use one of %s.", t, strings.Join(confidentialVMEncryptionTypes, ", "))
			}
		}
		if eq(t, "EncryptedWithCmk") && str(sp, "secureVMDiskEncryptionSetId") == "" {
			return missingProperty(field + ".secureVMDiskEncryptionSetId")
		}
	}
	return nil
}

// arm64ImageRefusal is Azure's refusal of a managed image from an Arm64 snapshot or disk: managed images
// are x64 only (409 OperationNotAllowed, azure-sdk-for-go#19665; packer-plugin-azure#286 for VMs).
func arm64ImageRefusal(src *sourceInfo, kind, target string) *apiError {
	if !eq(src.Architecture, "Arm64") {
		return nil
	}
	return conflict("OperationNotAllowed", target,
		"Creating an image with %s source that has CPU Architecture 'Arm64' is not supported. Please select a source resource with a supported CPU Architecture: 'x64'.", kind)
}

// inheritCapabilities gives a disk or snapshot copied from a source the source's architecture and
// security type, as Azure copies supportedCapabilities and securityProfile.
func inheritCapabilities(p map[string]any, src *sourceInfo) {
	if src.Architecture != "" && str(obj(p, "supportedCapabilities"), "architecture") == "" {
		ensureObj(p, "supportedCapabilities")["architecture"] = src.Architecture
	}
	if src.SecurityType != "" && str(obj(p, "securityProfile"), "securityType") == "" {
		ensureObj(p, "securityProfile")["securityType"] = src.SecurityType
	}
}

// renderDataDiskImages fills each data disk image's sizeInGB from its source, and hostCaching with
// Azure's data disk default None, as the _WithSnapshotsAsSource example's response shows.
func (s *Service) renderDataDiskImages(st map[string]any) {
	for _, x := range list(st, "dataDiskImages") {
		m, ok := x.(map[string]any)
		if !ok {
			continue
		}
		if str(m, "hostCaching") == "" {
			m["hostCaching"] = "None"
		}
		src := obj(m, "source")
		size := int64(0)
		if id := str(src, "id"); id != "" {
			if r := s.get("/" + trimSlash(id)); r != nil {
				size = r.Meta.SizeBytes
			}
		} else if uri := str(src, "uri"); uri != "" {
			size = s.blobSize(uri)
		}
		if size > 0 {
			m["sizeInGB"] = (size + gib - 1) / gib
		}
	}
}
