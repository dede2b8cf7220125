package gallery

import (
	"strings"
	"testing"
	"time"
)

const (
	srcID   = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/images/img"
	otherID = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/images/other"
)

func baseReq() Request {
	return Request{
		SourceID: srcID, ResourceGroup: "rg", GalleryName: "gal", CreateGallery: false,
		Definition: DefinitionSpec{Name: "def", Create: true, Publisher: "p", Offer: "o", Sku: "s"},
		Version:    VersionSpec{Version: "1.2.3"},
	}
}

func baseObs() *Observed {
	return &Observed{
		Source:  Source{ID: srcID, Kind: SourceManagedImage, Location: "eastus", OSType: "Linux", OSState: "Generalized", HyperVGeneration: "V2", SizeGiB: 30, ProvisioningState: "Succeeded"},
		Gallery: &ObservedGallery{ID: "g", Location: "eastus"},
		Definition: &ObservedDefinition{Name: "def", Location: "eastus", OSType: "Linux", OSState: "Generalized", HyperVGeneration: "V2",
			Publisher: "p", Offer: "o", Sku: "s", Tags: ownedTags()},
	}
}

// planEOL is the end of life date the definition update case sets.
var planEOL = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// planCase is one Plan input (changes to baseReq and baseObs) and what it must produce.
type planCase struct {
	name string
	req  func(*Request)
	obs  func(*Observed)
	// err: substrings the error must contain; empty = success expected.
	err   []string
	check func(t *testing.T, a *Actions)
}

