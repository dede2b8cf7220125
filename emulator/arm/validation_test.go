package arm

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// doCT sends a raw body with the given Content-Type.
func (h *harness) doCT(method, path, ct, body string) response {
	h.t.Helper()
	h.snapshotBefore()
	req, _ := http.NewRequest(method, h.srv.URL+path, strings.NewReader(body))
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	out := response{Status: resp.StatusCode, Header: resp.Header, Raw: buf.Bytes()}
	_ = json.Unmarshal(buf.Bytes(), &out.Body)
	return out
}

func (h *harness) inventory() string {
	h.t.Helper()
	b, err := h.svc.Inventory()
	if err != nil {
		h.t.Fatal(err)
	}
	return string(b)
}

func defBody(loc, osType, osState, hv, sku string) map[string]any {
	p := map[string]any{"osType": osType, "osState": osState, "identifier": map[string]any{"publisher": "p", "offer": "o", "sku": sku}}
	if hv != "" {
		p["hyperVGeneration"] = hv
	}
	return map[string]any{"location": loc, "properties": p}
}

// validationRow is one refused request: how to send it and the error Azure returns.
type validationRow struct {
	name   string
	opts   Options
	run    func(h *harness, f fixture) response
	status int
	code   string
	target string
	inMsg  string
}

// putVersion returns a run that PUTs the version name with body.
func putVersion(name string, body map[string]any) func(h *harness, f fixture) response {
	return func(h *harness, f fixture) response {
		return h.do("PUT", withAPI(f.versionPath(name), apiGallery), body)
	}
}

// defPath is the fixture's image definition path.
func defPath(f fixture) string { return computePath(f.rg, "galleries/"+f.gallery+"/images/"+f.def) }

// withVersion creates version 1.0.0 to westus+eastus and waits for it, then runs next.
func withVersion(body map[string]any, next func(h *harness, f fixture) response) func(h *harness, f fixture) response {
	return func(h *harness, f fixture) response {
		b := body
		switch {
		case b == nil:
			b = versionBody("westus", f.imageID, region("westus", 1), region("eastus", 1))
		case len(b) == 0:
			b = versionBody("westus", f.imageID, region("westus", 1))
		}
		h.put(201, f.versionPath("1.0.0"), apiGallery, b)
		return next(h, f)
	}
}

