package arm

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator/azuritetest"
)

// The official Azure REST examples (testdata/azure-rest-examples, with their provenance in its README.md)
// are replayed here. How each one is adapted, and which are skipped, is written down in testdata/EXAMPLES.md.

func examplesDir() string {
	if d := os.Getenv("AZURE_REST_EXAMPLES"); d != "" {
		return d
	}
	return filepath.Join("testdata", "azure-rest-examples")
}

// skippedExamples lists examples not replayed, with the reason (kept in sync with testdata/EXAMPLES.md).
var skippedExamples = map[string]string{
	"GalleryImageVersion_Create_WithVmAsSource.json": "source is a virtualMachineId: the emulator has no virtual machines (such a PUT gets 404 NotFound)",
}

// exampleFile is an x-ms-examples file.
type exampleFile struct {
	Parameters map[string]any `json:"parameters"`
	Responses  map[string]struct {
		Headers map[string]string `json:"headers"`
		Body    any               `json:"body"`
	} `json:"responses"`
}

// exampleOp is the operation an example exercises, derived from its file name (README table).
type exampleOp struct {
	kind   string // gallery, definition, version, image, disk
	verb   string // create, get, update, delete, list, listsub, share, grant, revoke
	family string
}

func classify(name string) (exampleOp, bool) {
	prefixes := []struct {
		prefix string
		op     exampleOp
	}{
		{"GalleryImageVersion_Create", exampleOp{"version", "create", familyGallery}},
		{"CommunityGalleryImage_Get", exampleOp{"communityimage", "get", familyGallery}}, // examples_community_test.go
		{"GalleryImageVersion_Get", exampleOp{"version", "get", familyGallery}},
		{"GalleryImageVersion_ListByGalleryImage", exampleOp{"version", "list", familyGallery}},
		{"GalleryImageVersion_Update", exampleOp{"version", "update", familyGallery}},
		{"GalleryImageVersion_Delete", exampleOp{"version", "delete", familyGallery}},
		{"GalleryImage_Create", exampleOp{"definition", "create", familyGallery}},
		{"GalleryImage_Get", exampleOp{"definition", "get", familyGallery}},
		{"GalleryImage_ListByGallery", exampleOp{"definition", "list", familyGallery}},
		{"GalleryImage_Update", exampleOp{"definition", "update", familyGallery}},
		{"GalleryImage_Delete", exampleOp{"definition", "delete", familyGallery}},
		{"Gallery_Create", exampleOp{"gallery", "create", familyGallery}},
		{"Gallery_Get", exampleOp{"gallery", "get", familyGallery}},
		{"Gallery_Update", exampleOp{"gallery", "update", familyGallery}},
		{"Gallery_Delete", exampleOp{"gallery", "delete", familyGallery}},
		{"Gallery_ListByResourceGroup", exampleOp{"gallery", "list", familyGallery}},
		{"Gallery_ListBySubscription", exampleOp{"gallery", "listsub", familyGallery}},
		{"Gallery_AddToSharingProfile", exampleOp{"gallery", "share", familyGallery}},
		{"Image_Create", exampleOp{"image", "create", familyImage}},
		{"Image_Get", exampleOp{"image", "get", familyImage}},
		{"Images_Delete", exampleOp{"image", "delete", familyImage}},
		{"Disk_Create", exampleOp{"disk", "create", familyDisk}},
		{"Disk_Get", exampleOp{"disk", "get", familyDisk}},
		{"Disk_Delete", exampleOp{"disk", "delete", familyDisk}},
		{"Disk_BeginGetAccess", exampleOp{"disk", "grant", familyDisk}},
		{"Disk_EndGetAccess", exampleOp{"disk", "revoke", familyDisk}},
		{"SharedGallery", exampleOp{"shared", "get", familyGallery}}, // shared_examples_test.go
	}
	for _, p := range prefixes {
		if strings.HasPrefix(name, p.prefix) {
			return p.op, true
		}
	}
	return exampleOp{}, false
}

