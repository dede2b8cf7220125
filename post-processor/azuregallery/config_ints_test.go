package azuregallery

import (
	"strings"
	"testing"
)

// TestConfigureRefusesZeroInts: an int field whose zero Azure refuses is refused when set to 0 (and
// defaulted when unset), naming the field and Azure's minimum.
func TestConfigureRefusesZeroInts(t *testing.T) {
	clearAzureEnv(t)
	cases := []struct {
		set  func(m map[string]interface{})
		want string
	}{
		{func(m map[string]interface{}) { m["replica_count"] = 0 }, "replica_count 0 is out of range: Azure's minimum is 1"},
		{func(m map[string]interface{}) {
			m["target_region"] = []map[string]interface{}{{"name": "westeurope", "replicas": 0}}
		},
			"target_region[0].replicas 0 is out of range: Azure's minimum is 1"},
		{func(m map[string]interface{}) { m["recommended_vcpus_min"] = 0 }, "recommended_vcpus_min 0 is out of range: Azure's minimum is 1"},
		{func(m map[string]interface{}) { m["recommended_vcpus_max"] = 0 }, "recommended_vcpus_max 0 is out of range"},
		{func(m map[string]interface{}) { m["recommended_memory_gb_min"] = 0 }, "recommended_memory_gb_min 0 is out of range"},
		{func(m map[string]interface{}) { m["recommended_memory_gb_max"] = 0 }, "recommended_memory_gb_max 0 is out of range"},
	}
	for _, c := range cases {
		cfg := baseConfig()
		c.set(cfg)
		var p PostProcessor
		if err := p.Configure(cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("err %v, want %q", err, c.want)
		}
	}
	var p PostProcessor
	if err := p.Configure(baseConfig()); err != nil || deref32(p.config.ReplicaCount) != 1 {
		t.Errorf("unset replica_count: %v, %v", err, p.config.ReplicaCount)
	}
}
