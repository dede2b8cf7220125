package azuregallery

import "testing"

// TestForceReachesTheRequest: `packer build -force` (packer_force, set by Packer) becomes Request.Force,
// and a build without it never replaces.
func TestForceReachesTheRequest(t *testing.T) {
	clearAzureEnv(t)
	src := &source{ImageID: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/images/i"}
	for _, force := range []bool{false, true} {
		raw := baseConfig()
		raw["packer_force"] = force
		var p PostProcessor
		if err := p.Configure(raw); err != nil {
			t.Fatal(err)
		}
		if got := p.request(src).Force; got != force {
			t.Errorf("packer_force = %v: Request.Force = %v", force, got)
		}
	}
}
