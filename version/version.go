// Package version holds the plugin's version. Release builds inject Version and VersionPrerelease with
// ldflags (see .goreleaser.yml), so a development build reports "0.1.0-dev".
package version

import "github.com/hashicorp/packer-plugin-sdk/version"

var (
	// Version is the main version number. Set with
	// -ldflags "-X github.com/azure-gallery/packer-plugin-azure-gallery/version.Version=1.2.3".
	Version = "0.1.0"
	// VersionPrerelease marks a pre-release such as "dev" or "rc1"; empty for a final release.
	VersionPrerelease = "dev"
	// VersionMetadata is optional build metadata appended after a "+".
	VersionMetadata = ""
)

// PluginVersion is the version the plugin set reports to Packer (`describe`, `packer plugins installed`).
var PluginVersion = version.NewPluginVersion(Version, VersionPrerelease, VersionMetadata)
