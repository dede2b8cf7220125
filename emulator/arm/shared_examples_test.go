package arm

import (
	"slices"
	"strings"
	"testing"
)

// The direct-shared read examples (SharedGallery_List/_Get, SharedGalleryImages_List, SharedGalleryImage_Get,
// SharedGalleryImageVersions_List, SharedGalleryImageVersion_Get) are replayed here (called from
// replayFile): a producer (testSub) shares a gallery with two definitions, each with versions 1.0.0 and
// 1.0.1, with the consumer's subscription (another tenant), and the example's read is sent as the
// consumer, page size 1 so lists carry a nextLink. The status must be exactly 200 and the body is
// compared with the example's after its placeholders are replaced (testdata/EXAMPLES.md). The same read
// by a subscription the gallery is not shared with must be 404 NotFound (a list: empty).

// replaySharedFile replays a shared example at the pinned api-version and at its own when served.
func replaySharedFile(t *testing.T, name string, ex exampleFile) {
	t.Run("pinned", func(t *testing.T) { replayShared(t, name, ex, pinned(familyGallery)) })
	own := paramStr(ex, "api-version")
	if own != "" && own != pinned(familyGallery) && slices.Contains(apiFamilies[familyGallery].Versions, own) {
		t.Run("as-"+own, func(t *testing.T) { replayShared(t, name, ex, own) })
	}
}

// sharedExampleRest is the path under …/sharedGalleries of the example's operation, from its file name.
func sharedExampleRest(t *testing.T, name string, ex exampleFile, unique string) (rest string, isList bool) {
	image, version := paramStr(ex, "galleryImageName"), strings.Replace(paramStr(ex, "galleryImageVersionName"), "myGalleryImageVersionName", "1.0.0", 1)
	switch strings.TrimSuffix(name, ".json") {
	case "SharedGallery_List":
		return "", true
	case "SharedGallery_Get":
		return "/" + unique, false
	case "SharedGalleryImages_List":
		return "/" + unique + "/images", true
	case "SharedGalleryImage_Get":
		return "/" + unique + "/images/" + image, false
	case "SharedGalleryImageVersions_List":
		return "/" + unique + "/images/" + image + "/versions", true
	case "SharedGalleryImageVersion_Get":
		return "/" + unique + "/images/" + image + "/versions/" + version, false
	}
	t.Fatalf("no shared operation known for %s", name)
	return "", false
}

func replayShared(t *testing.T, name string, ex exampleFile, api string) {
	h := newHarness(t, sharingOptions(1))
	f := newSharedFixture(h, "myResourceGroup", "myGallery2")
	f.addGallery("myGallery")
	for _, g := range []string{"myGallery2", "myGallery"} {
		f.gallery = g
		for _, def := range []string{"myGalleryImageName", "myGalleryImageName2"} {
			f.definition(def)
			for _, v := range []string{"1.0.0", "1.0.1"} {
				f.version(def, v, map[string]any{"endOfLifeDate": "2022-03-20T09:12:28Z", "excludeFromLatest": false})
			}
		}
		f.share("Add", "Subscriptions", consumerSub)
	}
	rest, isList := sharedExampleRest(t, name, ex, f.unique())
	got := h.do("GET", withAPI(sharedPath(consumerSub, "westus", rest), api), nil)
	if got.Status != 200 {
		t.Fatalf("status %d, want 200 (the example's only code): %s", got.Status, got.Raw)
	}
	if got.Header.Get("x-ms-request-id") == "" {
		t.Error("response lacks x-ms-request-id")
	}
	want := replacePlaceholders(ex.Responses["200"].Body, map[string]string{
		"galleryUniqueName": f.unique(), "myGalleryImageVersionName": "1.0.0", "myLocation": "westus",
		// SharedGallery_Get names the gallery by its resource name; SharedGallery_List (and Azure's
		// ids) by its unique name, which the emulator answers.
		"myGalleryName": f.unique(),
	})
	notModeled["properties.artifactTags"] = true // Microsoft's own share tags (testdata/EXAMPLES.md)
	defer delete(notModeled, "properties.artifactTags")
	var diffs []string
	compareShape("", want, anyOf(got.Body), &diffs)
	for _, d := range diffs {
		t.Error(d)
	}
	// The producer's neighbour subscription (same tenant, not shared with) sees nothing.
	other := h.do("GET", withAPI(sharedPath(neighbourSub, "westus", rest), api), nil)
	switch {
	case isList && rest == "" && (other.Status != 200 || len(list(other.Body, "value")) != 0):
		t.Errorf("neighbour's list: %d %s, want 200 and no galleries", other.Status, other.Raw)
	case !(isList && rest == "") && (other.Status != 404 || other.errCode() != "NotFound"):
		t.Errorf("neighbour's read: %d %s, want 404 NotFound", other.Status, other.Raw)
	}
}

// replacePlaceholders replaces each placeholder inside every string of v.
func replacePlaceholders(v any, repl map[string]string) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = replacePlaceholders(e, repl)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = replacePlaceholders(e, repl)
		}
		return out
	case string:
		for _, k := range sortedKeys(repl) {
			x = strings.ReplaceAll(x, k, repl[k])
		}
		return x
	}
	return v
}
