package arm

import (
	"net/http"
	"time"

	"github.com/google/uuid"
)

const (
	mib        = 1 << 20
	vhdFooter  = 512
	maxSASSecs = 7 * 24 * 3600
)

func diskKind() *kindDef {
	return &kindDef{
		Type: "Microsoft.Compute/disks", Family: familyDisk, OpKind: opDisk, CreateStatus: http.StatusAccepted,
		Prepare:   prepareDisk,
		CanDelete: refuseActiveSAS,
		Deleted:   deleteBlob,
		Render:    renderDisk,
		Actions: map[string]func(*Service, *reqCtx, *resource) *apiError{
			"begingetaccess": beginGetAccess,
			"endgetaccess":   endGetAccess,
		},
	}
}

func snapshotKind() *kindDef {
	return &kindDef{
		Type: "Microsoft.Compute/snapshots", Family: familyDisk, OpKind: opDisk, CreateStatus: http.StatusAccepted,
		Prepare:   prepareDisk,
		CanDelete: refuseActiveSAS,
		Deleted:   deleteBlob,
		Render:    renderDisk,
		Actions: map[string]func(*Service, *reqCtx, *resource) *apiError{
			"begingetaccess": beginGetAccess,
			"endgetaccess":   endGetAccess,
		},
	}
}

func isSnapshot(r *resource) bool { return eq(r.Type, "Microsoft.Compute/snapshots") }

// prepareDisk validates creationData for a disk or a snapshot and sets its state and size.
func prepareDisk(s *Service, w *write) *apiError {
	p := w.res.Properties
	for _, k := range []string{"provisioningState", "diskState", "timeCreated", "uniqueId", "diskSizeBytes"} {
		delete(p, k)
	}
	cd := obj(p, "creationData")
	if cd == nil || str(cd, "createOption") == "" {
		return missingProperty("properties.creationData.createOption")
	}
	if w.old != nil {
		if e := immutable(w.old.Properties, p, "properties", "creationData.createOption", "creationData.sourceResourceId", "creationData.sourceUri"); e != nil {
			return e
		}
		return nil // size changes and other updates keep the stored state
	}
	snap := isSnapshot(w.res)
	opt := str(cd, "createOption")
	switch {
	case !snap && (eq(opt, "Upload") || eq(opt, "UploadPreparedSecure")):
		n, ok := num(cd, "uploadSizeBytes")
		if !ok {
			return missingProperty("properties.creationData.uploadSizeBytes")
		}
		if n < 20*mib+vhdFooter || (n-vhdFooter)%mib != 0 {
			return invalidParameter("properties.creationData.uploadSizeBytes",
				"The uploadSizeBytes %d is invalid: it must be the size of a fixed VHD, a whole number of MiB (at least 20 MiB) plus the 512-byte footer.", n)
		}
		w.res.Meta.SizeBytes, w.res.Meta.DiskState = n-vhdFooter, "ReadyToUpload"
	case !snap && eq(opt, "Empty"):
		gb, ok := num(p, "diskSizeGB")
		if !ok || gb < 1 {
			return missingProperty("properties.diskSizeGB")
		}
		w.res.Meta.SizeBytes, w.res.Meta.DiskState = gb*gib, "Unattached"
	case eq(opt, "Import"):
		uri := str(cd, "sourceUri")
		if uri == "" {
			return missingProperty("properties.creationData.sourceUri")
		}
		w.res.Meta.SizeBytes, w.res.Meta.DiskState = s.blobSize(uri), "Unattached"
	case eq(opt, "Copy") || eq(opt, "CopyStart"):
		if e := prepareDiskCopy(s, w, cd, opt); e != nil {
			return e
		}
	default:
		return invalidParameter("properties.creationData.createOption",
			"The createOption '%s' is not supported by the emulator for %s; use Upload, Empty, Import or Copy.", opt, w.kd.shortType())
	}
	if snap {
		w.res.Meta.DiskState = "Unattached"
	}
	if w.res.Extra == nil || w.res.Extra["sku"] == nil {
		if w.res.Extra == nil {
			w.res.Extra = map[string]any{}
		}
		w.res.Extra["sku"] = map[string]any{"name": "Standard_LRS", "tier": "Standard"}
	}
	return nil
}

// prepareDiskCopy applies a Copy or CopyStart: the source must exist (in the same region, for Copy); the
// new disk or snapshot takes its OS type, generation, capabilities and size, and a copy of its blob.
func prepareDiskCopy(s *Service, w *write, cd map[string]any, opt string) *apiError {
	p := w.res.Properties
	id := str(cd, "sourceResourceId")
	if id == "" {
		return missingProperty("properties.creationData.sourceResourceId")
	}
	src, e := s.resolveSource(id, "properties.creationData.sourceResourceId")
	if e != nil {
		return e
	}
	if src.Location != w.res.Location && !eq(opt, "CopyStart") {
		return invalidParameter("properties.creationData.sourceResourceId", "The source '%s' is in region '%s', but the %s is in '%s'.", id, src.Location, w.kd.shortType(), w.res.Location)
	}
	for k, v := range map[string]string{"osType": src.OSType, "hyperVGeneration": src.HyperV} {
		if str(p, k) == "" && v != "" {
			p[k] = v
		}
	}
	inheritCapabilities(p, src) // version_sources.go
	w.res.Meta.SizeBytes, w.res.Meta.DiskState = src.SizeBytes, "Unattached"
	if srcRes := s.get("/" + trimSlash(id)); srcRes != nil && srcRes.Meta.BlobName != "" && s.blob != nil {
		from := srcRes.Meta.BlobName
		name := uuid.NewString() + ".vhd"
		w.res.Meta.BlobName = name
		prev := w.onCommit
		w.onCommit = func() {
			if prev != nil {
				prev()
			}
			if err := s.blob.copyBlob(from, name); err != nil {
				w.res.Meta.BlobName = ""
			}
		}
	}
	return nil
}

