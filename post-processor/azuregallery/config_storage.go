//go:generate go tool packer-sdc mapstructure-to-hcl2 -type ReplicaSetBlock
//go:generate go tool packer-sdc struct-markdown

package azuregallery

import (
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

// ReplicaSetBlock is one `additional_replica_set` block of a `target_region`: more replicas of the
// version in that region on another storage type (Azure's direct drive replicas), next to the region's
// own `replicas`.
type ReplicaSetBlock struct {
	// The storage of these replicas: `PremiumV2_LRS`.
	StorageAccountType string `mapstructure:"storage_account_type" required:"true"`
	// The number of replicas in the set (1 to 100). Defaults to 1.
	Replicas int32 `mapstructure:"replicas" required:"false"`
}

// prepareStorageStrategy checks storage_account_strategy against Azure's rules (rules.go, storage.go);
// userType is storage_account_type as the template set it, before any default.
func (c *Config) prepareStorageStrategy(errs **packersdk.MultiError, userType string) {
	if c.StorageAccountStrategy == "" {
		return
	}
	c.StorageAccountStrategy = canonicalEnum(errs, "storage_account_strategy", c.StorageAccountStrategy, gallery.StorageAccountStrategies)
	if err := gallery.CheckStorageStrategy(c.StorageAccountStrategy, userType); err != nil {
		*errs = packersdk.MultiErrorAppend(*errs, err)
	}
}

// prepareReplicaSets defaults and checks a target region's additional_replica_set blocks; field names
// the region (target_region[i]).
func (c *Config) prepareReplicaSets(errs **packersdk.MultiError, field string, tr *TargetRegion) {
	for i := range tr.AdditionalReplicaSets {
		s := &tr.AdditionalReplicaSets[i]
		if s.Replicas == 0 {
			s.Replicas = gallery.DefaultReplicaCount
		}
		if v, err := gallery.CanonicalEnum("", s.StorageAccountType, gallery.ReplicaSetStorageTypes); err == nil {
			s.StorageAccountType = v
		}
	}
	shallow := c.ReplicationMode == gallery.ReplicationShallow
	for _, err := range gallery.CheckReplicaSets(field, tr.StorageAccountType, replicaSets(*tr), shallow) {
		*errs = packersdk.MultiErrorAppend(*errs, err)
	}
}

// withExtras adds to the request the settings of issue 14: the storage strategy and each region's
// additional replica sets (regions are r.regions, in the order request added them), packer build -force,
// soft delete and the community gallery.
func (c *Config) withExtras(req gallery.Request, regions []TargetRegion) gallery.Request {
	req.StorageAccountStrategy = c.StorageAccountStrategy
	req.Force = c.PackerForce
	req.SoftDelete, req.Community = c.softDeleteSpec(), c.communitySpec()
	for i := range req.TargetRegions {
		if i < len(regions) {
			req.TargetRegions[i].AdditionalReplicaSets = replicaSets(regions[i])
		}
	}
	return req
}

// replicaSets is a region's additional_replica_set blocks as the publishing core takes them.
func replicaSets(tr TargetRegion) []gallery.ReplicaSet {
	var out []gallery.ReplicaSet
	for _, s := range tr.AdditionalReplicaSets {
		out = append(out, gallery.ReplicaSet{StorageAccountType: s.StorageAccountType, Replicas: s.Replicas})
	}
	return out
}