func pinned(family string) string {
	v := apiFamilies[family].Versions
	return v[len(v)-1]
}

// lazyAzurite starts one Azurite for the whole replay, the first time an example needs disk access.
type lazyAzurite struct {
	parent   *testing.T
	endpoint string
}

// get returns the endpoint, starting Azurite on first use. A missing Azurite skips the example, or
// fails it under ACCTEST_REQUIRED=1 (azuritetest.Unavailable).
func (a *lazyAzurite) get(t *testing.T) string {
	t.Helper()
	if a.endpoint != "" {
		return a.endpoint
	}
	bin, err := azuritetest.Bin()
	if err != nil {
		azuritetest.Unavailable(t, "needs Azurite for disk access: "+err.Error())
	}
	p, err := azuritetest.StartProcess(bin, a.parent.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	a.parent.Cleanup(p.Stop)
	a.endpoint = p.BlobEndpoint
	return a.endpoint
}

// exampleFiles lists the example files under dir (common-types holds no examples).
func exampleFiles(t *testing.T, dir string) []string {
	var files []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") && !strings.Contains(p, "common-types") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) == 0 {
		t.Fatalf("no examples under %s", dir)
	}
	sort.Strings(files)
	return files
}

func TestReplayAzureExamples(t *testing.T) {
	dir := examplesDir()
	az := &lazyAzurite{parent: t}
	for _, f := range exampleFiles(t, dir) {
		rel, _ := filepath.Rel(dir, f)
		t.Run(rel, func(t *testing.T) { replayFile(t, f, az) })
	}
}

// replayFile replays one example at the pinned api-version, and at its own where the table serves it.
func replayFile(t *testing.T, f string, az *lazyAzurite) {
	name := filepath.Base(f)
	if why, ok := skippedExamples[name]; ok {
		t.Skip(why)
	}
	op, ok := classify(name)
	if !ok {
		t.Fatalf("no operation known for %s; add it to classify", name)
	}
	raw, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	var ex exampleFile
	if err := json.Unmarshal(raw, &ex); err != nil {
		t.Fatal(err)
	}
	if op.kind == "shared" {
		replaySharedFile(t, name, ex) // shared_examples_test.go
		return
	}
	blobEndpoint := ""
	if op.kind == "disk" && (op.verb == "grant" || op.verb == "revoke") {
		blobEndpoint = az.get(t)
	}
	t.Run("pinned", func(t *testing.T) { replay(t, name, ex, op, blobEndpoint, pinned(op.family)) })
	// Where the example's own api-version is an older one the table serves, replay it as is too.
	own := paramStr(ex, "api-version")
	if own != "" && own != pinned(op.family) && slices.Contains(apiFamilies[op.family].Versions, own) {
		t.Run("as-"+own, func(t *testing.T) { replay(t, name, ex, op, blobEndpoint, own) })
	}
}

// wantStatus is the one status Azure answers for the case replayed; an example lists every code its
// operation may return (each PUT lists 200/201/202), so the case decides: a PUT that creates answers 201
// (202 for disks and snapshots, whose examples list no 201), a PUT or PATCH of an existing resource 200,
// a DELETE of an existing resource 202 and of a missing one 204, the POST actions (share,
// beginGetAccess, endGetAccess) 202 with the result at the Location URL, reads 200.
func wantStatus(op exampleOp, existed bool) int {
	switch op.verb {
	case "create":
		switch {
		case existed:
			return 200
		case op.kind == "disk":
			return 202
		}
		return 201
	case "delete":
		if existed {
			return 202
		}
		return 204
	case "share", "grant", "revoke":
		return 202
	}
	return 200
}

// replayer holds one replay's prerequisites.
type replayer struct {
	t    *testing.T
	name string
	h    *harness
	ex   exampleFile
	op   exampleOp
	api  string
	rg   string
	loc  string
	seq  int
	defs map[string]string // cache of created prerequisite ids by placeholder
}

