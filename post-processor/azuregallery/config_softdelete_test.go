package azuregallery

import (
	"strings"
	"testing"
)

// TestConfigureSoftDelete: soft_delete defaults its retention, reaches the request, and is refused
// without create_gallery or with a retention under a day.
func TestConfigureSoftDelete(t *testing.T) {
	clearAzureEnv(t)
	src := &source{ImageID: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/images/i"}
	raw := baseConfig()
	raw["create_gallery"] = true
	raw["soft_delete"] = map[string]interface{}{}
	var p PostProcessor
	if err := p.Configure(raw); err != nil {
		t.Fatalf("valid soft_delete refused: %v", err)
	}
	if sd := p.request(src).SoftDelete; sd == nil || sd.RetentionDays != 7 {
		t.Fatalf("request soft delete: %+v, want 7 days", sd)
	}
	for _, c := range []struct {
		name string
		mod  func(map[string]interface{})
		want string
	}{
		{"without create_gallery", func(r map[string]interface{}) { delete(r, "create_gallery") }, "soft_delete applies to a gallery this plugin creates"},
		{"negative retention", func(r map[string]interface{}) { r["soft_delete"] = map[string]interface{}{"retention_days": -1} }, "soft_delete.retention_days -1 is out of range"},
	} {
		raw := baseConfig()
		raw["create_gallery"] = true
		raw["soft_delete"] = map[string]interface{}{"retention_days": 3}
		c.mod(raw)
		var p PostProcessor
		if err := p.Configure(raw); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}
