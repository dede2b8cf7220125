package arm

import (
	"strings"
)

// sourceInfo is what a version or image needs to know about its source.
type sourceInfo struct {
	ID        string
	Location  string
	SizeBytes int64
	HyperV    string // "" when the source does not say
	OSState   string // "" when the source does not say
	OSType    string
	Type      string // the ARM type of a resource source; "" for a blob
	// Architecture and SecurityType are a snapshot's or disk's supportedCapabilities.architecture and
	// securityProfile.securityType ("" when it does not say).
	Architecture, SecurityType string
}

// defaultBlobSize is assumed for blob sources the emulator cannot measure (no Azurite endpoint).
const defaultBlobSize = 30 * gib

// resolveSource finds a source resource by id: a managed image, a gallery image version, a snapshot
// or a disk. Virtual machines are not emulated, so a virtualMachineId is never found.
func (s *Service) resolveSource(id, target string) (*sourceInfo, *apiError) {
	norm := "/" + strings.TrimPrefix(strings.TrimSpace(id), "/")
	res := s.get(norm)
	if res == nil {
		return nil, sourceNotFound(id, target)
	}
	info := &sourceInfo{ID: res.ID, Location: res.Location, SizeBytes: res.Meta.SizeBytes, Type: res.Type}
	p := res.Properties
	switch {
	case eq(res.Type, "Microsoft.Compute/images"):
		od := obj(p, "storageProfile", "osDisk")
		info.HyperV = str(p, "hyperVGeneration")
		if info.HyperV == "" {
			info.HyperV = "V1"
		}
		info.OSState, info.OSType = str(od, "osState"), str(od, "osType")
	case eq(res.Type, "Microsoft.Compute/galleries/images/versions"):
		def := s.get(parentOf(res.ID))
		if def != nil {
			info.HyperV, info.OSState, info.OSType = str(def.Properties, "hyperVGeneration"), str(def.Properties, "osState"), str(def.Properties, "osType")
		}
	case eq(res.Type, "Microsoft.Compute/snapshots"), eq(res.Type, "Microsoft.Compute/disks"):
		info.HyperV, info.OSType = str(p, "hyperVGeneration"), str(p, "osType")
		info.Architecture, info.SecurityType = str(obj(p, "supportedCapabilities"), "architecture"), str(obj(p, "securityProfile"), "securityType")
	default:
		return nil, invalidParameter(target, "The resource '%s' of type '%s' cannot be used as a source.", id, res.Type)
	}
	return info, nil
}

// parentOf strips the last type/name pair from an id.
func parentOf(id string) string {
	i := strings.LastIndex(id, "/")
	if i <= 0 {
		return ""
	}
	j := strings.LastIndex(id[:i], "/")
	if j <= 0 {
		return ""
	}
	return id[:j]
}

// blobSize is the data size of a blob source, measured in Azurite when the uri is on its endpoint.
// A fixed VHD (whole MiB plus the 512-byte footer) counts without its footer, as a disk made from it
// would.
func (s *Service) blobSize(uri string) int64 {
	if s.blob != nil {
		if n, ok := s.blob.sizeOfURL(uri); ok {
			if n > vhdFooter && (n-vhdFooter)%mib == 0 {
				return n - vhdFooter
			}
			return n
		}
	}
	return defaultBlobSize
}