// newReplayer builds the replay's service and its prerequisites, and returns the request body with its
// placeholder ids rewritten.
func newReplayer(t *testing.T, name string, ex exampleFile, op exampleOp, blobEndpoint, api string) (*replayer, map[string]any) {
	h := newHarness(t, Options{PageSize: 1, BlobEndpoint: blobEndpoint})
	rp := &replayer{t: t, h: h, name: name, ex: ex, op: op, api: api, rg: cmpOr(paramStr(ex, "resourceGroupName"), "myResourceGroup"), loc: "westus", defs: map[string]string{}}
	body := requestBody(ex)
	adaptExample(name, body) // examples_adapt_test.go
	if l := str(body, "location"); l != "" {
		rp.loc = normalizeRegion(l)
	}
	h.createRG(rp.rg, rp.loc)
	rp.prerequisites(body)
	if body != nil {
		body = rp.rewriteIDs(body).(map[string]any)
	}
	return rp, body
}

// send issues the example's request.
func (rp *replayer) send(body map[string]any) response {
	h, path, api := rp.h, rp.path(), rp.api
	switch rp.op.verb {
	case "create":
		return h.do("PUT", withAPI(path, api), body)
	case "update":
		return h.do("PATCH", withAPI(path, api), body)
	case "get":
		q := ""
		if e := paramStr(rp.ex, "$expand"); e != "" {
			q = "&$expand=" + e
		}
		return h.do("GET", withAPI(path, api)+q, nil)
	case "list", "listsub":
		return h.do("GET", withAPI(path, api), nil)
	case "delete":
		return h.do("DELETE", withAPI(path, api), nil)
	case "share":
		return h.do("POST", withAPI(path+"/share", api), body)
	case "grant":
		return h.do("POST", withAPI(path+"/beginGetAccess", api), body)
	case "revoke":
		return h.do("POST", withAPI(path+"/endGetAccess", api), nil)
	}
	rp.t.Fatalf("unknown verb %s", rp.op.verb)
	return response{}
}

// exists reports whether the store holds id.
func (rp *replayer) exists(id string) bool {
	rp.h.svc.mu.Lock()
	defer rp.h.svc.mu.Unlock()
	return rp.h.svc.get(id) != nil
}

func replay(t *testing.T, name string, ex exampleFile, op exampleOp, blobEndpoint, api string) {
	rp, body := newReplayer(t, name, ex, op, blobEndpoint, api)
	existed := rp.exists(rp.path())
	got := rp.send(body)
	want := wantStatus(op, existed)
	resp := rp.checkStatus(got, want)
	cmpBody := got.Body
	switch op.verb {
	case "grant", "share":
		// The example's 200 is the final result, which the Location (monitor) URL returns.
		final := rp.h.must(200, "GET", got.Header.Get("Location"), nil)
		cmpBody = final.Body
		resp = ex.Responses["200"]
	case "delete":
		if rp.h.do("GET", withAPI(rp.path(), api), nil).Status != 404 {
			t.Error("resource still readable after delete")
		}
	}
	rp.compareBody(resp.Body, cmpBody)
	if op.verb == "create" || op.verb == "update" {
		rp.checkSucceeded()
	}
	rp.replayAgain(body)
}

// exampleResponse is one response of an example.
type exampleResponse = struct {
	Headers map[string]string `json:"headers"`
	Body    any               `json:"body"`
}

