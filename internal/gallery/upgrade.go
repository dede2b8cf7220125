package gallery

import (
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
)

// The Trusted Launch upgrade in place. Azure lets an existing generation 2 definition of security type
// Standard become TrustedLaunchSupported: the definition's SecurityType feature is updated with
// startsAtVersion (the first version that carries it) and allowUpdateImage = true, as in Azure's
// GalleryImage_UpdateFeatures example and Microsoft's "Trusted Launch for existing gallery images" page.
// Every other security type change (to TrustedLaunch or a Confidential VM type, any downgrade, or a
// generation 1 definition) needs a new definition, and Plan refuses it with definitionDiff's message.

// securityUpgrade reports whether the existing definition ex can become want's security type in place.
func securityUpgrade(want DefinitionSpec, ex *ObservedDefinition) bool {
	return strings.EqualFold(orDefault(ex.SecurityType, defaultSecurityType), "Standard") &&
		strings.EqualFold(want.SecurityType, "TrustedLaunchSupported") &&
		strings.EqualFold(ex.HyperVGeneration, "V2")
}

// withoutUpgrade is want with an in-place security upgrade taken out, for definitionDiff.
func withoutUpgrade(want DefinitionSpec, ex *ObservedDefinition) DefinitionSpec {
	if securityUpgrade(want, ex) {
		want.SecurityType = ""
	}
	return want
}

// upgradeChanges is the security_type change of an in-place upgrade, or nil.
func upgradeChanges(want DefinitionSpec, ex *ObservedDefinition) []FieldChange {
	if !securityUpgrade(want, ex) {
		return nil
	}
	return []FieldChange{{Field: "security_type", From: orDefault(ex.SecurityType, defaultSecurityType), To: want.SecurityType}}
}

// withSecurityUpgrade adds the upgrade to a definition PATCH: the SecurityType feature from the version
// being published on, the definition's other features unchanged, and allowUpdateImage.
func withSecurityUpgrade(pr *armcompute.GalleryImageProperties, a *Actions, ex *ObservedDefinition) *armcompute.GalleryImageProperties {
	var change *FieldChange
	for i := range a.DefinitionUpdates {
		if a.DefinitionUpdates[i].Field == "security_type" {
			change = &a.DefinitionUpdates[i]
		}
	}
	if change == nil {
		return pr
	}
	pr.AllowUpdateImage = to.Ptr(true)
	pr.Features = []*armcompute.GalleryImageFeature{{Name: to.Ptr("SecurityType"), Value: to.Ptr(change.To), StartsAtVersion: to.Ptr(a.VersionName)}}
	if ex.AcceleratedNetworking != nil {
		v := "false"
		if *ex.AcceleratedNetworking {
			v = "true"
		}
		pr.Features = append(pr.Features, &armcompute.GalleryImageFeature{Name: to.Ptr("IsAcceleratedNetworkSupported"), Value: to.Ptr(v)})
	}
	if len(ex.DiskControllerTypes) > 0 {
		pr.Features = append(pr.Features, &armcompute.GalleryImageFeature{Name: to.Ptr("DiskControllerTypes"), Value: to.Ptr(strings.Join(ex.DiskControllerTypes, ", "))})
	}
	return pr
}
