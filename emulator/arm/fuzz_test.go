package arm

import (
	"net/http"
	"strings"
	"testing"
)

// FuzzVersionPut sends arbitrary bodies to a version PUT: the emulator must never answer 500, and a
// refused request must leave the stored state exactly as it was.
func FuzzVersionPut(f *testing.F) {
	f.Add(`{"location":"westus","properties":{"storageProfile":{"source":{"id":"IMAGE"}}}}`)
	f.Add(`{"location":"westus","properties":{"publishingProfile":{"targetRegions":[{"name":"West US","regionalReplicaCount":"x"}]},"storageProfile":{"source":{"id":"IMAGE"}}}}`)
	f.Add(`{"location":"westus","properties":{"publishingProfile":{"targetRegions":[null,1,"a"]}}}`)
	f.Add(`{"location":"westus","properties":{"storageProfile":{"dataDiskImages":[1,{"source":{"id":5}}]}}}`)
	f.Add(`{"location":5,"tags":{"a":1}}`)
	f.Add(`{"location":"westus","properties":[]}`)
	f.Add(`[]`)
	f.Add(`{"location":"westus","properties":{"publishingProfile":{"replicaCount":1e300,"endOfLifeDate":"x"},"storageProfile":{"source":{"id":"IMAGE"}}}}`)
	f.Fuzz(func(t *testing.T, body string) {
		h := newHarness(t, Options{})
		fx := h.baseFixture("westus", "V2", "Generalized")
		body = strings.ReplaceAll(body, "IMAGE", fx.imageID)
		before := h.inventory()
		r := h.doCT(http.MethodPut, withAPI(fx.versionPath("1.0.0"), apiGallery), "application/json", body)
		if r.Status >= 500 {
			t.Fatalf("status %d: %s", r.Status, r.Raw)
		}
		if r.Status >= 400 {
			if after := h.inventory(); after != before {
				t.Fatalf("refused request changed state: %s", r.Raw)
			}
			if r.errCode() == "" {
				t.Fatalf("error without a code: %s", r.Raw)
			}
		}
	})
}
