package arm

import "net/http"

func imageKind() *kindDef {
	return &kindDef{
		Type: "Microsoft.Compute/images", Family: familyImage, OpKind: opImage, CreateStatus: http.StatusCreated,
		Prepare: prepareImage,
		Render: func(s *Service, r *resource, rc *renderCtx, body map[string]any) {
			od := obj(body, "properties", "storageProfile", "osDisk")
			if od != nil {
				od["diskSizeGB"] = (r.Meta.SizeBytes + gib - 1) / gib
			}
		},
	}
}

// prepareImage validates a managed image: an OS disk from a managed disk, a snapshot or a blob URI.
func prepareImage(s *Service, w *write) *apiError {
	p := w.res.Properties
	delete(p, "provisioningState")
	if w.old != nil {
		return conflict("PropertyChangeNotAllowed", "properties.storageProfile",
			"Changing property 'storageProfile' of an existing image is not allowed; delete the image and create it again.")
	}
	if obj(p, "sourceVirtualMachine") != nil {
		return newError(http.StatusNotFound, "NotFound", "properties.sourceVirtualMachine.id",
			"The virtual machine '%s' was not found: the emulator has no virtual machines.", str(obj(p, "sourceVirtualMachine"), "id"))
	}
	sp := obj(p, "storageProfile")
	od := obj(sp, "osDisk")
	if od == nil {
		return missingProperty("properties.storageProfile.osDisk")
	}
	if od["osType"] = oneOf(str(od, "osType"), "Windows", "Linux"); od["osType"] == "" {
		return missingProperty("properties.storageProfile.osDisk.osType")
	}
	if od["osState"] = oneOf(str(od, "osState"), "Generalized", "Specialized"); od["osState"] == "" {
		return missingProperty("properties.storageProfile.osDisk.osState")
	}
	if hv := str(p, "hyperVGeneration"); hv == "" {
		p["hyperVGeneration"] = "V1"
	} else if p["hyperVGeneration"] = oneOf(hv, "V1", "V2"); p["hyperVGeneration"] == "" {
		return invalidParameter("properties.hyperVGeneration", "The hyperVGeneration '%s' is invalid; use V1 or V2.", hv)
	}
	size, e := s.imageDiskSize(w, od, "properties.storageProfile.osDisk")
	if e != nil {
		return e
	}
	w.res.Meta.SizeBytes = size
	if str(od, "caching") == "" {
		od["caching"] = "ReadWrite"
	}
	dds := list(sp, "dataDisks")
	for i, x := range dds {
		m, _ := x.(map[string]any)
		if _, e := s.imageDiskSize(w, m, "properties.storageProfile.dataDisks["+itoa(i)+"]"); e != nil {
			return e
		}
	}
	if dds == nil {
		sp["dataDisks"] = []any{}
	}
	return nil
}

// imageDiskSize checks one image disk's source (managedDisk.id, snapshot.id or blobUri) and sizes it.
func (s *Service) imageDiskSize(w *write, d map[string]any, field string) (int64, *apiError) {
	var id, target, kind string
	switch {
	case str(obj(d, "managedDisk"), "id") != "":
		id, target, kind = str(obj(d, "managedDisk"), "id"), field+".managedDisk.id", "managedDisk"
	case str(obj(d, "snapshot"), "id") != "":
		id, target, kind = str(obj(d, "snapshot"), "id"), field+".snapshot.id", "snapshot"
	case str(d, "blobUri") != "":
		return s.blobSize(str(d, "blobUri")), nil
	default:
		return 0, invalidParameter(field, "The image disk needs a source: managedDisk.id, snapshot.id or blobUri.")
	}
	src, e := s.resolveSource(id, target)
	if e != nil {
		return 0, e
	}
	if e := arm64ImageRefusal(src, kind, target); e != nil { // version_sources.go
		return 0, e
	}
	if src.Location != w.res.Location {
		return 0, invalidParameter(target, "The source '%s' is in region '%s', but the image is in '%s'. They must be in the same region.", id, src.Location, w.res.Location)
	}
	if res := s.get("/" + trimSlash(id)); res != nil && eq(res.Type, "Microsoft.Compute/disks") {
		switch res.Meta.DiskState {
		case "ReadyToUpload", "ActiveUpload":
			return 0, conflict("OperationNotAllowed", target,
				"The disk '%s' is in state %s: it holds no data yet. Finish the upload with endGetAccess first.", res.Name, res.Meta.DiskState)
		}
	}
	return src.SizeBytes, nil
}

func trimSlash(s string) string {
	for len(s) > 0 && s[0] == '/' {
		s = s[1:]
	}
	return s
}
