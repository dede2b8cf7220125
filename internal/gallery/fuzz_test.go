package gallery

import (
	"strings"
	"testing"
	"time"
)

func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"1.2.3", "0.0.0", "2147483647.0.1", "2147483648.0.0", "+1.2.3", "1.2", "01.02.03", "1.2.3-rc1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseVersion(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if v.Major < 0 || v.Minor < 0 || v.Patch < 0 {
			t.Fatalf("negative part from %q: %v", s, v)
		}
		// The canonical form parses back to the same version.
		w, err := ParseVersion(v.String())
		if err != nil || w != v {
			t.Fatalf("round trip of %q: %v, %v", s, w, err)
		}
		if n, err := v.Next(BumpPatch); err == nil && n.Compare(v) != 1 {
			t.Fatalf("Next(%v) = %v is not higher", v, n)
		}
	})
}

func FuzzNormalizeRegion(f *testing.F) {
	for _, s := range []string{"East US 2", "eastus", "west-us_3", "İstanbul", "\u00a0North\u2003Europe", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeRegion(s)
		if NormalizeRegion(n) != n {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, n, NormalizeRegion(n))
		}
		if strings.ContainsAny(n, " -_\t\n") {
			t.Fatalf("%q -> %q keeps a separator", s, n)
		}
		if c, err := CheckRegion(s); err == nil && c != n {
			t.Fatalf("CheckRegion(%q) = %q, NormalizeRegion = %q", s, c, n)
		}
	})
}

func FuzzParseEndOfLife(f *testing.F) {
	for _, s := range []string{"90d", "2w", "12h", "36h30m", "2027-01-31", "2027-01-31T10:00:00Z", "0d", "-1h", "9999999999999999999d", "x"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseEndOfLife(s, now)
		if err != nil {
			return
		}
		if !got.After(now) {
			t.Fatalf("ParseEndOfLife(%q) = %v, not after now", s, got)
		}
		if got.Location() != time.UTC {
			t.Fatalf("ParseEndOfLife(%q) is not UTC", s)
		}
	})
}

func FuzzParseSourceID(f *testing.F) {
	for _, s := range []string{
		"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/images/img",
		"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d/versions/1.0.0",
		"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/d",
		"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/snapshots/x",
		"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g",
		"https://a.blob.core.windows.net/c/x.vhd",
		"/subscriptions//resourceGroups//providers/Microsoft.Compute/images/",
		"/CommunityGalleries/acme-1a2b/Images/ubuntu/Versions/1.0.0",
		"/sharedgalleries/0000-1111/images/gen2/versions/01.2.3",
		"/CommunityGalleries/acme/Images/ubuntu/Versions/latest",
		"/CommunityGalleries/acme/Images/ubuntu",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if pub, err := ParseSourceID(s, SourceCommunityVersion, SourceSharedVersion); err == nil {
			// A public ID has no subscription or resource group, names its gallery, image and an exact
			// version, and its canonical ID parses back to itself.
			if pub.SubscriptionID != "" || pub.ResourceGroup != "" || pub.Gallery == "" || pub.Definition == "" || pub.Name == "" {
				t.Fatalf("public ID %q parsed to %+v", s, pub)
			}
			if _, err := ParseVersion(pub.Name); err != nil {
				t.Fatalf("public ID %q has version %q: %v", s, pub.Name, err)
			}
			again, err := ParseSourceID(pub.ID, pub.Kind)
			if err != nil || *again != *pub {
				t.Fatalf("canonical %q of %q parsed to %+v, %v", pub.ID, s, again, err)
			}
		}
		id, err := ParseSourceID(s)
		if err != nil {
			return
		}
		if id.SubscriptionID == "" || id.ResourceGroup == "" || id.Name == "" || id.Kind == "" {
			t.Fatalf("ParseSourceID(%q) = %+v has empty parts", s, id)
		}
		if id.Kind == SourceGalleryImageVersion && (id.Gallery == "" || id.Definition == "") {
			t.Fatalf("version %q lacks gallery or definition: %+v", s, id)
		}
		only, err := ParseSourceID(s, id.Kind)
		if err != nil || *only != *id {
			t.Fatalf("restricting to its own kind changed the result: %+v, %v", only, err)
		}
	})
}
