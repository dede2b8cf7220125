package gallery

import "strings"

// Azure's tag limits (https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations):
// 50 tag name/value pairs per resource, names up to 512 characters, values up to 256.
const (
	MaxTags           = 50
	MaxTagNameLength  = 512
	MaxTagValueLength = 256
	// TagNameForbiddenChars are the characters Azure refuses in a tag name.
	TagNameForbiddenChars = `<>%&\?/`
)

// SourceTagKey2 holds the rest of a source ID longer than one tag value (a gallery version ID can reach
// about 400 characters): SourceTagKey holds the first MaxTagValueLength characters, SourceTagKey2 the rest.
const SourceTagKey2 = SourceTagKey + "-2"

// PluginTags is how many tags the plugin adds to a version at most: managed, source, source-2, excluded
// and run. Validation counts them against MaxTags.
const PluginTags = 5

// sourceTags stores a source ID in tags whose values fit Azure's limit.
func sourceTags(tags map[string]string, id string) {
	if len(id) <= MaxTagValueLength {
		tags[SourceTagKey] = id
		return
	}
	tags[SourceTagKey] = id[:MaxTagValueLength]
	tags[SourceTagKey2] = id[MaxTagValueLength:]
}

// SourceFromTags reads back the source ID that sourceTags stored ("" when absent).
func SourceFromTags(tags map[string]string) string {
	return strings.TrimSpace(tags[SourceTagKey] + tags[SourceTagKey2])
}
