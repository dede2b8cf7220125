package arm

import (
	"strings"
	"testing"
)

// Subscriptions and tenants of the direct-sharing tests: the producer owns the galleries (testSub, the
// default), the consumer subscription is in another tenant, the neighbour shares the producer's tenant.
const (
	producerTenant = "00000000-0000-0000-0000-0000000000aa"
	consumerSub    = "00000000-0000-0000-0000-000000000002"
	consumerTenant = "00000000-0000-0000-0000-0000000000bb"
	neighbourSub   = "00000000-0000-0000-0000-000000000003"
)

// sharingOptions serves the three subscriptions, with list pages of pageSize.
func sharingOptions(pageSize int) Options {
	return Options{PageSize: pageSize, Subscriptions: []Subscription{
		{ID: testSub, TenantID: producerTenant}, {ID: consumerSub, TenantID: consumerTenant}, {ID: neighbourSub, TenantID: producerTenant},
	}}
}

// sharedFixture is a producer's gallery with definitions and versions in westus.
type sharedFixture struct {
	h       *harness
	rg      string
	gallery string
	imageID string
}

// sharedDefinitionProps are the definition properties of GalleryRP's SharedGalleryImage_Get example.
func sharedDefinitionProps() map[string]any {
	return map[string]any{"osType": "Windows", "osState": "Generalized", "hyperVGeneration": "V1",
		"identifier": map[string]any{"publisher": "myPublisherName", "offer": "myOfferName", "sku": "mySkuName"},
		"eula":       "https://www.microsoft.com/en-us/"}
}

// newSharedFixture creates resource group rg with gallery and a Windows V1 managed image.
func newSharedFixture(h *harness, rg, gallery string) *sharedFixture {
	h.t.Helper()
	h.createRG(rg, "westus")
	f := &sharedFixture{h: h, rg: rg}
	disk := computePath(rg, "disks/src")
	h.put(202, disk, apiDisk, map[string]any{"location": "westus", "properties": map[string]any{
		"creationData": map[string]any{"createOption": "Empty"}, "diskSizeGB": 29, "hyperVGeneration": "V1", "osType": "Windows"}})
	f.imageID = computePath(rg, "images/src")
	h.put(201, f.imageID, apiImage, map[string]any{"location": "westus", "properties": map[string]any{"hyperVGeneration": "V1",
		"storageProfile": map[string]any{"osDisk": map[string]any{"osType": "Windows", "osState": "Generalized", "managedDisk": map[string]any{"id": disk}}}}})
	f.addGallery(gallery)
	return f
}

// addGallery creates another gallery and makes it the fixture's current one.
func (f *sharedFixture) addGallery(name string) {
	f.h.t.Helper()
	f.gallery = name
	f.h.put(201, computePath(f.rg, "galleries/"+name), apiGallery, map[string]any{"location": "westus"})
}

// definition creates a definition of the current gallery; the first of the example's name keeps the
// example's sku, any other is its own sku (Azure refuses a second definition with the same identifier).
func (f *sharedFixture) definition(name string) {
	f.h.t.Helper()
	props := sharedDefinitionProps()
	if name != "myGalleryImageName" {
		obj(props, "identifier")["sku"] = name
	}
	f.h.put(201, computePath(f.rg, "galleries/"+f.gallery+"/images/"+name), apiGallery, map[string]any{"location": "westus", "properties": props})
}

// version publishes a version of definition def to westus (and extra regions) with publishing profile
// settings pp, and waits for its replication.
func (f *sharedFixture) version(def, name string, pp map[string]any, extra ...string) {
	f.h.t.Helper()
	regions := []any{region("westus", 1)}
	for _, r := range extra {
		regions = append(regions, region(r, 1))
	}
	if pp == nil {
		pp = map[string]any{}
	}
	pp["targetRegions"] = regions
	f.h.put(201, computePath(f.rg, "galleries/"+f.gallery+"/images/"+def+"/versions/"+name), apiGallery, map[string]any{"location": "westus",
		"properties": map[string]any{"publishingProfile": pp, "storageProfile": map[string]any{
			"source": map[string]any{"id": f.imageID}, "osDiskImage": map[string]any{"hostCaching": "None"}}}})
}

// share adds (or with op "Remove" removes) a group of the current gallery's sharing profile.
func (f *sharedFixture) share(op, typ string, ids ...string) {
	f.h.t.Helper()
	f.h.waitOp(f.h.must(202, "POST", withAPI(computePath(f.rg, "galleries/"+f.gallery+"/share"), apiGallery),
		map[string]any{"operationType": op, "groups": []any{map[string]any{"type": typ, "ids": ids}}}))
}

// unique is the current gallery's unique name, as Azure forms it: {subscription}-{GALLERY}.
func (f *sharedFixture) unique() string { return testSub + "-" + strings.ToUpper(f.gallery) }

// sharedPath is the path of a shared view as subscription sub sees it in loc.
func sharedPath(sub, loc, rest string) string {
	return "/subscriptions/" + sub + "/providers/Microsoft.Compute/locations/" + loc + "/sharedGalleries" + rest
}

// names lists the names of a list page's values.
func names(t *testing.T, r response) []string {
	t.Helper()
	out := []string{}
	for _, x := range list(r.Body, "value") {
		m, _ := x.(map[string]any)
		out = append(out, str(m, "name"))
	}
	return out
}