func renderDisk(s *Service, r *resource, rc *renderCtx, body map[string]any) {
	p := obj(body, "properties")
	p["diskState"] = r.Meta.DiskState
	p["diskSizeGB"] = (r.Meta.SizeBytes + gib - 1) / gib
	p["diskSizeBytes"] = r.Meta.SizeBytes
	p["timeCreated"] = timeString(r.Meta.Created)
	p["uniqueId"] = uuid.NewSHA1(uuid.NameSpaceURL, []byte(key(r.ID))).String()
	if _, ok := p["encryption"]; !ok {
		p["encryption"] = map[string]any{"type": "EncryptionAtRestWithPlatformKey"}
	}
}

func refuseActiveSAS(s *Service, rc *reqCtx, r *resource) *apiError {
	if r.Meta.DiskState == "ActiveUpload" || r.Meta.DiskState == "ActiveSAS" {
		return conflict("OperationNotAllowed", "",
			"The %s '%s' has an active SAS (state %s). Revoke it with endGetAccess before deleting.", r.Type, r.Name, r.Meta.DiskState)
	}
	return nil
}

func deleteBlob(s *Service, r *resource) {
	if r.Meta.BlobName != "" && s.blob != nil {
		_ = s.blob.delete(r.Meta.BlobName)
	}
}

// beginGetAccess grants a SAS: write on a disk awaiting upload (a page blob of exactly
// uploadSizeBytes), read otherwise. The SAS is the operation's final result.
func beginGetAccess(s *Service, rc *reqCtx, d *resource) *apiError {
	body, e := readBody(rc.r)
	if e != nil {
		return e
	}
	access := oneOf(str(body, "access"), "None", "Read", "Write")
	if access == "" || access == "None" {
		return invalidParameter("grantAccessData.access", "The access '%s' is invalid; use Read or Write.", str(body, "access"))
	}
	secs, ok := num(body, "durationInSeconds")
	if !ok || secs < 1 || secs > maxSASSecs {
		return invalidParameter("grantAccessData.durationInSeconds", "The durationInSeconds must be between 1 and %d.", maxSASSecs)
	}
	if s.blob == nil {
		return badRequest("OperationNotAllowed", "", "%v.", errNoBlobEndpoint)
	}
	write := access == "Write"
	switch {
	case write && d.Meta.DiskState != "ReadyToUpload":
		return conflict("OperationNotAllowed", "grantAccessData.access",
			"Write access can be granted only to a disk in state ReadyToUpload; '%s' is %s.", d.Name, d.Meta.DiskState)
	case !write && (d.Meta.DiskState == "ReadyToUpload" || d.Meta.DiskState == "ActiveUpload"):
		return conflict("OperationNotAllowed", "grantAccessData.access",
			"Read access cannot be granted to '%s' in state %s: it holds no data yet.", d.Name, d.Meta.DiskState)
	}
	if d.Meta.BlobName == "" {
		name := uuid.NewString() + ".vhd"
		size := d.Meta.SizeBytes
		if write {
			size += vhdFooter
		}
		if err := s.blob.createPageBlob(name, size); err != nil {
			return internalError(err)
		}
		d.Meta.BlobName = name
	}
	// Azurite checks SAS times against the wall clock, not the emulator's (possibly injected) clock.
	sasURL, err := s.blob.sasURL(d.Meta.BlobName, write, time.Now().Add(time.Duration(secs)*time.Second))
	if err != nil {
		return internalError(err)
	}
	if write {
		d.Meta.DiskState = "ActiveUpload"
	} else {
		d.Meta.DiskState = "ActiveSAS"
	}
	d.Meta.AccessSAS = sasURL
	op := s.newOperation(rc, opDisk, d.Location, key(d.ID), "grantAccess", rc.now.Add(s.opts.OperationDelay))
	op.Output = map[string]any{"accessSAS": sasURL}
	if e := s.commit(); e != nil {
		return e
	}
	s.setAsyncHeaders(rc, op)
	rc.w.WriteHeader(http.StatusAccepted)
	return nil
}

// endGetAccess revokes the SAS. After an upload that wrote data the disk becomes Unattached;
// with nothing written it goes back to ReadyToUpload.
func endGetAccess(s *Service, rc *reqCtx, d *resource) *apiError {
	switch d.Meta.DiskState {
	case "ActiveUpload":
		written := false
		if s.blob != nil && d.Meta.BlobName != "" {
			ok, err := s.blob.hasData(d.Meta.BlobName)
			if err != nil {
				return internalError(err)
			}
			written = ok
		}
		if written {
			d.Meta.DiskState, d.Meta.Uploaded = "Unattached", true
		} else {
			d.Meta.DiskState = "ReadyToUpload"
		}
	case "ActiveSAS":
		d.Meta.DiskState = "Unattached"
	}
	d.Meta.AccessSAS = ""
	op := s.newOperation(rc, opDisk, d.Location, key(d.ID), "revokeAccess", rc.now.Add(s.opts.OperationDelay))
	if e := s.commit(); e != nil {
		return e
	}
	s.setAsyncHeaders(rc, op)
	rc.w.WriteHeader(http.StatusAccepted)
	return nil
}
