package azuregallery

import (
	"fmt"
	"sort"
	"strings"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

// checkPluginTags counts the plugin's own tags against Azure's limit of gallery.MaxTags per resource
// (the version carries up to gallery.PluginTags of them: managed, source and its continuation, excluded,
// run), and refuses user tags that would collide with them (Azure's tag names are case-insensitive).
// checkTags covers the other rules (empty keys, lengths, forbidden characters).
func checkPluginTags(errs **packersdk.MultiError, tags map[string]string) {
	add := func(err error) { *errs = packersdk.MultiErrorAppend(*errs, err) }
	if n := len(tags); n <= gallery.MaxTags && n+gallery.PluginTags > gallery.MaxTags {
		add(fmt.Errorf("tags has %d entries, and the plugin adds up to %d of its own to each version (%s): Azure allows %d tags per resource, so use at most %d",
			n, gallery.PluginTags, strings.Join(pluginTagKeys(), ", "), gallery.MaxTags, gallery.MaxTags-gallery.PluginTags))
	}
	var reserved []string
	for k := range tags {
		for _, own := range pluginTagKeys() {
			if strings.EqualFold(strings.TrimSpace(k), own) {
				reserved = append(reserved, k)
			}
		}
	}
	sort.Strings(reserved)
	for _, k := range reserved {
		add(fmt.Errorf("tags key %q is the plugin's own tag (it records ownership and cannot be set by a template): rename it", k))
	}
}

// pluginTagKeys are the names of the tags the plugin sets on a version.
func pluginTagKeys() []string {
	return []string{gallery.ManagedTagKey, gallery.SourceTagKey, gallery.SourceTagKey2, gallery.ExcludedTagKey, gallery.RunIDTagKey}
}
