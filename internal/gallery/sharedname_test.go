package gallery

import "testing"

// TestCheckSharedGalleryName: a unique name is accepted in any case; a plain gallery name, a name
// without the subscription, a gallery part with a hyphen or an over-long one is refused.
func TestCheckSharedGalleryName(t *testing.T) {
	for _, ok := range []string{"1a2b3c4d-1234-abcd-1234-1a2b3c4d5e6f-MYDIRECTSHARED", "00000000-0000-0000-0000-000000000001-golden.v2"} {
		if err := CheckSharedGalleryName(ok); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	long := "00000000-0000-0000-0000-000000000001-"
	for i := 0; i < 81; i++ {
		long += "a"
	}
	for _, bad := range []string{"GOLDEN", "1a2b3c4d-GOLDEN", "1a2b3c4d-1234-abcd-1234-1a2b3c4d5e6f-MY-GALLERY", "1a2b3c4d-1234-abcd-1234-1a2b3c4d5e6f-", long} {
		if err := CheckSharedGalleryName(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