// checkStatus requires exactly want (which the example must list), the example's headers for it and
// ARM's request ids, and waits for the operation of an LRO answer, which must end Succeeded.
func (rp *replayer) checkStatus(got response, want int) exampleResponse {
	t := rp.t
	t.Helper()
	resp, listed := rp.ex.Responses[fmt.Sprint(want)]
	if !listed {
		t.Fatalf("the case's status %d is not among the example's codes %v", want, keys(rp.ex.Responses))
	}
	if got.Status != want {
		t.Fatalf("status %d, want %d (Azure's answer for this %s of a %s; the example lists %v): %s",
			got.Status, want, rp.op.verb, rp.op.kind, keys(rp.ex.Responses), got.Raw)
	}
	for hk := range resp.Headers {
		if got.Header.Get(hk) == "" {
			t.Errorf("response lacks header %s that the example's %d has", hk, want)
		}
	}
	if got.Header.Get("x-ms-request-id") == "" || got.Header.Get("x-ms-correlation-request-id") == "" {
		t.Error("response lacks x-ms-request-id or x-ms-correlation-request-id")
	}
	if want == 202 || want == 201 || (want == 200 && (rp.op.verb == "update" || rp.op.verb == "create")) {
		if got.Header.Get("Azure-AsyncOperation") == "" {
			t.Fatalf("%d without Azure-AsyncOperation", want)
		}
		if st := rp.h.waitOp(got); str(st, "status") != "Succeeded" {
			t.Fatalf("operation ended %v", st)
		}
	}
	return resp
}

// compareBody compares our body with the example's, minus what the emulator does not model.
func (rp *replayer) compareBody(want any, got map[string]any) {
	if want == nil {
		return
	}
	var diffs []string
	for _, p := range perExampleNotModeled[rp.name] {
		notModeled[p] = true
		defer delete(notModeled, p)
	}
	compareShape("", want, anyOf(got), &diffs)
	for _, d := range diffs {
		rp.t.Error(d)
	}
}

// checkSucceeded: after a create or update, a GET shows provisioningState Succeeded.
func (rp *replayer) checkSucceeded() {
	g := rp.h.must(200, "GET", withAPI(rp.path(), rp.api), nil)
	if ps := str(obj(g.Body, "properties"), "provisioningState"); ps != "Succeeded" {
		rp.t.Errorf("provisioningState after the operation: %q", ps)
	}
}

// replayAgain replays the same request against the state the first one left, where Azure's answer then
// differs: a PUT of a gallery, definition or version that now exists answers 200 (not 201: the
// difference version creation's ownership rule reads), and a DELETE of what is now gone answers 204.
// (Images and disks are not re-PUT: an image's storageProfile cannot change, and the emulator compares
// the stored, resolved one.)
func (rp *replayer) replayAgain(body map[string]any) {
	switch {
	case rp.op.verb == "create" && rp.op.family == familyGallery, rp.op.verb == "delete":
	default:
		return
	}
	existed := rp.exists(rp.path())
	got := rp.send(body)
	want := wantStatus(rp.op, existed)
	if rp.op.verb == "create" && (!existed || want != 200) || rp.op.verb == "delete" && (existed || want != 204) {
		rp.t.Fatalf("second %s: resource exists=%v, case status %d", rp.op.verb, existed, want)
	}
	rp.checkStatus(got, want)
	if rp.op.verb == "create" {
		rp.compareBody(rp.ex.Responses["200"].Body, got.Body)
		rp.checkSucceeded()
	}
}

func anyOf(m map[string]any) any {
	if m == nil {
		return nil
	}
	return m
}

func keys[V any](m map[string]V) []string { return sortedKeys(m) }

func paramStr(ex exampleFile, k string) string { s, _ := ex.Parameters[k].(string); return s }

