package arm

import "slices"

// This file is GalleryRP 2026-03-03's storage choices of a version: publishingProfile.storageAccountStrategy
// and targetRegions[].additionalReplicaSets (sources in docs/emulator.md, "Storage strategy and replica sets").

// storageStrategies are the values of storageAccountStrategy.
var storageStrategies = []string{"DefaultStandard_LRS", "PreferStandard_ZRS"}

// zonalRegions are the emulator's known regions that have availability zones, where PreferStandard_ZRS
// stores replicas on Standard_ZRS (Microsoft's list of regions with availability zones; West US and West
// Central US have none, as GalleryImageVersion_Create_WithStorageAccountStrategy.json shows for West US).
var zonalRegions = []string{"eastus", "eastus2", "westus2", "westus3", "centralus", "northeurope", "westeurope",
	"uksouth", "southeastasia", "australiaeast", "japaneast", "francecentral", "germanywestcentral"}

// versionStorage resolves the version-wide storage: the strategy (kept from the stored version when an
// update omits it, and not changeable), or the storage type with Azure's default. It returns the
// strategy ("" without one) and the storage type regions default to ("" when the strategy decides).
func versionStorage(w *write, pp map[string]any) (strategy, storageType string, e *apiError) {
	const field = "properties.publishingProfile.storageAccountStrategy"
	strategy = str(pp, "storageAccountStrategy")
	if w.old != nil {
		old := str(obj(w.old.Properties, "publishingProfile"), "storageAccountStrategy")
		switch {
		case strategy == "" && old != "":
			strategy = old
		case strategy != "" && !eq(strategy, old):
			return "", "", conflict("PropertyChangeNotAllowed", field, "Changing property 'storageAccountStrategy' is not allowed.")
		}
	}
	if strategy == "" {
		storageType = str(pp, "storageAccountType")
		if storageType == "" {
			storageType = "Standard_LRS"
		}
		pp["storageAccountType"] = storageType
		return "", storageType, nil
	}
	i := slices.IndexFunc(storageStrategies, func(s string) bool { return eq(s, strategy) })
	if i < 0 {
		return "", "", invalidParameter(field, "The value '%s' of storageAccountStrategy is not valid. Allowed values are '%s', '%s'.", strategy, storageStrategies[0], storageStrategies[1])
	}
	strategy = storageStrategies[i]
	if str(pp, "storageAccountType") != "" && (w.old == nil || str(obj(w.old.Properties, "publishingProfile"), "storageAccountType") == "") {
		return "", "", invalidParameter(field, "storageAccountStrategy cannot be specified along with storageAccountType. Remove one of them.")
	}
	pp["storageAccountStrategy"] = strategy
	return strategy, "", nil
}

// strategyStorage is the storage type the strategy picks in region.
func strategyStorage(strategy, region string) string {
	if strategy == "PreferStandard_ZRS" && slices.Contains(zonalRegions, region) {
		return "Standard_ZRS"
	}
	return "Standard_LRS"
}

// checkReplicaSets validates a target region's additionalReplicaSets: each needs a storage type and a
// regionalReplicaCount from 1 to 100 (defaulting to 1).
func checkReplicaSets(field string, m map[string]any) *apiError {
	for i, x := range list(m, "additionalReplicaSets") {
		f := field + ".additionalReplicaSets[" + itoa(i) + "]"
		set, ok := x.(map[string]any)
		if !ok || str(set, "storageAccountType") == "" {
			return missingProperty(f + ".storageAccountType")
		}
		if v, ok := set["regionalReplicaCount"]; ok {
			n, isInt := num(set, "regionalReplicaCount")
			if !isInt || n < 1 || n > 100 {
				return invalidParameter(f+".regionalReplicaCount", "The regionalReplicaCount '%v' is out of range; it must be between 1 and 100.", v)
			}
		} else {
			set["regionalReplicaCount"] = int64(1)
		}
	}
	return nil
}
