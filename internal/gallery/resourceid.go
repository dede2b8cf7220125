package gallery

import (
	"fmt"
	"slices"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
)

// SourceKind is the kind of resource a source ID names.
type SourceKind string

// The source kinds the plugin understands.
const (
	SourceManagedImage        SourceKind = "managed image"
	SourceGalleryImageVersion SourceKind = "gallery image version"
	SourceDisk                SourceKind = "managed disk"
	SourceSnapshot            SourceKind = "snapshot"
)

// resourceTypes maps an ARM resource type (lower case) to its kind.
var resourceTypes = map[string]SourceKind{
	"microsoft.compute/images":                    SourceManagedImage,
	"microsoft.compute/galleries/images/versions": SourceGalleryImageVersion,
	"microsoft.compute/disks":                     SourceDisk,
	"microsoft.compute/snapshots":                 SourceSnapshot,
}

// SourceID is a parsed resource ID of an image source.
type SourceID struct {
	// ID is the input, trimmed.
	ID             string
	Kind           SourceKind
	SubscriptionID string
	ResourceGroup  string
	// Name is the resource's own name (for a version, the version number).
	Name string
	// Gallery and Definition are set for a gallery image version.
	Gallery, Definition string
}

// ParseSourceID parses a resource ID and checks it names one of the allowed kinds (any known kind when
// none is given). The errors say what was found and what is expected, since users often paste an OS
// disk VHD URI or a gallery or definition ID where an image is needed.
func ParseSourceID(id string, allowed ...SourceKind) (*SourceID, error) {
	if len(allowed) == 0 {
		allowed = []SourceKind{SourceManagedImage, SourceGalleryImageVersion, SourceDisk, SourceSnapshot}
	}
	want := kindList(allowed)
	s := strings.TrimSpace(id)
	if s == "" {
		return nil, fmt.Errorf("source ID is empty; give the resource ID of a %s", want)
	}
	lower := strings.ToLower(s)
	if strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") {
		return nil, fmt.Errorf("source %q is a URL (an OS disk VHD?), not a resource ID; give the resource ID of a %s (with azure-arm, set managed_image_name and managed_image_resource_group_name)", s, want)
	}
	if IsPublicVersionID(s) { // publicid.go
		out, err := parsePublicVersionID(s)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(allowed, out.Kind) {
			return nil, fmt.Errorf("source %q is a %s, not a %s; give the resource ID of a %s", s, out.Kind, want, want)
		}
		return out, nil
	}
	rid, err := arm.ParseResourceID(s)
	if err != nil {
		return nil, fmt.Errorf("source %q is not an Azure resource ID (%w); give one like /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute/images/{name}", s, err)
	}
	typ := strings.ToLower(rid.ResourceType.String())
	kind, known := resourceTypes[typ]
	ok := false
	for _, a := range allowed {
		ok = ok || (known && a == kind)
	}
	if !ok {
		return nil, fmt.Errorf("source %q is a %s, not a %s; give the resource ID of a %s", s, rid.ResourceType.String(), want, want)
	}
	if rid.SubscriptionID == "" || rid.ResourceGroupName == "" || rid.Name == "" {
		return nil, fmt.Errorf("source %q lacks a subscription, resource group or name; give a full resource ID", s)
	}
	out := &SourceID{ID: s, Kind: kind, SubscriptionID: rid.SubscriptionID, ResourceGroup: rid.ResourceGroupName, Name: rid.Name}
	if kind == SourceGalleryImageVersion {
		if rid.Parent == nil || rid.Parent.Parent == nil {
			return nil, fmt.Errorf("source %q lacks its gallery or image definition; give a full gallery image version ID", s)
		}
		out.Definition = rid.Parent.Name
		out.Gallery = rid.Parent.Parent.Name
	}
	return out, nil
}

func kindList(kinds []SourceKind) string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