// requestBody is the example's one object parameter (the body).
func requestBody(ex exampleFile) map[string]any {
	for _, k := range sortedKeys(ex.Parameters) {
		if m, ok := ex.Parameters[k].(map[string]any); ok {
			return clone(m)
		}
	}
	return nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// resourcePath is the path of the example's resource (for lists: the one created to be listed).
func (rp *replayer) resourcePath() string {
	p := rp.ex.Parameters
	s := func(k, def string) string { v, _ := p[k].(string); return cmpOr(v, def) }
	switch rp.op.kind {
	case "definition":
		return computePath(rp.rg, "galleries/"+s("galleryName", "")+"/images/"+s("galleryImageName", "myGalleryImageName"))
	case "version":
		return computePath(rp.rg, "galleries/"+s("galleryName", "")+"/images/"+s("galleryImageName", "")+"/versions/"+s("galleryImageVersionName", "1.0.0"))
	}
	return rp.path()
}

func (rp *replayer) path() string {
	p := rp.ex.Parameters
	s := func(k string) string { v, _ := p[k].(string); return v }
	switch rp.op.kind {
	case "gallery":
		switch rp.op.verb {
		case "list":
			return computePath(rp.rg, "galleries")
		case "listsub":
			return "/subscriptions/" + testSub + "/providers/Microsoft.Compute/galleries"
		}
		return computePath(rp.rg, "galleries/"+s("galleryName"))
	case "definition":
		base := computePath(rp.rg, "galleries/"+s("galleryName")+"/images")
		if rp.op.verb == "list" {
			return base
		}
		return base + "/" + s("galleryImageName")
	case "version":
		base := computePath(rp.rg, "galleries/"+s("galleryName")+"/images/"+s("galleryImageName")+"/versions")
		if rp.op.verb == "list" {
			return base
		}
		return base + "/" + s("galleryImageVersionName")
	case "image":
		return computePath(rp.rg, "images/"+s("imageName"))
	case "disk":
		return computePath(rp.rg, "disks/"+s("diskName"))
	case "communityimage":
		return rp.communityImagePath() // examples_community_test.go
	}
	rp.t.Fatalf("unknown kind %s", rp.op.kind)
	return ""
}

// seed is a resource body for a prerequisite: the example's 200 response minus read-only fields, so
// that a Get example finds the resource it describes.
func (rp *replayer) seed(fallback map[string]any) map[string]any {
	if r, ok := rp.ex.Responses["200"]; ok && (rp.op.verb == "get" || rp.op.verb == "update" || rp.op.verb == "list") {
		m, _ := r.Body.(map[string]any)
		if v := list(m, "value"); rp.op.verb == "list" && len(v) > 0 {
			m, _ = v[0].(map[string]any)
		}
		if m != nil && m["properties"] != nil {
			b := clone(m)
			for _, k := range []string{"id", "name", "type", "managedBy"} {
				delete(b, k)
			}
			props := obj(b, "properties")
			for _, k := range []string{"provisioningState", "replicationStatus", "validationsProfile", "identifier.uniqueName", "LastOwnershipUpdateTime", "timeCreated"} {
				delete(props, k)
			}
			if cd := obj(props, "creationData"); cd != nil && !eq(str(cd, "createOption"), "Empty") {
				// FromImage (a platform image) is not emulated: the seeded disk is Empty instead.
				props["creationData"] = map[string]any{"createOption": "Empty"}
			}
			if sp := obj(props, "safetyProfile"); sp != nil {
				delete(sp, "reportedForPolicyViolation")
				delete(sp, "policyViolations")
			}
			b["location"] = rp.loc
			return rp.rewriteIDs(b).(map[string]any)
		}
	}
	fallback["location"] = rp.loc
	return fallback
}

// prerequisites creates what the operation needs: parents, the resource itself for reads,
// updates and deletes, and the sources the body refers to.
func (rp *replayer) prerequisites(body map[string]any) {
	if rp.op.kind == "communityimage" {
		rp.communityImagePrerequisites() // examples_community_test.go
		return
	}
	h, p := rp.h, rp.ex.Parameters
	s := func(k string) string { v, _ := p[k].(string); return v }
	needGallery := rp.op.kind == "definition" || rp.op.kind == "version" || rp.op.kind == "gallery" && rp.op.verb != "create"
	if needGallery {
		g := s("galleryName")
		if g == "" {
			g = "myGalleryName"
		}
		gp := computePath(rp.rg, "galleries/"+g)
		h.put(201, gp, apiGallery, rp.seedIf("gallery", map[string]any{"properties": map[string]any{"description": "This is the gallery description."}}))
		if rp.op.kind == "gallery" && (rp.op.verb == "list" || rp.op.verb == "listsub") {
			h.put(201, computePath(rp.rg, "galleries/"+g+"2"), apiGallery, map[string]any{"location": rp.loc})
		}
	}
	defProps := map[string]any{"osType": "Windows", "osState": "Generalized", "hyperVGeneration": "V1",
		"identifier": map[string]any{"publisher": "myPublisherName", "offer": "myOfferName", "sku": "mySkuName"}}
	if rp.op.kind == "definition" && rp.op.verb == "update" {
		defProps = clone(obj(body, "properties"))
		delete(defProps, "features")
		delete(defProps, "allowUpdateImage")
	}
	if rp.op.kind == "version" || rp.op.kind == "definition" && rp.op.verb != "create" {
		dp := computePath(rp.rg, "galleries/"+s("galleryName")+"/images/"+cmpOr(s("galleryImageName"), "myGalleryImageName"))
		h.put(201, dp, apiGallery, rp.seedIf("definition", map[string]any{"properties": defProps}))
		if rp.op.kind == "definition" && rp.op.verb == "list" {
			h.put(201, dp+"2", apiGallery, map[string]any{"location": rp.loc, "properties": map[string]any{"osType": "Linux", "osState": "Generalized",
				"identifier": map[string]any{"publisher": "p", "offer": "o", "sku": "s2"}}})
		}
	}
	switch {
	case rp.op.kind == "version" && rp.op.verb != "create":
		vb := map[string]any{"properties": map[string]any{
			"publishingProfile": map[string]any{"targetRegions": []any{
				map[string]any{"name": "West US", "regionalReplicaCount": 1},
				map[string]any{"name": "East US", "regionalReplicaCount": 2, "storageAccountType": "Standard_ZRS"}}},
			"storageProfile": map[string]any{"source": map[string]any{"id": "/subscriptions/x/resourceGroups/x/providers/Microsoft.Compute/images/{imageName}"}}}}
		if rp.op.verb == "update" && obj(body, "properties", "publishingProfile") != nil {
			vb = map[string]any{"properties": clone(obj(body, "properties"))}
		}
		vb = rp.seedIf("version", vb)
		vb = rp.rewriteIDs(vb).(map[string]any)
		h.put(201, rp.resourcePath(), apiGallery, vb)
		if rp.op.verb == "list" {
			h.put(201, parentOf(rp.resourcePath())+"/versions/1.0.1", apiGallery, vb)
		}
	case rp.op.kind == "definition" && rp.op.verb == "get" || rp.op.kind == "gallery" && rp.op.verb == "get":
		// seeded above
	case rp.op.kind == "image" && rp.op.verb != "create":
		ib := rp.seedIf("image", map[string]any{"properties": map[string]any{"storageProfile": map[string]any{
			"osDisk": map[string]any{"osType": "Linux", "osState": "Generalized", "managedDisk": map[string]any{"id": "disks/{x}"}}}}})
		ib = rp.rewriteIDs(ib).(map[string]any)
		h.put(201, rp.path(), apiImage, ib)
	case rp.op.kind == "disk" && rp.op.verb != "create":
		db := rp.seedIf("disk", map[string]any{"properties": map[string]any{"creationData": map[string]any{"createOption": "Empty"}, "diskSizeGB": 4}})
		h.put(202, rp.path(), apiDisk, db)
		if rp.op.verb == "revoke" {
			h.waitOp(h.must(202, "POST", withAPI(rp.path()+"/beginGetAccess", apiDisk), map[string]any{"access": "Read", "durationInSeconds": 300}))
		}
	}
}

// seedIf seeds a prerequisite of the example's own kind from its response; others use fallback.
func (rp *replayer) seedIf(kind string, fallback map[string]any) map[string]any {
	if kind == rp.op.kind {
		return rp.seed(fallback)
	}
	fallback["location"] = rp.loc
	return fallback
}

var placeholderRef = regexp.MustCompile(`(?i)providers/Microsoft\.Compute/(images|snapshots|disks|galleries/[^/]+/images/[^/]+/versions)/[^/"]+$`)

// rewriteIDs replaces placeholder resource ids with resources created for the replay, by type.
func (rp *replayer) rewriteIDs(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			t[k] = rp.rewriteIDs(x)
		}
		return t
	case []any:
		for i, x := range t {
			t[i] = rp.rewriteIDs(x)
		}
		return t
	case string:
		if communityRef.MatchString(t) {
			return rp.communitySource(t) // examples_community_test.go
		}
		m := placeholderRef.FindStringSubmatch(t)
		if m == nil && !strings.HasPrefix(t, "disks/{") {
			return t
		}
		if cached, ok := rp.defs[t]; ok {
			return cached
		}
		rp.h.svc.mu.Lock()
		exists := rp.h.svc.get(t) != nil
		rp.h.svc.mu.Unlock()
		if exists {
			return t
		}
		kind := "disks"
		if m != nil {
			kind = strings.ToLower(m[1])
			if strings.HasPrefix(kind, "galleries/") {
				kind = "versions"
			}
		}
		id := rp.createSource(kind)
		rp.defs[t] = id
		return id
	}
	return v
}

