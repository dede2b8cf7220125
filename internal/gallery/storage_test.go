package gallery

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
)

// storageReq is a request with a storage strategy and a PremiumV2 replica set in westus.
func storageReq() Request {
	req := baseReq()
	req.StorageAccountStrategy = StrategyPreferStandardZRS
	req.TargetRegions = []TargetRegion{
		{Name: "westus", Replicas: 2, AdditionalReplicaSets: []ReplicaSet{{StorageAccountType: "premiumv2_lrs", Replicas: 1}}},
		{Name: "eastus2", StorageAccountType: "Premium_LRS"},
	}
	return req
}

// TestStorageMapping: the strategy goes into the create PUT only, each region without its own type
// leaves storageAccountType out (the strategy decides), the replica set is sent in Azure's spelling on
// its region, and the create and the converging PATCH carry the same target regions.
func TestStorageMapping(t *testing.T) {
	req := storageReq()
	a, err := Plan(req, baseObs())
	if err != nil {
		t.Fatal(err)
	}
	created := versionBody(req, a, Source{ID: srcID}).Properties.PublishingProfile
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	if got := js(created.TargetRegions); got != js(publishingProfile(req, a).TargetRegions) {
		t.Fatalf("create and converge differ: %s", got)
	}
	if created.StorageAccountStrategy == nil || string(*created.StorageAccountStrategy) != "PreferStandard_ZRS" || created.StorageAccountType != nil {
		t.Fatalf("profile %s: want the strategy and no storageAccountType", js(created))
	}
	byName := map[string]string{}
	for _, tr := range created.TargetRegions {
		byName[*tr.Name] = js(tr)
	}
	want := map[string]string{
		"eastus":  `{"name":"eastus","regionalReplicaCount":1}`,
		"westus":  `{"additionalReplicaSets":[{"regionalReplicaCount":1,"storageAccountType":"PremiumV2_LRS"}],"name":"westus","regionalReplicaCount":2}`,
		"eastus2": `{"name":"eastus2","regionalReplicaCount":1,"storageAccountType":"Premium_LRS"}`,
	}
	for name, w := range want {
		if byName[name] != w {
			t.Errorf("%s: %s, want %s", name, byName[name], w)
		}
	}
	if a.FootprintGiB != 30*5 {
		t.Errorf("footprint %d GiB, want 150 (30 GiB × 5 replicas, the replica set included)", a.FootprintGiB)
	}
	line := footprintLine(a)
	for _, w := range []string{"150 GiB (30 GiB × 5 replicas", "westus+PremiumV2_LRS×1", "PremiumV2_LRS: 30 GiB", "Premium_LRS: 30 GiB", "(PreferStandard_ZRS): 90 GiB"} {
		if !strings.Contains(line, w) {
			t.Errorf("footprint line %q lacks %q", line, w)
		}
	}
}

// TestStorageRules: what Azure refuses is refused by the plan, naming the field.
func TestStorageRules(t *testing.T) {
	cases := []struct {
		name string
		mod  func(*Request)
		want string
	}{
		{"strategy with storage type", func(r *Request) { r.StorageAccountType = "Standard_LRS" }, "storage_account_strategy and storage_account_type are both set"},
		{"standard replica set", func(r *Request) { r.TargetRegions[0].AdditionalReplicaSets[0].StorageAccountType = "Standard_LRS" }, "target_region[0].additional_replica_set[0].storage_account_type \"Standard_LRS\" is not valid"},
		{"too many replicas", func(r *Request) { r.TargetRegions[0].AdditionalReplicaSets[0].Replicas = 101 }, "target_region[0].additional_replica_set[0].replicas 101 is out of range"},
		{"twice in a region", func(r *Request) {
			r.TargetRegions[0].AdditionalReplicaSets = append(r.TargetRegions[0].AdditionalReplicaSets, ReplicaSet{StorageAccountType: "PremiumV2_LRS", Replicas: 1})
		}, "listed twice"},
		{"the region's own type", func(r *Request) { r.TargetRegions[0].StorageAccountType = "PremiumV2_LRS" }, "is the region's own storage type"},
		{"shallow", func(r *Request) {
			r.ReplicationMode = ReplicationShallow
			r.TargetRegions = []TargetRegion{{Name: "eastus", AdditionalReplicaSets: []ReplicaSet{{StorageAccountType: "PremiumV2_LRS", Replicas: 1}}}}
		}, "replication_mode = \"Shallow\" makes no replicas"},
	}
	for _, c := range cases {
		req := storageReq()
		c.mod(&req)
		if _, err := Plan(req, baseObs()); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := Plan(storageReq(), baseObs()); err != nil {
		t.Errorf("the valid request is refused: %v", err)
	}
}

// TestPublishStorageStrategyAndReplicaSet publishes against the emulator a version with
// PreferStandard_ZRS and a PremiumV2 replica set in one region: the emulator stores the strategy, picks
// Standard_ZRS in eastus (a region with zones) and Standard_LRS in westus (none), keeps the replica set
// on its region, the footprint line prices it, and a re-run reuses the version without a write.
func TestPublishStorageStrategyAndReplicaSet(t *testing.T) {
	e := newEnv(t, emulator.Options{})
	src := e.image("img1", "eastus", 4, armcompute.HyperVGenerationTypesV2)
	req := e.request(src, "1.0.0", "eastus", "westus")
	req.StorageAccountStrategy = StrategyPreferStandardZRS
	req.TargetRegions[0].AdditionalReplicaSets = []ReplicaSet{{StorageAccountType: "PremiumV2_LRS", Replicas: 2}}
	rec := &recorder{}
	if _, err := e.publisher(rec).Publish(e.ctx, req); err != nil {
		t.Fatalf("publish: %v\n%s", err, rec.text())
	}
	v, err := e.version("1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	pp := v.Properties.PublishingProfile
	if pp.StorageAccountStrategy == nil || *pp.StorageAccountStrategy != armcompute.StorageAccountStrategyPreferStandardZRS {
		t.Fatalf("strategy not stored: %v", pp.StorageAccountStrategy)
	}
	got := map[string]string{}
	for _, tr := range pp.TargetRegions {
		s := string(*tr.StorageAccountType)
		for _, set := range tr.AdditionalReplicaSets {
			s += fmt.Sprintf("+%s×%d", *set.StorageAccountType, *set.RegionalReplicaCount)
		}
		got[NormalizeRegion(*tr.Name)] = s
	}
	if got["eastus"] != "Standard_ZRS+PremiumV2_LRS×2" || got["westus"] != "Standard_LRS" {
		t.Fatalf("regions as stored: %v", got)
	}
	if v.Properties.ReplicationStatus == nil || *v.Properties.ReplicationStatus.AggregatedState != armcompute.AggregatedReplicationStateCompleted {
		t.Fatalf("replication: %+v", v.Properties.ReplicationStatus)
	}
	if out := rec.text(); !strings.Contains(out, "Storage footprint: 16 GiB (4 GiB × 4 replicas") || !strings.Contains(out, "PremiumV2_LRS: 8 GiB") {
		t.Errorf("footprint line:\n%s", out)
	}
	puts := e.count.puts.Load()
	res, err := e.publisher(&recorder{}).Publish(e.ctx, req)
	if err != nil || res.Outcome != OutcomeReused {
		t.Fatalf("re-run: %+v %v", res, err)
	}
	if n := e.count.puts.Load() - puts; n != 0 {
		t.Errorf("re-run sent %d PUTs", n)
	}
}
