package arm

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// persistedState loads DataDir into a fresh Service (snapshot + journal) and returns its state as JSON.
func persistedState(t *testing.T, dir string) string {
	t.Helper()
	svc, err := New(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.closeJournal()
	b, _ := json.Marshal(svc.st)
	return string(b)
}

func memoryState(h *harness) string {
	h.svc.mu.Lock()
	defer h.svc.mu.Unlock()
	b, _ := json.Marshal(h.svc.st)
	return string(b)
}

// journalWorkload touches every kind of write: creates, updates, PATCH, actions, nested delete lag,
// role assignments, rules, deletes and a resource group cascade.
func journalWorkload(h *harness) {
	f := h.baseFixture("westus", "V2", "Generalized")
	gp := computePath(f.rg, "galleries/"+f.gallery)
	h.svc.AddReplicationFailure(ReplicationFailure{Region: "eastus", Details: "x", Count: 1})
	_ = h.svc.AddReplicationProfile(ReplicationProfileRule{Profile: ProfileStall, Count: 2})
	h.put(201, f.versionPath("1.0.0"), apiGallery, versionBody("westus", f.imageID, region("westus", 1), region("eastus", 1)))
	h.put(201, f.versionPath("1.0.1"), apiGallery, versionBody("westus", f.imageID))
	h.waitOp(h.must(200, "PATCH", withAPI(f.versionPath("1.0.1"), apiGallery), map[string]any{"tags": map[string]any{"a": "b"}}))
	h.waitOp(h.must(202, "POST", withAPI(gp+"/share", apiGallery), map[string]any{"operationType": "Add",
		"groups": []any{map[string]any{"type": "Subscriptions", "ids": []any{"s1"}}}}))
	ra := map[string]any{"properties": map[string]any{"roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7", "principalId": "11111111-1111-1111-1111-111111111111"}}
	h.must(201, "PUT", withAPI(gp+"/providers/Microsoft.Authorization/roleAssignments/aaaaaaaa-0000-0000-0000-000000000001", "2022-04-01"), ra)
	h.waitOp(h.must(202, "DELETE", withAPI(f.versionPath("1.0.0"), apiGallery), nil))
	h.createRG("rg2", "westus")
	h.put(201, computePath("rg2", "galleries/g2"), apiGallery, map[string]any{"location": "westus"})
	h.must(202, "DELETE", withAPI(rgPath("rg2"), apiRG), nil)
}

// TestJournalMatchesMemory: after every kind of write, what a restart reads (snapshot + journal)
// equals the state in memory, before and after compaction, and a torn last line is ignored.
func TestJournalMatchesMemory(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, Options{DataDir: dir, DeleteLag: 10 * time.Second})
	journalWorkload(h)
	if got, want := persistedState(t, dir), memoryState(h); got != want {
		t.Fatalf("journal replay differs from memory:\n got %s\nwant %s", got, want)
	}
	old := minCompactBytes
	minCompactBytes = 1
	h.put(201, computePath("rg1", "galleries/g3"), apiGallery, map[string]any{"location": "westus"})
	minCompactBytes = old
	if fi, err := os.Stat(filepath.Join(dir, journalFile)); err != nil || fi.Size() != 0 {
		t.Fatalf("journal after compaction: %v %v", fi, err)
	}
	h.put(201, computePath("rg1", "galleries/g4"), apiGallery, map[string]any{"location": "westus"})
	if got, want := persistedState(t, dir), memoryState(h); got != want {
		t.Fatalf("snapshot + journal differ from memory after compaction")
	}
	// A crash mid-append leaves a line without its newline: the restart ignores it.
	jf, _ := os.OpenFile(filepath.Join(dir, journalFile), os.O_APPEND|os.O_WRONLY, 0)
	_, _ = jf.WriteString(`{"r":{"/x":{"id":"/x"`)
	jf.Close()
	if got, want := persistedState(t, dir), memoryState(h); got != want {
		t.Fatalf("a torn last line changed the replayed state")
	}
}

// BenchmarkStateWrite prints the cost of one persisted write (a version PUT: validation, journal
// append with fsync) with 1,000 and 10,000 versions stored, against the same PUT in memory.
// The goal is ≤ 5 ms per write at 10,000 versions.
func BenchmarkStateWrite(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		for _, persisted := range []bool{false, true} {
			b.Run(fmt.Sprintf("versions=%d/persisted=%v", n, persisted), func(b *testing.B) {
				opts := Options{Quotas: Quotas{VersionsPerRegion: n + b.N + 10}}
				if persisted {
					opts.DataDir = b.TempDir()
				}
				h := newHarness(b, opts)
				f := h.baseFixture("westus", "V2", "Generalized")
				body := versionBody("westus", f.imageID)
				for i := 0; i < n; i++ {
					h.must(201, "PUT", withAPI(f.versionPath(fmt.Sprintf("0.%d.%d", i/1000, i%1000)), apiGallery), body)
				}
				b.ResetTimer()
				start := time.Now()
				for i := 0; i < b.N; i++ {
					if r := h.do("PUT", withAPI(f.versionPath(fmt.Sprintf("1.%d.0", i)), apiGallery), body); r.Status != 201 {
						b.Fatalf("status %d: %s", r.Status, r.Raw)
					}
				}
				b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/write")
			})
		}
	}
}