// validationRows are the refused requests TestValidationErrors sends, one subtest each.
var validationRows = []validationRow{
	{name: "version name two parts", run: func(h *harness, f fixture) response {
		return putVersion("1.0", versionBody("westus", f.imageID))(h, f)
	}, status: 400, code: "InvalidParameter", target: "galleryImageVersionName"},
	{name: "version name beyond int32", run: func(h *harness, f fixture) response {
		return putVersion("1.0.2147483648", versionBody("westus", f.imageID))(h, f)
	}, status: 400, code: "InvalidParameter", target: "galleryImageVersionName"},
	{name: "version name not numeric", run: func(h *harness, f fixture) response {
		return putVersion("1.a.0", versionBody("westus", f.imageID))(h, f)
	}, status: 400, code: "InvalidParameter", target: "galleryImageVersionName"},
	{name: "duplicate target regions after normalizing", run: func(h *harness, f fixture) response {
		return putVersion("1.0.0", versionBody("westus", f.imageID, region("West US", 1), region("East US 2", 1), region("eastus2", 1)))(h, f)
	}, status: 400, code: "InvalidParameter", target: "properties.publishingProfile.targetRegions", inMsg: "more than once"},
	{name: "target regions without the version's location", run: func(h *harness, f fixture) response {
		return putVersion("1.0.0", versionBody("westus", f.imageID, region("eastus", 1)))(h, f)
	}, status: 400, code: "InvalidParameter", target: "properties.publishingProfile.targetRegions", inMsg: "westus"},
	{name: "regional replica count zero", run: func(h *harness, f fixture) response {
		return putVersion("1.0.0", versionBody("westus", f.imageID, region("westus", 0)))(h, f)
	}, status: 400, code: "InvalidParameter", target: "properties.publishingProfile.targetRegions[0].regionalReplicaCount"},
	{name: "regional replica count above 100", run: func(h *harness, f fixture) response {
		return putVersion("1.0.0", versionBody("westus", f.imageID, region("westus", 101)))(h, f)
	}, status: 400, code: "InvalidParameter", target: "properties.publishingProfile.targetRegions[0].regionalReplicaCount"},
	{name: "default replica count out of range", run: func(h *harness, f fixture) response {
		b := versionBody("westus", f.imageID)
		obj(b, "properties", "publishingProfile")["replicaCount"] = 0
		return putVersion("1.0.0", b)(h, f)
	}, status: 400, code: "InvalidParameter", target: "properties.publishingProfile.replicaCount"},
	{name: "source does not exist", run: func(h *harness, f fixture) response {
		return putVersion("1.0.0", versionBody("westus", computePath(f.rg, "images/nope")))(h, f)
	}, status: 404, code: "NotFound", target: "properties.storageProfile.source.id", inMsg: "images/nope"},
	{name: "virtual machine source is never found", run: func(h *harness, f fixture) response {
		b := versionBody("westus", "")
		obj(b, "properties", "storageProfile")["source"] = map[string]any{"virtualMachineId": computePath(f.rg, "virtualMachines/vm1")}
		return putVersion("1.0.0", b)(h, f)
	}, status: 404, code: "NotFound", target: "properties.storageProfile.source.virtualMachineId"},
	{name: "no source", run: func(h *harness, f fixture) response {
		b := versionBody("westus", "")
		delete(obj(b, "properties"), "storageProfile")
		return putVersion("1.0.0", b)(h, f)
	}, status: 400, code: "InvalidParameter", target: "properties.storageProfile.source.id"},
	{name: "source in another region", run: func(h *harness, f fixture) response {
		d := computePath(f.rg, "disks/east")
		h.put(202, d, apiDisk, map[string]any{"location": "eastus", "properties": map[string]any{"creationData": map[string]any{"createOption": "Empty"}, "diskSizeGB": 1}})
		img := computePath(f.rg, "images/east")
		h.put(201, img, apiImage, map[string]any{"location": "eastus", "properties": map[string]any{"hyperVGeneration": "V2", "storageProfile": map[string]any{
			"osDisk": map[string]any{"osType": "Linux", "osState": "Generalized", "managedDisk": map[string]any{"id": d}}}}})
		return putVersion("1.0.0", versionBody("westus", img))(h, f)
	}, status: 404, code: "NotFound", target: "properties.storageProfile.source.id", inMsg: "same region as gallery image version"},
	{name: "generalized definition needs a generalized source", run: func(h *harness, f fixture) response {
		img := computePath(f.rg, "images/spec")
		h.put(201, img, apiImage, map[string]any{"location": "westus", "properties": map[string]any{"hyperVGeneration": "V2", "storageProfile": map[string]any{
			"osDisk": map[string]any{"osType": "Linux", "osState": "Specialized", "managedDisk": map[string]any{"id": f.diskID}}}}})
		return putVersion("1.0.0", versionBody("westus", img))(h, f)
	}, status: 400, code: "BadRequest", target: "properties.storageProfile.source.id", inMsg: "different OS state ['Specialized'] than the parent gallery image OS state ['Generalized']"},
	{name: "version source is immutable", run: withVersion(nil, func(h *harness, f fixture) response {
		img := computePath(f.rg, "images/other")
		h.put(201, img, apiImage, map[string]any{"location": "westus", "properties": map[string]any{"hyperVGeneration": "V2", "storageProfile": map[string]any{
			"osDisk": map[string]any{"osType": "Linux", "osState": "Generalized", "managedDisk": map[string]any{"id": f.diskID}}}}})
		return putVersion("1.0.0", versionBody("westus", img, region("westus", 1), region("eastus", 1)))(h, f)
	}), status: 409, code: "PropertyChangeNotAllowed", target: "properties.storageProfile.source.id"},
	{name: "version replication mode is immutable", run: withVersion(map[string]any{}, func(h *harness, f fixture) response {
		b := versionBody("westus", f.imageID, region("westus", 1))
		obj(b, "properties", "publishingProfile")["replicationMode"] = "Shallow"
		return putVersion("1.0.0", b)(h, f)
	}), status: 409, code: "PropertyChangeNotAllowed", target: "properties.publishingProfile.replicationMode"},
	{name: "storage account type of a replicated region is immutable", run: withVersion(nil, func(h *harness, f fixture) response {
		r := region("eastus", 1)
		r["storageAccountType"] = "Standard_ZRS"
		return putVersion("1.0.0", versionBody("westus", f.imageID, region("westus", 1), r))(h, f)
	}), status: 409, code: "PropertyChangeNotAllowed"},
	{name: "removing a replicated region needs allowDeletionOfReplicatedLocations", run: withVersion(nil, func(h *harness, f fixture) response {
		return putVersion("1.0.0", versionBody("westus", f.imageID, region("westus", 1)))(h, f)
	}), status: 409, code: "OperationNotAllowed", target: "properties.publishingProfile.targetRegions", inMsg: "eastus"},
	{name: "deleting a version before its end of life is blocked", run: func(h *harness, f fixture) response {
		b := versionBody("westus", f.imageID)
		obj(b, "properties", "publishingProfile")["endOfLifeDate"] = "2030-01-01T00:00:00Z"
		obj(b, "properties")["safetyProfile"] = map[string]any{"blockDeletionBeforeEndOfLife": true}
		h.put(201, f.versionPath("1.0.0"), apiGallery, b)
		return h.do("DELETE", withAPI(f.versionPath("1.0.0"), apiGallery), nil)
	}, status: 409, code: "DeleteGalleryImageVersionBlockedBeforeEndOfLife", inMsg: "end of life"},
	{name: "shallow replication allows only the source region", run: func(h *harness, f fixture) response {
		b := versionBody("westus", f.imageID, region("westus", 1), region("eastus", 1))
		obj(b, "properties", "publishingProfile")["replicationMode"] = "Shallow"
		return putVersion("1.0.0", b)(h, f)
	}, status: 400, code: "InvalidParameter", target: "properties.publishingProfile.targetRegions", inMsg: "Shallow"},
	{name: "shallow replication allows one replica", run: func(h *harness, f fixture) response {
		b := versionBody("westus", f.imageID, region("westus", 2))
		obj(b, "properties", "publishingProfile")["replicationMode"] = "Shallow"
		return putVersion("1.0.0", b)(h, f)
	}, status: 400, code: "InvalidParameter", inMsg: "one replica"},
	{name: "definition osType is immutable", run: func(h *harness, f fixture) response {
		return h.do("PUT", withAPI(defPath(f), apiGallery), defBody("westus", "Windows", "Generalized", "V2", "s"))
	}, status: 409, code: "PropertyChangeNotAllowed", target: "properties.osType"},
	{name: "definition osState is immutable", run: func(h *harness, f fixture) response {
		return h.do("PUT", withAPI(defPath(f), apiGallery), defBody("westus", "Linux", "Specialized", "V2", "s"))
	}, status: 409, code: "PropertyChangeNotAllowed", target: "properties.osState"},
	{name: "definition hyperVGeneration is immutable", run: func(h *harness, f fixture) response {
		return h.do("PUT", withAPI(defPath(f), apiGallery), defBody("westus", "Linux", "Generalized", "V1", "s"))
	}, status: 409, code: "PropertyChangeNotAllowed", target: "properties.hyperVGeneration"},
	{name: "definition identifier is immutable", run: func(h *harness, f fixture) response {
		return h.do("PUT", withAPI(defPath(f), apiGallery), defBody("westus", "Linux", "Generalized", "V2", "other"))
	}, status: 409, code: "PropertyChangeNotAllowed", target: "properties.identifier.sku"},
	{name: "definition needs osType", run: func(h *harness, f fixture) response {
		b := defBody("westus", "", "Generalized", "", "x")
		return h.do("PUT", withAPI(defPath(f)+"x", apiGallery), b)
	}, status: 400, code: "InvalidParameter", target: "properties.osType"},
	{name: "definition needs an identifier", run: func(h *harness, f fixture) response {
		b := defBody("westus", "Linux", "Generalized", "", "")
		return h.do("PUT", withAPI(defPath(f)+"x", apiGallery), b)
	}, status: 400, code: "InvalidParameter", target: "properties.identifier.sku"},
	{name: "deleting a definition with versions", run: withVersion(nil, func(h *harness, f fixture) response {
		return h.do("DELETE", withAPI(defPath(f), apiGallery), nil)
	}), status: 409, code: "CannotDeleteResource"},
	{name: "deleting a gallery with definitions", run: func(h *harness, f fixture) response {
		return h.do("DELETE", withAPI(computePath(f.rg, "galleries/"+f.gallery), apiGallery), nil)
	}, status: 409, code: "CannotDeleteResource"},
	{name: "gallery quota per region", opts: Options{Quotas: Quotas{GalleriesPerRegion: 1}}, run: func(h *harness, f fixture) response {
		return h.do("PUT", withAPI(computePath(f.rg, "galleries/second"), apiGallery), map[string]any{"location": "westus"})
	}, status: 409, code: "OperationNotAllowed", inMsg: "quota"},
	{name: "definition quota per region", opts: Options{Quotas: Quotas{DefinitionsPerRegion: 1}}, run: func(h *harness, f fixture) response {
		return h.do("PUT", withAPI(defPath(f)+"2", apiGallery), defBody("westus", "Linux", "Generalized", "V2", "s2"))
	}, status: 409, code: "OperationNotAllowed", inMsg: "quota"},
	{name: "version quota per region", opts: Options{Quotas: Quotas{VersionsPerRegion: 1}}, run: withVersion(nil, func(h *harness, f fixture) response {
		return putVersion("1.0.1", versionBody("westus", f.imageID))(h, f)
	}), status: 409, code: "OperationNotAllowed", inMsg: "quota"},
	{name: "missing resource group", run: func(h *harness, f fixture) response {
		return h.do("PUT", withAPI(computePath("nope", "galleries/g"), apiGallery), map[string]any{"location": "westus"})
	}, status: 404, code: "ResourceGroupNotFound"},
	{name: "missing parent gallery", run: func(h *harness, f fixture) response {
		return h.do("PUT", withAPI(computePath(f.rg, "galleries/nope/images/d"), apiGallery), defBody("westus", "Linux", "Generalized", "", "s"))
	}, status: 404, code: "ParentResourceNotFound"},
	{name: "missing parent definition", run: func(h *harness, f fixture) response {
		return h.do("GET", withAPI(computePath(f.rg, "galleries/"+f.gallery+"/images/nope/versions"), apiGallery), nil)
	}, status: 404, code: "ParentResourceNotFound"},
	{name: "missing resource", run: func(h *harness, f fixture) response {
		return h.do("GET", withAPI(f.versionPath("9.9.9"), apiGallery), nil)
	}, status: 404, code: "ResourceNotFound"},
	{name: "malformed JSON", run: func(h *harness, f fixture) response {
		return h.doCT("PUT", withAPI(computePath(f.rg, "galleries/g2"), apiGallery), "application/json", `{"location": "westus",`)
	}, status: 400, code: "InvalidRequestContent"},
	{name: "wrong content type", run: func(h *harness, f fixture) response {
		return h.doCT("PUT", withAPI(computePath(f.rg, "galleries/g2"), apiGallery), "text/plain", `{"location": "westus"}`)
	}, status: 415, code: "UnsupportedMediaType"},
	{name: "missing content type", run: func(h *harness, f fixture) response {
		return h.doCT("PUT", withAPI(computePath(f.rg, "galleries/g2"), apiGallery), "", `{"location": "westus"}`)
	}, status: 415, code: "UnsupportedMediaType"},
	{name: "missing location", run: func(h *harness, f fixture) response {
		return h.do("PUT", withAPI(computePath(f.rg, "galleries/g2"), apiGallery), map[string]any{"properties": map[string]any{}})
	}, status: 400, code: "LocationRequired", target: "location"},
	{name: "unknown location", run: func(h *harness, f fixture) response {
		return h.do("PUT", withAPI(computePath(f.rg, "galleries/g2"), apiGallery), map[string]any{"location": "marsnorth"})
	}, status: 400, code: "LocationNotAvailableForResourceType", target: "location"},
	{name: "missing api-version", run: func(h *harness, f fixture) response {
		return h.do("GET", computePath(f.rg, "galleries/"+f.gallery), nil)
	}, status: 400, code: "MissingApiVersionParameter"},
	{name: "unknown gallery api-version", run: func(h *harness, f fixture) response {
		return h.do("GET", withAPI(computePath(f.rg, "galleries/"+f.gallery), "2019-01-01"), nil)
	}, status: 400, code: "NoRegisteredProviderFound", inMsg: "2026-03-03"},
	{name: "gallery api-version on a disk", run: func(h *harness, f fixture) response {
		return h.do("GET", withAPI(f.diskID, apiGallery), nil)
	}, status: 400, code: "NoRegisteredProviderFound", inMsg: "2026-03-02"},
	{name: "unknown resource group api-version", run: func(h *harness, f fixture) response {
		return h.do("GET", withAPI(rgPath(f.rg), "2015-01-01"), nil)
	}, status: 400, code: "NoRegisteredProviderFound", inMsg: "2021-04-01"},
	{name: "upload disk size not VHD-aligned", run: func(h *harness, f fixture) response {
		return h.do("PUT", withAPI(computePath(f.rg, "disks/bad"), apiDisk), map[string]any{"location": "westus", "properties": map[string]any{
			"creationData": map[string]any{"createOption": "Upload", "uploadSizeBytes": 21 * mib}}})
	}, status: 400, code: "InvalidParameter", target: "properties.creationData.uploadSizeBytes"},
	{name: "disk access needs a blob endpoint", run: func(h *harness, f fixture) response {
		return h.do("POST", withAPI(f.diskID+"/beginGetAccess", apiDisk), map[string]any{"access": "Read", "durationInSeconds": 60})
	}, status: 400, code: "OperationNotAllowed", inMsg: "blob endpoint"},
	{name: "role assignment exists under another name", run: func(h *harness, f fixture) response {
		scope := f.versionPath("1.0.0")
		h.put(201, scope, apiGallery, versionBody("westus", f.imageID))
		ra := map[string]any{"properties": map[string]any{"roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7", "principalId": "11111111-1111-1111-1111-111111111111"}}
		h.must(201, "PUT", withAPI(scope+"/providers/Microsoft.Authorization/roleAssignments/aaaaaaaa-0000-0000-0000-000000000001", "2022-04-01"), ra)
		return h.do("PUT", withAPI(scope+"/providers/Microsoft.Authorization/roleAssignments/aaaaaaaa-0000-0000-0000-000000000002", "2022-04-01"), ra)
	}, status: 409, code: "RoleAssignmentExists"},
}

