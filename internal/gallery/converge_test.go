package gallery

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestConvergeDiff(t *testing.T) {
	eol := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	f, tr := false, true
	existing := func() *ObservedVersion {
		return &ObservedVersion{Name: "1.2.3", SourceID: srcID, ProvisioningState: "Succeeded", ReplicationMode: "Full",
			TargetRegions:           []RegionResult{{Name: "eastus", Replicas: 1, StorageAccountType: "Standard_LRS"}, {Name: "westus", Replicas: 1, StorageAccountType: "Standard_LRS"}},
			RegionExcludeFromLatest: map[string]bool{}, AllowDeletionOfReplicatedLocations: &tr, Tags: ownedTags()}
	}
	cases := []struct {
		name string
		req  func(*Request)
		ver  func(*ObservedVersion)
		want []FieldChange
		err  string
	}{
		{name: "same config: nothing", req: func(r *Request) { r.TargetRegions = []TargetRegion{{Name: "westus"}} }},
		{name: "one more region is added", req: func(r *Request) { r.TargetRegions = []TargetRegion{{Name: "westus"}, {Name: "northeurope"}} },
			want: []FieldChange{{Field: "target_region", To: "northeurope"}}},
		{name: "replicas change", req: func(r *Request) { r.TargetRegions = []TargetRegion{{Name: "westus", Replicas: 3}} },
			want: []FieldChange{{Field: "target_region[westus].replicas", From: "1", To: "3"}}},
		{name: "region removed", want: []FieldChange{{Field: "target_region", From: "westus"}}},
		{name: "region removal forbidden by the version", ver: func(v *ObservedVersion) { v.AllowDeletionOfReplicatedLocations = &f },
			err: "allow_deletion_of_replicated_locations = true"},
		{name: "exclude from latest and end of life", req: func(r *Request) {
			r.TargetRegions = []TargetRegion{{Name: "westus", ExcludeFromLatest: &tr}}
			r.ExcludeFromLatest, r.VersionEndOfLife = true, &eol
		}, want: []FieldChange{{Field: "target_region[westus].exclude_from_latest", From: "false", To: "true"}, {Field: "exclude_from_latest", From: "false", To: "true"},
			{Field: "version_end_of_life_date", To: "2030-01-01T00:00:00Z"}}},
		{name: "replication mode cannot change", req: func(r *Request) { r.ReplicationMode = "Shallow" }, ver: func(v *ObservedVersion) { v.TargetRegions = v.TargetRegions[:1] },
			err: "replication_mode Full; it cannot change to Shallow"},
		{name: "storage type of a replicated region cannot change", req: func(r *Request) {
			r.TargetRegions = []TargetRegion{{Name: "westus", StorageAccountType: "Standard_ZRS"}}
		},
			err: "replicated to westus with storage_account_type Standard_LRS; it cannot change to Standard_ZRS"},
		{name: "a new region may take any storage type", req: func(r *Request) {
			r.TargetRegions = []TargetRegion{{Name: "westus"}, {Name: "uksouth", StorageAccountType: "Premium_LRS"}}
		}, want: []FieldChange{{Field: "target_region", To: "uksouth"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := baseReq()
			if c.req != nil {
				c.req(&req)
			}
			v := existing()
			if c.ver != nil {
				c.ver(v)
			}
			obs := baseObs()
			obs.Version = v
			a, err := Plan(req, obs)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a.VersionUpdates, c.want) {
				t.Fatalf("changes\n got %+v\nwant %+v", a.VersionUpdates, c.want)
			}
			wantDecision := VersionReuse
			if len(c.want) > 0 {
				wantDecision = VersionUpdate
			}
			if a.Version != wantDecision {
				t.Errorf("decision %s, want %s", a.Version, wantDecision)
			}
		})
	}
}
