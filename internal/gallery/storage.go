package gallery

import (
	"fmt"
	"sort"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
)

// This file holds the storage rules of GalleryRP 2026-03-03 that rules.go's table lists: the storage
// account strategy (publishingProfile.storageAccountStrategy) and the additional replica sets of a
// target region (targetRegions[].additionalReplicaSets, Azure's "direct drive replicas").

// The storage account strategies, in Azure's spelling. PreferStandard_ZRS stores replicas on
// Standard_ZRS where the region has availability zones and on Standard_LRS elsewhere;
// DefaultStandard_LRS always on Standard_LRS. A region's own storage_account_type overrides either.
const (
	StrategyPreferStandardZRS  = "PreferStandard_ZRS"
	StrategyDefaultStandardLRS = "DefaultStandard_LRS"
)

// StorageAccountStrategies are the strategies Azure accepts (rules_test.go checks them against
// armcompute v8's PossibleStorageAccountStrategyValues).
var StorageAccountStrategies = []string{StrategyDefaultStandardLRS, StrategyPreferStandardZRS}

// ReplicaSetStorageTypes are the storage types of an additional replica set: direct drive replicas,
// which Azure offers on PremiumV2_LRS (GalleryImageVersion_Create_WithAdditionalReplicaSets.json).
var ReplicaSetStorageTypes = []string{"PremiumV2_LRS"}

// ReplicaSet is one additional replica set of a target region: Replicas more copies on StorageAccountType.
type ReplicaSet struct {
	StorageAccountType string
	Replicas           int32
}

// CheckStorageStrategy applies Azure's rule that storageAccountStrategy "cannot be specified along with
// storageAccountType" (GalleryRP 2026-03-03): storageType is the version-wide storage_account_type as the
// template sets it ("" when unset). A region's own storage type is allowed: it overrides the strategy.
func CheckStorageStrategy(strategy, storageType string) error {
	if strategy == "" || storageType == "" {
		return nil
	}
	return fmt.Errorf("storage_account_strategy and storage_account_type are both set, but Azure accepts only one of them (storageAccountStrategy cannot be specified along with storageAccountType): remove storage_account_type, or set it per target_region instead")
}

// CheckReplicaSets applies Azure's rules to the additional replica sets of one target region: field
// names the region (target_region[i]), mainType is its storage type ("" when a strategy decides), sets
// its additional_replica_set blocks, shallow whether replication_mode is Shallow.
func CheckReplicaSets(field, mainType string, sets []ReplicaSet, shallow bool) []error {
	var errs []error
	if len(sets) > 0 && shallow {
		errs = append(errs, fmt.Errorf("%s.additional_replica_set is set, but replication_mode = \"Shallow\" makes no replicas (it references the source): remove the replica sets, or use replication_mode = \"Full\"", field))
	}
	seen := map[string]bool{}
	for i, s := range sets {
		f := fmt.Sprintf("%s.additional_replica_set[%d]", field, i)
		if _, err := CanonicalEnum(f+".storage_account_type", s.StorageAccountType, ReplicaSetStorageTypes); err != nil {
			errs = append(errs, fmt.Errorf("%w (additional replica sets are direct drive replicas)", err))
		}
		if err := CheckReplicas(f+".replicas", s.Replicas); err != nil {
			errs = append(errs, err)
		}
		key := strings.ToLower(s.StorageAccountType)
		if seen[key] {
			errs = append(errs, fmt.Errorf("%s.storage_account_type %s is listed twice in the region: use one replica set per storage type", f, s.StorageAccountType))
		}
		seen[key] = true
		if mainType != "" && strings.EqualFold(mainType, s.StorageAccountType) {
			errs = append(errs, fmt.Errorf("%s.storage_account_type %s is the region's own storage type: raise the region's replicas instead", f, s.StorageAccountType))
		}
	}
	return errs
}

// replicaSetsBody maps a region's additional replica sets to Azure's body (nil when there are none).
func replicaSetsBody(sets []ReplicaSet) []*armcompute.AdditionalReplicaSet {
	var out []*armcompute.AdditionalReplicaSet
	for _, s := range sets {
		out = append(out, &armcompute.AdditionalReplicaSet{
			StorageAccountType:   to.Ptr(armcompute.StorageAccountType(s.StorageAccountType)),
			RegionalReplicaCount: to.Ptr(s.Replicas),
		})
	}
	return out
}

// addReplicaSets records a region's additional replica sets, in Azure's spelling.
func (a *Actions) addReplicaSets(region string, sets []ReplicaSet) {
	if len(sets) == 0 {
		return
	}
	if a.ReplicaSets == nil {
		a.ReplicaSets = map[string][]ReplicaSet{}
	}
	for _, s := range sets {
		s.StorageAccountType, _ = CanonicalEnum("storage_account_type", s.StorageAccountType, ReplicaSetStorageTypes)
		a.ReplicaSets[region] = append(a.ReplicaSets[region], s)
	}
}

// regionStorage names what stores a region's main replicas: its storage type, or the strategy.
func regionStorage(r RegionPlan, strategy string) string {
	switch {
	case r.StorageAccountType != "":
		return r.StorageAccountType
	case strategy != "":
		return strategy
	}
	return DefaultStorageAccountType
}

// storageBreakdown sums the replicas of every region and replica set by what stores them, for the
// footprint line: "Standard_LRS 2, PremiumV2_LRS 1", in a stable order.
func (a *Actions) storageBreakdown() (total int64, byType map[string]int64) {
	byType = map[string]int64{}
	for _, r := range a.Regions {
		byType[regionStorage(r, a.StorageAccountStrategy)] += int64(r.Replicas)
		total += int64(r.Replicas)
		for _, s := range a.ReplicaSets[r.Name] {
			byType[s.StorageAccountType] += int64(s.Replicas)
			total += int64(s.Replicas)
		}
	}
	return total, byType
}

// storageFootprintDetail is the per-storage part of the footprint line, with GiB per storage type so
// that a reader can price each: "Standard_LRS: 8 GiB, PremiumV2_LRS: 4 GiB".
func storageFootprintDetail(a *Actions, sizeGiB int64) string {
	_, byType := a.storageBreakdown()
	keys := make([]string, 0, len(byType))
	for k := range byType {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		label := k
		if k == StrategyPreferStandardZRS {
			label = "Standard_ZRS where the region has zones, else Standard_LRS (" + k + ")"
		} else if k == StrategyDefaultStandardLRS {
			label = "Standard_LRS (" + k + ")"
		}
		parts = append(parts, fmt.Sprintf("%s: %d GiB", label, sizeGiB*byType[k]))
	}
	return strings.Join(parts, ", ")
}
