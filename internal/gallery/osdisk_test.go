package gallery

import (
	"encoding/json"
	"strings"
	"testing"
)

const (
	snapID    = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/snapshots/os"
	diskID    = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/disks/os"
	vhdURI    = "https://acct.blob.core.windows.net/vhds/os.vhd"
	accountID = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct"
)

// TestStorageProfileBySource checks the version body each source kind produces, in the shapes of Azure's
// GalleryImageVersion_Create_WithSnapshotsAsSource and _WithVHD examples.
func TestStorageProfileBySource(t *testing.T) {
	cases := []struct {
		src  Source
		want string
	}{
		{Source{ID: srcID, Kind: SourceManagedImage}, `{"source":{"id":"` + srcID + `"}}`},
		{Source{ID: snapID, Kind: SourceSnapshot}, `{"osDiskImage":{"source":{"id":"` + snapID + `"}}}`},
		{Source{ID: diskID, Kind: SourceDisk}, `{"osDiskImage":{"source":{"id":"` + diskID + `"}}}`},
		{Source{ID: vhdURI, Kind: SourceVHD, StorageAccountID: accountID}, `{"osDiskImage":{"source":{"storageAccountId":"` + accountID + `","uri":"` + vhdURI + `"}}}`},
	}
	for _, tc := range cases {
		b, err := json.Marshal(storageProfile(tc.src, nil))
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tc.want {
			t.Errorf("%s: storageProfile = %s; want %s", tc.src.Kind, b, tc.want)
		}
		if got := StorageSourceID(storageProfile(tc.src, nil)); got != tc.src.ID {
			t.Errorf("%s: StorageSourceID = %q; want %q", tc.src.Kind, got, tc.src.ID)
		}
	}
}

func TestParseRequestSource(t *testing.T) {
	s, err := parseRequestSource(Request{SourceID: vhdURI, SourceStorageAccountID: accountID})
	if err != nil || s.Kind != SourceVHD || s.SubscriptionID != "s1" {
		t.Fatalf("VHD: %+v, %v", s, err)
	}
	if _, err := parseRequestSource(Request{SourceID: vhdURI}); err == nil || !strings.Contains(err.Error(), "set source_storage_account_id") {
		t.Errorf("VHD without storage account: %v", err)
	}
	if _, err := parseRequestSource(Request{SourceID: vhdURI, SourceStorageAccountID: diskID}); err == nil || !strings.Contains(err.Error(), "not a Microsoft.Storage/storageAccounts") {
		t.Errorf("VHD with a disk as storage account: %v", err)
	}
	for _, id := range []string{snapID, diskID, srcID} {
		if _, err := parseRequestSource(Request{SourceID: id}); err != nil {
			t.Errorf("%s: %v", id, err)
		}
	}
}

// TestPlanDiskSources checks that the definition takes what a snapshot says, and that Plan refuses
// every combination Azure refuses before anything is written.
func TestPlanDiskSources(t *testing.T) {
	snapshot := func(o *Observed) {
		o.Definition = nil
		o.Source = Source{ID: snapID, Kind: SourceSnapshot, Location: "eastus", OSType: "Linux", HyperVGeneration: "V2", Architecture: "Arm64", SizeGiB: 8, ProvisioningState: "Succeeded"}
	}
	cases := []struct {
		name  string
		req   func(*Request)
		obs   func(*Observed)
		err   string
		check func(*testing.T, *Actions)
	}{
		{name: "Arm64 snapshot makes an Arm64 definition", obs: snapshot, check: func(t *testing.T, a *Actions) {
			if !a.CreateDefinition || a.Definition.Architecture != "Arm64" || a.Definition.HyperVGeneration != "V2" || a.Definition.OSType != "Linux" {
				t.Errorf("definition %+v", a.Definition)
			}
		}},
		{name: "confidential snapshot implies ConfidentialVM", obs: func(o *Observed) {
			snapshot(o)
			o.Source.Architecture, o.Source.DiskSecurityType = "x64", "ConfidentialVM_NonPersistedTPM"
		}, check: func(t *testing.T, a *Actions) {
			if a.Definition.SecurityType != "ConfidentialVM" {
				t.Errorf("security type %q", a.Definition.SecurityType)
			}
		}},
		{name: "Arm64 from a managed image", req: func(r *Request) { r.Definition.Architecture = "Arm64" },
			err: "CPU Architecture 'Arm64' is not supported"},
		{name: "ConfidentialVM from a managed image", req: func(r *Request) { r.Definition.SecurityType = "ConfidentialVM" },
			err: "Currently Snapshot, Disk and VM sources are supported for the Confidential VM security type"},
		{name: "TrustedLaunch from a generation 1 snapshot", obs: func(o *Observed) {
			snapshot(o)
			o.Source.Architecture, o.Source.HyperVGeneration = "x64", "V1"
		}, req: func(r *Request) { r.Definition.SecurityType = "TrustedLaunch" }, err: "hyper_v_generation: Trusted Launch and Confidential VM run on Hyper-V generation 2 only"},
		{name: "Arm64 snapshot without a generation", obs: func(o *Observed) { snapshot(o); o.Source.HyperVGeneration = "" },
			err: "hyper_v_generation: Arm64 VMs boot generation 2 images only"},
		{name: "config contradicts the snapshot", obs: snapshot, req: func(r *Request) { r.Definition.Architecture = "x64" },
			err: "architecture is x64, but the source image is Arm64"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, obs := baseReq(), baseObs()
			if tc.req != nil {
				tc.req(&req)
			}
			if tc.obs != nil {
				tc.obs(obs)
			}
			a, err := Plan(req, obs)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v; want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, a)
		})
	}
}

func TestCheckRegionSecurity(t *testing.T) {
	const des = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/diskEncryptionSets/d"
	cases := []struct {
		sec, enc, des, want string
	}{
		{"ConfidentialVM", "NonPersistedTPM", "", ""},
		{"ConfidentialVM", "EncryptedWithCmk", des, ""},
		{"ConfidentialVM", "EncryptedWithCmk", "", "needs target_region[0].secure_vm_disk_encryption_set_id"},
		{"ConfidentialVM", "EncryptedWithPmk", des, "Azure uses the set only with EncryptedWithCmk"},
		{"TrustedLaunch", "EncryptedWithPmk", "", "needs a Confidential VM definition"},
		{"", "", des, "needs target_region[0].confidential_vm_encryption_type"},
	}
	for _, tc := range cases {
		errs := CheckRegionSecurity("target_region[0]", tc.sec, tc.enc, tc.des)
		switch {
		case tc.want == "" && len(errs) > 0:
			t.Errorf("%+v: %v", tc, errs)
		case tc.want != "" && (len(errs) == 0 || !strings.Contains(errs[0].Error(), tc.want)):
			t.Errorf("%+v: %v; want %q", tc, errs, tc.want)
		}
	}
}

func TestRegionEncryption(t *testing.T) {
	if regionEncryption(RegionPlan{Name: "eastus"}, Request{}) != nil {
		t.Error("a region without encryption has an encryption block")
	}
	b, _ := json.Marshal(regionEncryption(RegionPlan{ConfidentialVMEncryptionType: "EncryptedWithCmk", SecureVMDiskEncryptionSetID: "des"}, Request{}))
	if want := `{"osDiskImage":{"securityProfile":{"confidentialVMEncryptionType":"EncryptedWithCmk","secureVMDiskEncryptionSetId":"des"}}}`; string(b) != want {
		t.Errorf("encryption %s; want %s", b, want)
	}
}
