// Command packer-plugin-azure-gallery is the Packer plugin binary. Packer starts it and talks to the
// components registered here over RPC.
package main

import (
	"fmt"
	"os"
	"runtime/debug"

	"github.com/hashicorp/packer-plugin-sdk/plugin"

	"github.com/azure-gallery/packer-plugin-azure-gallery/builder/importer"
	"github.com/azure-gallery/packer-plugin-azure-gallery/datasource/galleryversion"
	"github.com/azure-gallery/packer-plugin-azure-gallery/post-processor/azuregallery"
	"github.com/azure-gallery/packer-plugin-azure-gallery/version"
)

// memoryLimit is the Go runtime's soft limit for this process (GOMEMLIMIT overrides it). The import
// builder's uploader keeps up to 9 page buffers of 4 MiB live; with the default GOGC=100 alone the heap
// may grow to twice the live data before a collection, which put the process near 76 MiB. The limit
// makes the collector run earlier instead, so the whole process (code pages included) stays under
// 64 MiB; the extra collections cost little, since the buffers are pooled (docs/performance.md).
const memoryLimit = 44 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
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