// createSource makes a source of the given kind in the replay's region.
func (rp *replayer) createSource(kind string) string {
	h := rp.h
	rp.seq++
	n := fmt.Sprint(rp.seq)
	disk := computePath(rp.rg, "disks/srcdisk"+n)
	h.put(202, disk, apiDisk, map[string]any{"location": rp.loc, "properties": map[string]any{"creationData": map[string]any{"createOption": "Empty"}, "diskSizeGB": 10, "osType": "Windows"}})
	switch kind {
	case "disks":
		return disk
	case "snapshots":
		snap := computePath(rp.rg, "snapshots/srcsnap"+n)
		h.put(202, snap, apiDisk, map[string]any{"location": rp.loc, "properties": map[string]any{"creationData": map[string]any{"createOption": "Copy", "sourceResourceId": disk}}})
		return snap
	case "images":
		img := computePath(rp.rg, "images/srcimage"+n)
		h.put(201, img, apiImage, map[string]any{"location": rp.loc, "properties": map[string]any{"storageProfile": map[string]any{
			"osDisk": map[string]any{"osType": "Windows", "osState": "Generalized", "managedDisk": map[string]any{"id": disk}}}}})
		return img
	case "versions":
		img := rp.createSource("images")
		g := computePath(rp.rg, "galleries/srcgallery"+n)
		h.put(201, g, apiGallery, map[string]any{"location": rp.loc})
		d := g + "/images/srcdef"
		h.put(201, d, apiGallery, map[string]any{"location": rp.loc, "properties": map[string]any{"osType": "Windows", "osState": "Generalized", "hyperVGeneration": "V1",
			"identifier": map[string]any{"publisher": "src", "offer": "src", "sku": "src"}}})
		v := d + "/versions/1.0.0"
		h.put(201, v, apiGallery, versionBody(rp.loc, img))
		return v
	}
	rp.t.Fatalf("unknown source kind %s", kind)
	return ""
}

