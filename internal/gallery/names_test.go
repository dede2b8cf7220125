package gallery

import "testing"

func TestNameChecks(t *testing.T) {
	for _, tc := range []struct {
		check func(string) error
		name  string
		ok    bool
	}{
		{CheckResourceGroupName, "images-rg", true},
		{CheckResourceGroupName, "rg(1).x", true},
		{CheckResourceGroupName, "ends.", false},
		{CheckResourceGroupName, "", false},
		{CheckGalleryName, "my_gallery.prod", true},
		{CheckGalleryName, "my-gallery", false},
		{CheckGalleryName, "_x", false},
		{CheckImageName, "ubuntu-22.04", true},
		{CheckImageName, "ubuntu-", false},
	} {
		if err := tc.check(tc.name); (err == nil) != tc.ok {
			t.Errorf("%q: err %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}
