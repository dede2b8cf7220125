package gallery

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
)

// strs turns armcompute's enum values into sorted strings.
func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	slices.Sort(out)
	return out
}

// TestEnumsMatchArmcompute: the rule table's enumerations are exactly the values armcompute v8 (the API
// version the plugin sends) models, so a new Azure value shows up here when the SDK is bumped.
func TestEnumsMatchArmcompute(t *testing.T) {
	for _, c := range []struct {
		name  string
		ours  []string
		azure []string
	}{
		{"storage account types", StorageAccountTypes, strs(armcompute.PossibleStorageAccountTypeValues())},
		{"replication modes", ReplicationModes, strs(armcompute.PossibleReplicationModeValues())},
		{"storage account strategies", StorageAccountStrategies, strs(armcompute.PossibleStorageAccountStrategyValues())},
		{"os types", OSTypes, strs(armcompute.PossibleOperatingSystemTypesValues())},
		{"os states", OSStates, strs(armcompute.PossibleOperatingSystemStateTypesValues())},
		{"hyper-v generations", HyperVGenerations, strs(armcompute.PossibleHyperVGenerationValues())},
		{"architectures", Architectures, strs(armcompute.PossibleArchitectureValues())},
		{"disk controllers", DiskControllerTypes, strs(armcompute.PossibleDiskControllerTypesValues())},
	} {
		ours := slices.Sorted(slices.Values(c.ours))
		if !slices.Equal(ours, c.azure) {
			t.Errorf("%s: ours %v, armcompute %v", c.name, ours, c.azure)
		}
	}
}

// TestRulesRefuseTheirExample: every single-value rule refuses its example value and names its field;
// every rule has a field and Azure's rule text.
func TestRulesRefuseTheirExample(t *testing.T) {
	for _, r := range Rules {
		if r.Field == "" || r.Azure == "" {
			t.Errorf("rule %+v lacks a field or Azure's rule", r)
		}
		if r.Check == nil {
			continue
		}
		err := r.Check(r.Refused)
		if err == nil {
			t.Errorf("%s: %q is accepted", r.Field, r.Refused)
			continue
		}
		if !strings.Contains(r.Field, "[]") && !strings.HasPrefix(err.Error(), r.Field+" ") {
			t.Errorf("%s: the error %q does not begin with the field", r.Field, err)
		}
	}
}

func TestCheckShallow(t *testing.T) {
	one := []ReplicaTarget{{Name: "eastus", Replicas: 1}}
	for _, c := range []struct {
		name     string
		source   string
		count    int32
		targets  []ReplicaTarget
		wantErrs int
	}{
		{"source region, one replica", "eastus", 1, one, 0},
		{"unknown source, one region", "", 1, []ReplicaTarget{{Name: "westus", Replicas: 1}}, 0},
		{"another region", "eastus", 1, []ReplicaTarget{{Name: "westus", Replicas: 1}}, 1},
		{"two regions", "", 1, append(one, ReplicaTarget{Name: "westus", Replicas: 1}), 1},
		{"two replicas by default", "eastus", 2, one, 1},
		{"two replicas in the region", "eastus", 1, []ReplicaTarget{{Name: "eastus", Replicas: 2}}, 1},
	} {
		if errs := CheckShallow(c.source, c.count, c.targets); len(errs) != c.wantErrs {
			t.Errorf("%s: %v, want %d errors", c.name, errs, c.wantErrs)
		}
	}
}

func TestCheckReplicasAndTimeout(t *testing.T) {
	for n, ok := range map[int32]bool{0: false, MinReplicas: true, MaxReplicas: true, MaxReplicas + 1: false, -1: false} {
		if err := CheckReplicas("replica_count", n); (err == nil) != ok {
			t.Errorf("CheckReplicas(%d) = %v", n, err)
		}
	}
	if CheckTimeout(-time.Second) == nil || CheckTimeout(0) != nil || CheckTimeout(DefaultTimeout) != nil {
		t.Error("CheckTimeout: a negative timeout must be refused, zero and positive accepted")
	}
	if v, err := CanonicalEnum("storage_account_type", "standard_zrs", StorageAccountTypes); err != nil || v != "Standard_ZRS" {
		t.Errorf("CanonicalEnum = %q, %v", v, err)
	}
}