// Values that differ by nature (ids, times, sizes of our sources, SAS tokens) are compared by type only.
var typeOnlyKeys = map[string]bool{
	"id": true, "publishedDate": true, "timeCreated": true, "uniqueName": true, "provisioningState": true,
	"sizeInGB": true, "diskSizeGB": true, "accessSAS": true, "nextLink": true, "uniqueId": true,
	"sourceResourceId": true, "diskSizeBytes": true, "communityGalleryImageId": true,
}

// perExampleNotModeled adds paths for one example only.
var perExampleNotModeled = map[string][]string{
	// The example disk was created FromImage (a platform image), which is not emulated; the replay
	// seeds it as an Empty disk.
	"Disk_Get.json": {"properties.creationData.createOption"},
	// Replayed with a managed image instead of a VM (examples_adapt_test.go).
	"GalleryImageVersion_Create_WithStorageAccountStrategy.json": {"properties.storageProfile.source.virtualMachineId"},
	// A community image's artifact tags and disclaimer are not modelled (docs/emulator.md).
	"CommunityGalleryImage_Get.json": {"properties.artifactTags", "properties.disclaimer"},
}

// notModeled are paths (array indices as []) the emulator does not produce, with the reason in
// testdata/EXAMPLES.md.
var notModeled = map[string]bool{
	"properties.safetyProfile.reportedForPolicyViolation": true, // policy scanning
	"properties.safetyProfile.policyViolations":           true,
	"properties.storageProfile.dataDiskImages":            true, // data disks of a managed image source are not derived
	"properties.validationsProfile":                       true, // image validations
	"managedBy":                                           true, // no VMs to attach to
	"properties.creationData.imageReference":              true, // FromImage disks
	"properties.LastOwnershipUpdateTime":                  true,
	"properties.storageProfile.osDiskImage.source":        true, // VHD source shown back by GalleryRP only
}

