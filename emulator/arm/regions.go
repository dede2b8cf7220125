package arm

import "strings"

// regionInfo is what the locations list reports for one region.
type regionInfo struct {
	Name, DisplayName, Geography, GeographyGroup, Latitude, Longitude, PairedRegion, PhysicalLocation string
}

// knownRegions holds the display data of regions the emulator can be configured with. Unknown
// configured names still work, with a display name derived from the name.
var knownRegions = map[string]regionInfo{
	"eastus":             {"eastus", "East US", "United States", "US", "37.3719", "-79.8164", "westus", "Virginia"},
	"eastus2":            {"eastus2", "East US 2", "United States", "US", "36.6681", "-78.3889", "centralus", "Virginia"},
	"westus":             {"westus", "West US", "United States", "US", "37.783", "-122.417", "eastus", "California"},
	"westus2":            {"westus2", "West US 2", "United States", "US", "47.233", "-119.852", "westcentralus", "Washington"},
	"westus3":            {"westus3", "West US 3", "United States", "US", "33.448376", "-112.074036", "eastus", "Phoenix"},
	"centralus":          {"centralus", "Central US", "United States", "US", "41.5908", "-93.6208", "eastus2", "Iowa"},
	"northeurope":        {"northeurope", "North Europe", "Europe", "Europe", "53.3478", "-6.2597", "westeurope", "Ireland"},
	"westeurope":         {"westeurope", "West Europe", "Europe", "Europe", "52.3667", "4.9", "northeurope", "Netherlands"},
	"uksouth":            {"uksouth", "UK South", "United Kingdom", "Europe", "50.941", "-0.799", "ukwest", "London"},
	"southeastasia":      {"southeastasia", "Southeast Asia", "Asia Pacific", "Asia Pacific", "1.283", "103.833", "eastasia", "Singapore"},
	"australiaeast":      {"australiaeast", "Australia East", "Australia", "Asia Pacific", "-33.86", "151.2094", "australiasoutheast", "New South Wales"},
	"japaneast":          {"japaneast", "Japan East", "Japan", "Asia Pacific", "35.68", "139.77", "japanwest", "Tokyo, Saitama"},
	"westcentralus":      {"westcentralus", "West Central US", "United States", "US", "40.89", "-110.234", "westus2", "Wyoming"},
	"francecentral":      {"francecentral", "France Central", "France", "Europe", "46.3772", "2.3730", "francesouth", "Paris"},
	"germanywestcentral": {"germanywestcentral", "Germany West Central", "Germany", "Europe", "50.110924", "8.682127", "germanynorth", "Frankfurt"},
}

// defaultRegions is the configured set when Options.Regions is empty.
var defaultRegions = []string{"eastus", "eastus2", "westus", "westus2", "centralus", "northeurope", "westeurope", "uksouth"}

// normalizeRegion turns "East US 2", "eastus2" or "EASTUS2" into "eastus2", as ARM does.
func normalizeRegion(s string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
}

func regionDisplayName(name string) string {
	if r, ok := knownRegions[name]; ok {
		return r.DisplayName
	}
	return name
}

func regionInfoFor(name string) regionInfo {
	if r, ok := knownRegions[name]; ok {
		return r
	}
	return regionInfo{Name: name, DisplayName: name, Geography: "Emulated", GeographyGroup: "Emulated", Latitude: "0", Longitude: "0", PhysicalLocation: name}
}