// planCases are the inputs TestPlan runs, one subtest each.
var planCases = []planCase{
	{name: "reuse everything, create version", check: func(t *testing.T, a *Actions) {
		if a.CreateGallery || a.CreateDefinition || a.Version != VersionCreate || len(a.DefinitionUpdates) != 0 || a.VersionName != "1.2.3" {
			t.Errorf("%+v", a)
		}
		if len(a.Regions) != 1 || a.Regions[0] != (RegionPlan{Name: "eastus", Replicas: 1, StorageAccountType: "Standard_LRS"}) || a.FootprintGiB != 30 {
			t.Errorf("regions %+v footprint %d", a.Regions, a.FootprintGiB)
		}
	}},
	{name: "gallery missing without create_gallery", obs: func(o *Observed) { o.Gallery, o.Definition = nil, nil },
		err: []string{`gallery "gal" does not exist`, "set create_gallery = true"}},
	{name: "gallery missing with create_gallery", req: func(r *Request) { r.CreateGallery = true }, obs: func(o *Observed) { o.Gallery, o.Definition = nil, nil },
		check: func(t *testing.T, a *Actions) {
			if !a.CreateGallery || !a.CreateDefinition || a.Version != VersionCreate || a.Location != "eastus" {
				t.Errorf("%+v", a)
			}
			if a.Definition.OSType != "Linux" || a.Definition.HyperVGeneration != "V2" || a.Definition.OSState != "Generalized" {
				t.Errorf("definition not resolved from the source: %+v", a.Definition)
			}
		}},
	{name: "gallery in another region", obs: func(o *Observed) { o.Gallery.Location = "westus" },
		err: []string{`gallery "gal" is in westus, but the source image is in eastus`}},
	{name: "definition missing, create_image false", req: func(r *Request) { r.Definition.Create = false }, obs: func(o *Observed) { o.Definition = nil },
		err: []string{`image definition "def" does not exist`, "create_image = true"}},
	{name: "definition missing without identifier", req: func(r *Request) { r.Definition.Publisher, r.Definition.Sku = "", "" }, obs: func(o *Observed) { o.Definition = nil },
		err: []string{"creating it needs publisher, sku"}},
	{name: "definition missing is created", obs: func(o *Observed) { o.Definition = nil }, check: func(t *testing.T, a *Actions) {
		if !a.CreateDefinition || a.Version != VersionCreate {
			t.Errorf("%+v", a)
		}
	}},
	{name: "definition in another region", obs: func(o *Observed) { o.Definition.Location = "westus" }, err: []string{`image definition "def" is in westus`}},
	{name: "incompatible definition lists every field",
		req: func(r *Request) { r.Definition.Architecture = "Arm64"; r.Definition.SecurityType = "TrustedLaunch" },
		obs: func(o *Observed) {
			// A snapshot: Azure refuses Arm64 from a managed image before any definition comparison.
			o.Source.Kind = SourceSnapshot
			o.Definition.OSType, o.Definition.HyperVGeneration, o.Definition.OSState = "Windows", "", "Specialized"
			o.Definition.Offer = "other"
		},
		err: []string{"os_type: definition has Windows, image has Linux", "os_state: definition has Specialized, image has Generalized",
			"hyper_v_generation: definition has V1, image has V2", "architecture: definition has x64, image has Arm64",
			"security_type: definition has Standard, image has TrustedLaunch", "offer: definition has other, config has o", "publish to a new image_name"}},
	{name: "updatable definition fields differ",
		req: func(r *Request) {
			r.Definition.Description, r.Definition.EndOfLife, r.Definition.MaxVCPUs, r.Definition.Eula = "new", &planEOL, 16, ""
		},
		obs: func(o *Observed) {
			o.Definition.Description, o.Definition.MaxVCPUs, o.Definition.Eula = "old", 8, "keep"
		},
		check: func(t *testing.T, a *Actions) {
			var got []string
			for _, c := range a.DefinitionUpdates {
				got = append(got, c.Field+"="+c.From+"->"+c.To)
			}
			want := "description=old->new recommended_vcpus_max=8->16 end_of_life_date=->2030-01-01T00:00:00Z"
			if strings.Join(got, " ") != want {
				t.Errorf("updates %q, want %q", strings.Join(got, " "), want)
			}
		}},
	{name: "config contradicts the source", req: func(r *Request) { r.Definition.OSType = "Windows"; r.Definition.HyperVGeneration = "V1" },
		err: []string{"os_type is Windows, but the source image is Linux", "hyper_v_generation is V1, but the source image is V2"}},
	{name: "specialized source", obs: func(o *Observed) { o.Source.OSState = "Specialized" }, req: func(r *Request) { r.Definition.OSState = "Generalized" },
		err: []string{"the source image is Specialized", `os_state = "Specialized"`}},
	{name: "specialized source, os_state unset", obs: func(o *Observed) { o.Source.OSState = "Specialized" },
		err: []string{"the source image is Specialized"}},
	{name: "specialized source, os_state Specialized", obs: func(o *Observed) { o.Source.OSState = "Specialized"; o.Definition.OSState = "Specialized" },
		req: func(r *Request) { r.Definition.OSState = "Specialized" }},
	{name: "source still provisioning", obs: func(o *Observed) { o.Source.ProvisioningState = "Creating" }, err: []string{"is Creating, not Succeeded"}},
	{name: "version exists, same source, succeeded", obs: func(o *Observed) {
		o.Version = &ObservedVersion{Name: "1.2.3", SourceID: strings.ToUpper(srcID), ProvisioningState: "Succeeded", AggregatedState: "Completed"}
	}, check: func(t *testing.T, a *Actions) {
		if a.Version != VersionReuse || !strings.Contains(strings.Join(a.Notes, "\n"), "reusing it") {
			t.Errorf("%+v", a)
		}
	}},
	{name: "version with other regions converges", req: func(r *Request) { r.TargetRegions = []TargetRegion{{Name: "westus", Replicas: 2}} }, obs: func(o *Observed) {
		o.Version = &ObservedVersion{Name: "1.2.3", SourceID: srcID, ProvisioningState: "Succeeded",
			TargetRegions: []RegionResult{{Name: "eastus", Replicas: 1, StorageAccountType: "Standard_LRS"}, {Name: "westus", Replicas: 1}, {Name: "uksouth", Replicas: 1}}, Tags: ownedTags()}
	}, check: func(t *testing.T, a *Actions) {
		notes := strings.Join(a.Notes, "\n")
		if a.Version != VersionUpdate || !strings.Contains(notes, "converging it with the config (target_region[westus].replicas, remove region uksouth)") {
			t.Errorf("%s", notes)
		}
	}},
	{name: "version converge refuses a storage type change", req: func(r *Request) { r.StorageAccountType = "Premium_LRS" }, obs: func(o *Observed) {
		o.Version = &ObservedVersion{Name: "1.2.3", SourceID: srcID, ProvisioningState: "Succeeded",
			TargetRegions: []RegionResult{{Name: "eastus", Replicas: 1, StorageAccountType: "Standard_LRS"}}, Tags: ownedTags()}
	}, err: []string{"storage_account_type Standard_LRS", "cannot change to Premium_LRS"}},
	{name: "version exists, same source, replicating", obs: func(o *Observed) {
		o.Version = &ObservedVersion{Name: "1.2.3", SourceID: srcID, ProvisioningState: "Creating", AggregatedState: "InProgress"}
	}, check: func(t *testing.T, a *Actions) {
		if a.Version != VersionResume {
			t.Errorf("%+v", a)
		}
	}},
	{name: "version exists, same source, updating", obs: func(o *Observed) {
		o.Version = &ObservedVersion{Name: "1.2.3", SourceID: srcID, ProvisioningState: "Updating"}
	}, check: func(t *testing.T, a *Actions) {
		if a.Version != VersionResume {
			t.Errorf("%+v", a)
		}
	}},
	{name: "version exists, same source, failed", obs: func(o *Observed) {
		o.Version = &ObservedVersion{Name: "1.2.3", SourceID: srcID, ProvisioningState: "Failed", AggregatedState: "Failed",
			Regions: []RegionStatus{{Name: "eastus", State: "Completed"}, {Name: "westus", State: "Failed", Details: "disk copy failed"}}}
	}, err: []string{"is Failed (westus: disk copy failed)", "az sig image-version delete --resource-group rg --gallery-name gal --gallery-image-definition def --gallery-image-version 1.2.3", "choose another image_version"}},
	{name: "version exists, different source", obs: func(o *Observed) {
		o.Version = &ObservedVersion{Name: "1.2.3", SourceID: otherID, ProvisioningState: "Succeeded"}
	}, err: []string{"already exists from a different source", otherID, "never overwritten"}},
	{name: "version exists, unknown source", obs: func(o *Observed) {
		o.Version = &ObservedVersion{Name: "1.2.3", ProvisioningState: "Succeeded"}
	}, err: []string{"Azure does not say its source"}},
	{name: "version being deleted", obs: func(o *Observed) {
		o.Version = &ObservedVersion{Name: "1.2.3", SourceID: srcID, ProvisioningState: "Deleting"}
	}, err: []string{"version 1.2.3 is Deleting"}},
	{name: "bad version", req: func(r *Request) { r.Version.Version = "1.2" }, err: []string{"image_version: version \"1.2\" must have exactly three parts"}},
	{name: "auto is resolved before Plan", req: func(r *Request) { r.Version.Version = "auto" }, err: []string{`"auto" must be resolved to a number before planning`}},
	{name: "regions normalized, source added first, footprint", req: func(r *Request) {
		r.ReplicaCount = 2
		r.TargetRegions = []TargetRegion{{Name: "West US 2", Replicas: 3, StorageAccountType: "Premium_LRS"}, {Name: "North-Europe"}}
	}, check: func(t *testing.T, a *Actions) {
		want := []RegionPlan{{Name: "eastus", Replicas: 2, StorageAccountType: "Standard_LRS"}, {Name: "westus2", Replicas: 3, StorageAccountType: "Premium_LRS"}, {Name: "northeurope", Replicas: 2, StorageAccountType: "Standard_LRS"}}
		if len(a.Regions) != 3 || a.Regions[0] != want[0] || a.Regions[1] != want[1] || a.Regions[2] != want[2] {
			t.Errorf("regions %+v", a.Regions)
		}
		if a.FootprintGiB != 30*7 {
			t.Errorf("footprint %d", a.FootprintGiB)
		}
	}},
	{name: "source region listed later moves first", req: func(r *Request) {
		r.TargetRegions = []TargetRegion{{Name: "westus"}, {Name: "East US", Replicas: 2}}
	}, check: func(t *testing.T, a *Actions) {
		if len(a.Regions) != 2 || a.Regions[0].Name != "eastus" || a.Regions[0].Replicas != 2 || a.Regions[1].Name != "westus" {
			t.Errorf("regions %+v", a.Regions)
		}
	}},
	{name: "duplicate regions after normalizing", req: func(r *Request) {
		r.TargetRegions = []TargetRegion{{Name: "eastus2"}, {Name: "East US 2"}}
	}, err: []string{`target_region[1].name: "East US 2" is the same region as "eastus2"`}},
	{name: "bad region name", req: func(r *Request) { r.TargetRegions = []TargetRegion{{Name: "east/us"}} }, err: []string{"target_region[0].name"}},
	{name: "replicas out of range", req: func(r *Request) { r.TargetRegions = []TargetRegion{{Name: "westus", Replicas: 101}} }, err: []string{"target_region[0].replicas 101 is out of range"}},
	{name: "shallow with several regions", req: func(r *Request) {
		r.ReplicationMode = "Shallow"
		r.TargetRegions = []TargetRegion{{Name: "westus"}}
	}, err: []string{`replication_mode = "Shallow" allows only the source image's region, but 2 target regions are set`,
		`replication_mode = "Shallow" allows only the source image's region (eastus), but target_region "westus" is another`}},
	{name: "shallow with two replicas", req: func(r *Request) {
		r.ReplicationMode = "Shallow"
		r.ReplicaCount = 2
	}, err: []string{`replication_mode = "Shallow" allows 1 replica, but replica_count is 2`}},
	{name: "shallow alone is fine", req: func(r *Request) { r.ReplicationMode = "Shallow" }},
}

// TestPlan runs Plan on each of planCases and checks its error or actions.
func TestPlan(t *testing.T) {
	for _, tc := range planCases {
		t.Run(tc.name, func(t *testing.T) {
			req, obs := baseReq(), baseObs()
			if tc.req != nil {
				tc.req(&req)
			}
			if tc.obs != nil {
				tc.obs(obs)
			}
			a, err := Plan(req, obs)
			if len(tc.err) > 0 {
				if err == nil {
					t.Fatalf("want error %q, got plan %+v", tc.err, a)
				}
				for _, w := range tc.err {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.check != nil {
				tc.check(t, a)
			}
		})
	}
}

func TestPlanIsPure(t *testing.T) {
	req, obs := baseReq(), baseObs()
	req.TargetRegions = []TargetRegion{{Name: "westus"}, {Name: "eastus"}}
	a1, err1 := Plan(req, obs)
	a2, err2 := Plan(req, obs)
	if err1 != nil || err2 != nil || len(a1.Regions) != len(a2.Regions) || a1.Regions[0] != a2.Regions[0] || req.TargetRegions[0].Name != "westus" {
		t.Fatalf("plan is not deterministic or mutated its input: %+v %+v %+v", a1, a2, req.TargetRegions)
	}
}