// compareShape checks that every key of the example exists in ours with the same JSON type, and
// equal values where deterministic (locations compared after normalizing).
func compareShape(path string, want, got any, diffs *[]string) {
	if notModeled[strings.TrimPrefix(path, "value[].")] {
		return
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			*diffs = append(*diffs, fmt.Sprintf("%s: want an object, got %T", path, got))
			return
		}
		for k, wv := range w {
			p := strings.TrimPrefix(path+"."+k, ".")
			if notModeled[strings.TrimPrefix(p, "value[].")] {
				continue
			}
			gv, ok := g[k]
			if !ok {
				*diffs = append(*diffs, fmt.Sprintf("%s: missing", p))
				continue
			}
			compareShape(p, wv, gv, diffs)
		}
	case []any:
		g, ok := got.([]any)
		if !ok {
			*diffs = append(*diffs, fmt.Sprintf("%s: want an array, got %T", path, got))
			return
		}
		if len(w) > 0 && len(g) == 0 {
			*diffs = append(*diffs, fmt.Sprintf("%s: want %d elements, got none", path, len(w)))
		}
		for i := 0; i < len(w) && i < len(g); i++ {
			compareShape(path+"[]", w[i], g[i], diffs)
		}
	case string:
		gs, ok := got.(string)
		if !ok {
			*diffs = append(*diffs, fmt.Sprintf("%s: want a string, got %T", path, got))
			return
		}
		last := path[strings.LastIndex(path, ".")+1:]
		switch {
		case typeOnlyKeys[last]:
		case last == "location":
			if normalizeRegion(gs) != normalizeRegion(w) {
				*diffs = append(*diffs, fmt.Sprintf("%s: %q, want %q", path, gs, w))
			}
		case gs != w:
			*diffs = append(*diffs, fmt.Sprintf("%s: %q, want %q", path, gs, w))
		}
	case float64:
		gf, ok := got.(float64)
		if !ok {
			*diffs = append(*diffs, fmt.Sprintf("%s: want a number, got %T", path, got))
			return
		}
		last := path[strings.LastIndex(path, ".")+1:]
		if !typeOnlyKeys[last] && gf != w {
			*diffs = append(*diffs, fmt.Sprintf("%s: %v, want %v", path, gf, w))
		}
	case bool:
		gb, ok := got.(bool)
		if !ok {
			*diffs = append(*diffs, fmt.Sprintf("%s: want a bool, got %T", path, got))
		} else if gb != w {
			*diffs = append(*diffs, fmt.Sprintf("%s: %v, want %v", path, gb, w))
		}
	}
}
