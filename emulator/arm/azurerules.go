package arm

import (
	"net/http"
	"regexp"
	"strings"
	"time"
)

// Azure's own checks and messages that GalleryRP and ARM apply to every write, gathered in one place.
// docs/emulator.md ("Codes and messages") cites where each was taken from.

// entityNameRule is GalleryRP's rule for gallery image definition names, as its InvalidParameter message
// prints it (.NET syntax). Go's regexp has no look-behind, so entityNameRE checks the body and
// validEntityName refuses the trailing characters.
const entityNameRule = `^[^_\W][\w-._]{0,79}(?<![-.])$`

// galleryNameRule is the same rule for galleries, which do not allow hyphens.
const galleryNameRule = `^[^_\W][\w._]{0,79}(?<![.])$`

var (
	entityNameRE  = regexp.MustCompile(`^[A-Za-z0-9][\w\-.]{0,79}$`)
	galleryNameRE = regexp.MustCompile(`^[A-Za-z0-9][\w.]{0,79}$`)
)

// validEntityName applies entityNameRule (gallery: galleryNameRule).
func validEntityName(name string, gallery bool) bool {
	if gallery {
		return galleryNameRE.MatchString(name) && !strings.HasSuffix(name, ".")
	}
	return entityNameRE.MatchString(name) && !strings.HasSuffix(name, ".") && !strings.HasSuffix(name, "-")
}

// invalidEntityName is GalleryRP's refusal of a name, naming the path parameter and the rule.
func invalidEntityName(param, rule string) *apiError {
	return invalidParameter(param, "The entity name '%s' is invalid according to its validation rule: %s.", param, rule)
}

// Tag limits of ARM: at most 50 tags per resource, names up to 512 and values up to 256 characters.
const (
	maxTags        = 50
	maxTagNameLen  = 512
	maxTagValueLen = 256
)

// checkTags applies ARM's tag limits to a write.
func checkTags(tags map[string]string) *apiError {
	if len(tags) > maxTags {
		return badRequest("InvalidTag", "tags",
			"The resource has %d tags; a resource can have at most %d tags.", len(tags), maxTags)
	}
	for k, v := range tags {
		if len(k) > maxTagNameLen {
			return badRequest("InvalidTagNameLength", "tags",
				"The tag name '%s...' exceeds the maximum length of %d characters.", k[:32], maxTagNameLen)
		}
		if len(v) > maxTagValueLen {
			return badRequest("InvalidTagValueLength", "tags",
				"The value of tag '%s' exceeds the maximum length of %d characters.", k, maxTagValueLen)
		}
	}
	return nil
}

// checkEndOfLifeFuture refuses a definition end of life that has passed, as GalleryRP does on a write.
func checkEndOfLifeFuture(p map[string]any, target string, now time.Time) *apiError {
	eol := str(p, "endOfLifeDate")
	if eol == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, eol)
	if err != nil {
		return invalidParameter(target, "The endOfLifeDate '%s' is not an RFC 3339 date-time.", eol)
	}
	if !t.After(now) {
		return invalidParameter(target, "EndOfLifeDate must be set to a future date.")
	}
	return nil
}

// duplicateIdentifier refuses a second definition with the same publisher, offer and sku in one gallery.
func (s *Service) duplicateIdentifier(w *write) *apiError {
	id := obj(w.res.Properties, "identifier")
	for _, other := range s.children(parentOf(w.res.ID), "images") {
		if eq(other.ID, w.res.ID) {
			continue
		}
		oid := obj(other.Properties, "identifier")
		if eq(str(oid, "publisher"), str(id, "publisher")) && eq(str(oid, "offer"), str(id, "offer")) && eq(str(oid, "sku"), str(id, "sku")) {
			return conflict("OperationNotAllowed", "",
				"Gallery image: %s already exists with the publisher: '%s', offer: '%s', sku: '%s'. Choose a different publisher, offer, sku combination.",
				other.Name, str(oid, "publisher"), str(oid, "offer"), str(oid, "sku"))
		}
	}
	return nil
}

// sourceNotFound is GalleryRP's answer for a source that does not exist or is in another region than
// the version: it cannot tell the two apart, as it looks for the source in the version's region.
func sourceNotFound(id, target string) *apiError {
	return newError(http.StatusNotFound, "NotFound", target,
		"Source '%s' is not found. Please check source exists, and is in the same region as gallery image version being created.", id)
}

// osStateMismatch is GalleryRP's refusal of a source whose OS state differs from the definition's.
func osStateMismatch(id, srcState, defState string) *apiError {
	return badRequest("BadRequest", "properties.storageProfile.source.id",
		"The source '%s' has a different OS state ['%s'] than the parent gallery image OS state ['%s'].", id, srcState, defState)
}

// supportedOnlyTypes are the definition security types for which GalleryRP accepts only a VHD blob, a
// managed image or a gallery image version as the source.
var supportedOnlyTypes = []string{"TrustedLaunchSupported", "TrustedLaunchAndConfidentialVmSupported"}

// checkSecurityType refuses a disk, snapshot or virtual machine source for a definition whose security
// type is TrustedLaunchSupported (or TrustedLaunchAndConfidentialVmSupported).
func checkSecurityType(def *resource, src *sourceInfo) *apiError {
	st := featureValue(def.Properties, "SecurityType")
	if st == "" || src.Type == "" || eq(src.Type, "Microsoft.Compute/images") || eq(src.Type, "Microsoft.Compute/galleries/images/versions") {
		return nil
	}
	for _, t := range supportedOnlyTypes {
		if eq(t, st) {
			return invalidParameter("galleryImageVersion.properties.storageProfile.source.id",
				"The security type '%s' is not supported for the source id '%s'. Currently only Vhd Blob, User Image and Gallery Image Version sources are supported for '%s' images.", st, src.ID, st)
		}
	}
	return nil
}

func featureValue(p map[string]any, name string) string {
	for _, f := range list(p, "features") {
		if m, ok := f.(map[string]any); ok && eq(str(m, "name"), name) {
			return str(m, "value")
		}
	}
	return ""
}

// armPath names a resource as ARM's 404 messages do: the type segments interleaved with the names,
// 'Microsoft.Compute/galleries/G/images/I/versions/V'.
func armPath(kd *kindDef, id string) string {
	seg := segments(id)
	var b strings.Builder
	b.WriteString("Microsoft.Compute")
	for i := 6; i+1 < len(seg); i += 2 {
		b.WriteString("/" + kd.typeSegs()[(i-6)/2] + "/" + seg[i+1])
	}
	return b.String()
}

// missingAncestor is the shallowest missing ancestor of a nested resource id (types[i]/names[i] pairs
// under the resource group), named by its name path ('G' or 'G/I'); "" when all exist.
func (s *Service) missingAncestor(id string, depth int) string {
	seg := segments(id)
	var names []string
	cur := strings.Join(seg[:6], "/")
	for i := 6; i+1 < len(seg) && len(names) < depth; i += 2 {
		cur += "/" + seg[i] + "/" + seg[i+1]
		names = append(names, seg[i+1])
		if s.get("/"+cur) == nil {
			return strings.Join(names, "/")
		}
	}
	return ""
}
