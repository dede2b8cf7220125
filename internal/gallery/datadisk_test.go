package gallery

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestDataDiskBody checks the version body for data disks at LUN 0 (a snapshot) and 1 (a VHD), with a
// region whose disk encryption set covers every LUN and a region that overrides LUN 1, as in Azure's
// _WithSnapshotsAsSource and _WithVHD examples.
func TestDataDiskBody(t *testing.T) {
	const des, other = "/des/west", "/des/other"
	req := Request{
		DataDisks: []DataDiskSpec{{Lun: 1, SourceID: vhdURI, StorageAccountID: accountID, HostCaching: "None"}, {Lun: 0, SourceID: snapID}},
		TargetRegions: []TargetRegion{{Name: "West US", DiskEncryptionSetID: des}, {Name: "eastus", DiskEncryptionSetID: des,
			DataDiskEncryptionSets: map[int32]string{1: other}}},
	}
	sp, _ := json.Marshal(storageProfile(Source{ID: diskID, Kind: SourceDisk}, req.DataDisks))
	want := `{"dataDiskImages":[{"lun":0,"source":{"id":"` + snapID + `"}},{"hostCaching":"None","lun":1,"source":{"storageAccountId":"` + accountID + `","uri":"` + vhdURI + `"}}],"osDiskImage":{"source":{"id":"` + diskID + `"}}}`
	if string(sp) != want {
		t.Errorf("storageProfile\n got %s\nwant %s", sp, want)
	}
	west, _ := json.Marshal(regionEncryption(RegionPlan{Name: "westus", DiskEncryptionSetID: des}, req))
	if w := `{"dataDiskImages":[{"diskEncryptionSetId":"/des/west","lun":0},{"diskEncryptionSetId":"/des/west","lun":1}],"osDiskImage":{"diskEncryptionSetId":"/des/west"}}`; string(west) != w {
		t.Errorf("westus encryption %s; want %s", west, w)
	}
	east, _ := json.Marshal(regionEncryption(RegionPlan{Name: "eastus", DiskEncryptionSetID: des}, req))
	if !strings.Contains(string(east), `{"diskEncryptionSetId":"/des/other","lun":1}`) || !strings.Contains(string(east), `{"diskEncryptionSetId":"/des/west","lun":0}`) {
		t.Errorf("eastus encryption %s; want LUN 1 overridden", east)
	}
}

func TestPlanDataDiskRules(t *testing.T) {
	req, obs := baseReq(), baseObs()
	req.DataDisks = []DataDiskSpec{{Lun: 0, SourceID: snapID}, {Lun: 0, SourceID: diskID}}
	_, err := Plan(req, obs)
	for _, want := range []string{"a managed image source carries its own data disks", "LUN 0 is used twice"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
	obs.Source.Kind, obs.Source.ID = SourceSnapshot, snapID
	req.DataDisks[1].Lun = 1
	if _, err := Plan(req, obs); err != nil {
		t.Errorf("data disks next to a snapshot: %v", err)
	}
}

// TestPlanSpecializedFromDisk: a disk says nothing of its OS state, so os_state = "Specialized" makes a
// Specialized definition; a Generalized source sent to an existing Specialized definition is refused by
// Plan, before any write.
func TestPlanSpecializedFromDisk(t *testing.T) {
	req, obs := baseReq(), baseObs()
	obs.Source = Source{ID: diskID, Kind: SourceDisk, Location: "eastus", OSType: "Linux", HyperVGeneration: "V2", ProvisioningState: "Succeeded"}
	obs.Definition = nil
	req.Definition.OSState = "Specialized"
	a, err := Plan(req, obs)
	if err != nil || !a.CreateDefinition || a.Definition.OSState != "Specialized" {
		t.Fatalf("specialized from a disk: %+v, %v", a, err)
	}
	req2, obs2 := baseReq(), baseObs()
	obs2.Definition.OSState = "Specialized"
	if _, err := Plan(req2, obs2); err == nil || !strings.Contains(err.Error(), "os_state: definition has Specialized, image has Generalized") {
		t.Errorf("generalized source to a specialized definition: %v", err)
	}
}
