package arm

import (
	"fmt"
	"testing"
)

// BenchmarkVersionPut measures a version PUT (validation, one fsynced journal line) with n versions
// already stored, in memory and with a DataDir. BenchmarkStateWrite (journal_test.go) prints the
// per-write cost at 1,000 and 10,000 versions.
func BenchmarkVersionPut(b *testing.B) {
	for _, n := range []int{0, 1000} {
		for _, persisted := range []bool{false, true} {
			b.Run(fmt.Sprintf("stored=%d/persisted=%v", n, persisted), func(b *testing.B) {
				opts := Options{}
				if persisted {
					opts.DataDir = b.TempDir()
				}
				h := newHarness(b, opts)
				f := h.baseFixture("westus", "V2", "Generalized")
				body := versionBody("westus", f.imageID)
				for i := 0; i < n; i++ {
					h.must(201, "PUT", withAPI(f.versionPath(fmt.Sprintf("0.0.%d", i)), apiGallery), body)
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					r := h.do("PUT", withAPI(f.versionPath(fmt.Sprintf("1.%d.0", i)), apiGallery), body)
					if r.Status != 201 {
						b.Fatalf("status %d: %s", r.Status, r.Raw)
					}
				}
			})
		}
	}
}
