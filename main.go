// Command packer-plugin-azure-gallery is the Packer plugin binary. Packer starts it and talks to the
// components registered here over RPC.
package main

import (
	"fmt"
	"os"

	"github.com/hashicorp/packer-plugin-sdk/plugin"

	"github.com/azure-gallery/packer-plugin-azure-gallery/builder/importer"
	"github.com/azure-gallery/packer-plugin-azure-gallery/datasource/galleryversion"
	"github.com/azure-gallery/packer-plugin-azure-gallery/post-processor/azuregallery"
	"github.com/azure-gallery/packer-plugin-azure-gallery/version"
)

func main() {
	pps := plugin.NewSet()
	// DEFAULT_NAME makes templates write `post-processor "azure-gallery"` rather than
	// "azure-gallery-<something>".
	pps.RegisterPostProcessor(plugin.DEFAULT_NAME, new(azuregallery.PostProcessor))
	// Templates write `source "azure-gallery-import" "name"`.
	pps.RegisterBuilder("import", new(importer.Builder))
	// Templates write `data "azure-gallery-version" "name"`.
	pps.RegisterDatasource("version", new(galleryversion.Datasource))
	pps.SetVersion(version.PluginVersion)
	if err := pps.Run(); err != nil {
		fmt.Fprintln(os.Stderr, err.Error())
		os.Exit(1)
	}
}
