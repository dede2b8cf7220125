package gallery

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestParseVersion(t *testing.T) {
	cases := []struct {
		in   string
		want Version
		err  string
	}{
		{"1.2.3", Version{1, 2, 3}, ""},
		{"0.0.0", Version{}, ""},
		{"2026.0105.0930", Version{2026, 105, 930}, ""},
		{"2147483647.2147483647.2147483647", Version{math.MaxInt32, math.MaxInt32, math.MaxInt32}, ""},
		{"2147483648.0.0", Version{}, "major part 2147483648 exceeds 2147483647"},
		{"1.99999999999999999999999.0", Version{}, "minor part 99999999999999999999999 exceeds"},
		{"", Version{}, "version is empty"},
		{"1.2", Version{}, "exactly three parts"},
		{"1.2.3.4", Version{}, "but has 4"},
		{"+1.2.3", Version{}, "major part \"+1\" must be digits only"},
		{"1.-2.3", Version{}, "minor part \"-2\" must be digits only"},
		{"1.2.3-beta", Version{}, "patch part \"3-beta\""},
		{"1..3", Version{}, "minor part is empty"},
		{" 1.2.3", Version{}, "digits only"},
		{"١.2.3", Version{}, "digits only"},
	}
	for _, tc := range cases {
		got, err := ParseVersion(tc.in)
		if tc.err == "" {
			if err != nil || got != tc.want {
				t.Errorf("ParseVersion(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("ParseVersion(%q) error = %v; want it to contain %q", tc.in, err, tc.err)
		}
	}
}

func TestVersionNext(t *testing.T) {
	v := Version{1, 2, 3}
	for b, want := range map[Bump]Version{BumpPatch: {1, 2, 4}, BumpMinor: {1, 3, 0}, BumpMajor: {2, 0, 0}, "": {1, 2, 4}} {
		got, err := v.Next(b)
		if err != nil || got != want {
			t.Errorf("%v.Next(%q) = %v, %v; want %v", v, b, got, err, want)
		}
	}
	if _, err := (Version{1, 2, math.MaxInt32}).Next(BumpPatch); err == nil || !strings.Contains(err.Error(), "cannot bump patch") {
		t.Errorf("overflow error = %v", err)
	}
	if got, err := (Version{1, 2, math.MaxInt32}).Next(BumpMinor); err != nil || got != (Version{1, 3, 0}) {
		t.Errorf("minor bump past max patch = %v, %v", got, err)
	}
	if _, err := v.Next("huge"); err == nil {
		t.Error("unknown bump accepted")
	}
	if b, err := ParseBump(" Minor "); err != nil || b != BumpMinor {
		t.Errorf("ParseBump = %v, %v", b, err)
	}
	if _, err := ParseBump("tiny"); err == nil {
		t.Error("ParseBump accepted tiny")
	}
	if (Version{1, 2, 3}).Compare(Version{1, 10, 0}) != -1 || (Version{2, 0, 0}).Compare(Version{1, 9, 9}) != 1 || v.Compare(v) != 0 {
		t.Error("Compare is not numeric")
	}
}

func TestNormalizeRegion(t *testing.T) {
	for in, want := range map[string]string{
		"East US 2": "eastus2", "eastus": "eastus", "WestEurope": "westeurope", " west-us_3\t": "westus3", "": "",
	} {
		if got := NormalizeRegion(in); got != want {
			t.Errorf("NormalizeRegion(%q) = %q, want %q", in, got, want)
		}
	}
	if _, err := CheckRegion("east/us"); err == nil {
		t.Error("CheckRegion accepted a slash")
	}
	if _, err := CheckRegion("  "); err == nil {
		t.Error("CheckRegion accepted blank")
	}
	if n, err := CheckRegion("North Europe"); err != nil || n != "northeurope" {
		t.Errorf("CheckRegion = %q, %v", n, err)
	}
}

func TestParseEndOfLife(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Time
		err  string
	}{
		{"2027-01-31T10:00:00Z", time.Date(2027, 1, 31, 10, 0, 0, 0, time.UTC), ""},
		{"2027-01-31T10:00:00+02:00", time.Date(2027, 1, 31, 8, 0, 0, 0, time.UTC), ""},
		{"2026-11-26", time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), ""},
		{"90d", now.Add(90 * 24 * time.Hour), ""},
		{"2w", now.Add(14 * 24 * time.Hour), ""},
		{"12h", now.Add(12 * time.Hour), ""},
		{"36h30m", now.Add(36*time.Hour + 30*time.Minute), ""},
		{"2026-11-25", time.Time{}, "not in the future"},
		{"2020-01-01T00:00:00Z", time.Time{}, "not in the future"},
		{"0d", time.Time{}, "not in the future"},
		{"-5h", time.Time{}, "not in the future"},
		{"99999999999999d", time.Time{}, "too far in the future"},
		{"soon", time.Time{}, "is not a date"},
		{"", time.Time{}, "is empty"},
		{"2027-13-01", time.Time{}, "is not a date"},
	}
	for _, tc := range cases {
		got, err := ParseEndOfLife(tc.in, now)
		if tc.err == "" {
			if err != nil || !got.Equal(tc.want) {
				t.Errorf("ParseEndOfLife(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("ParseEndOfLife(%q) error = %v; want %q", tc.in, err, tc.err)
		}
	}
}

func TestParseSourceID(t *testing.T) {
	const img = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.Compute/images/img"
	const ver = "/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg2/providers/Microsoft.Compute/galleries/g/images/def/versions/1.2.3"
	s, err := ParseSourceID(img, SourceManagedImage)
	if err != nil || s.Kind != SourceManagedImage || s.SubscriptionID != "11111111-1111-1111-1111-111111111111" || s.ResourceGroup != "rg" || s.Name != "img" {
		t.Fatalf("image: %+v, %v", s, err)
	}
	s, err = ParseSourceID(strings.ToLower(ver))
	if err != nil || s.Kind != SourceGalleryImageVersion || s.Gallery != "g" || s.Definition != "def" || s.Name != "1.2.3" || s.ResourceGroup != "rg2" {
		t.Fatalf("version: %+v, %v", s, err)
	}
	for _, tc := range []struct{ in, err string }{
		{"", "source ID is empty"},
		{"https://acct.blob.core.windows.net/system/Microsoft.Compute/Images/x/osDisk.vhd", "is a URL (an OS disk VHD?)"},
		{"not-an-id", "is not an Azure resource ID"},
		{ver, "is a Microsoft.Compute/galleries/images/versions, not a managed image"},
		{"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g", "is a Microsoft.Compute/galleries, not a managed image"},
		{"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/d", "not a managed image"},
	} {
		_, err := ParseSourceID(tc.in, SourceManagedImage)
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("ParseSourceID(%q) error = %v; want %q", tc.in, err, tc.err)
		}
	}
	if _, err := ParseSourceID("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/snapshots/x", SourceManagedImage, SourceGalleryImageVersion); err == nil ||
		!strings.Contains(err.Error(), "not a managed image or gallery image version") {
		t.Errorf("two-kind error = %v", err)
	}
}

func TestNextAuto(t *testing.T) {
	one := int32(1)
	three := int32(3)
	cases := []struct {
		existing []string
		bump     Bump
		major    *int32
		want     string
		err      string
	}{
		{nil, BumpPatch, nil, "1.0.0", ""},
		{nil, BumpMinor, &three, "3.0.0", ""},
		{[]string{"1.0.0", "1.0.1", "1.0.10", "1.0.9"}, BumpPatch, nil, "1.0.11", ""},
		{[]string{"2.1.0", "1.2.0", "1.1.5"}, BumpPatch, &one, "1.2.1", ""},
		{[]string{"2.1.0", "1.2.0"}, BumpPatch, nil, "2.1.1", ""},
		{[]string{"2.1.0", "1.2.0"}, BumpMinor, nil, "2.2.0", ""},
		{[]string{"2.1.0", "1.2.0"}, BumpMajor, nil, "3.0.0", ""},
		{[]string{"latest", "1.0", "0.9.9"}, BumpPatch, nil, "0.9.10", ""},
		{[]string{"1.0.0"}, BumpMajor, &one, "", "contradicts version_major"},
		{[]string{"1.0.2147483647"}, BumpPatch, nil, "", "cannot bump patch"},
	}
	for _, tc := range cases {
		got, err := NextAuto(tc.existing, tc.bump, tc.major)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("NextAuto(%v, %s) error = %v, want %q", tc.existing, tc.bump, err, tc.err)
			}
			continue
		}
		if err != nil || got.String() != tc.want {
			t.Errorf("NextAuto(%v, %s) = %v, %v; want %s", tc.existing, tc.bump, got, err, tc.want)
		}
	}
}