// TestValidationErrors triggers each validation rule and checks status, code and target, and that a
// refused request leaves the stored state exactly as it was.
func TestValidationErrors(t *testing.T) {
	for _, r := range validationRows {
		t.Run(r.name, func(t *testing.T) {
			h := newHarness(t, r.opts)
			f := h.baseFixture("westus", "V2", "Generalized")
			h.snap = true
			got := r.run(h, f)
			if after := h.inventory(); after != h.before {
				t.Errorf("a refused request changed the stored state:\nbefore %s\nafter %s", h.before, after)
			}
			if got.Status != r.status || got.errCode() != r.code {
				t.Fatalf("got %d %s, want %d %s: %s", got.Status, got.errCode(), r.status, r.code, got.Raw)
			}
			if got.Header.Get("x-ms-error-code") != r.code {
				t.Errorf("x-ms-error-code %q, want %q", got.Header.Get("x-ms-error-code"), r.code)
			}
			e := obj(got.Body, "error")
			if r.target != "" && str(e, "target") != r.target {
				t.Errorf("target %q, want %q", str(e, "target"), r.target)
			}
			if r.inMsg != "" && !strings.Contains(str(e, "message"), r.inMsg) {
				t.Errorf("message %q does not mention %q", str(e, "message"), r.inMsg)
			}
			if str(e, "message") == "" {
				t.Error("empty error message")
			}
		})
	}
}
