package gallery

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Version is a gallery image version number: Major.Minor.Patch, each a non-negative 32-bit integer,
// which is the only shape Azure accepts for a version name.
type Version struct {
	Major, Minor, Patch int32
}

// Bump says which part of a version Next increments.
type Bump string

// The supported bumps; BumpPatch is the default.
const (
	BumpPatch Bump = "patch"
	BumpMinor Bump = "minor"
	BumpMajor Bump = "major"
)

// ParseBump parses version_bump; "" means patch.
func ParseBump(s string) (Bump, error) {
	switch b := Bump(strings.ToLower(strings.TrimSpace(s))); b {
	case "":
		return BumpPatch, nil
	case BumpPatch, BumpMinor, BumpMajor:
		return b, nil
	}
	return "", fmt.Errorf("unknown bump %q; use patch, minor or major", s)
}

// ParseVersion parses "Major.Minor.Patch". Leading zeros are allowed (Packer's
// formatdate("YYYY.MMDD.hhmm", ...) produces them); signs, spaces and pre-release suffixes are not.
func ParseVersion(s string) (Version, error) {
	if s == "" {
		return Version{}, errors.New("version is empty; write Major.Minor.Patch, e.g. 1.0.0")
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return Version{}, fmt.Errorf("version %q must have exactly three parts, Major.Minor.Patch (e.g. 1.0.0), but has %d", s, len(parts))
	}
	var nums [3]int32
	for i, p := range parts {
		name := [...]string{"major", "minor", "patch"}[i]
		if p == "" {
			return Version{}, fmt.Errorf("version %q: the %s part is empty; write Major.Minor.Patch, e.g. 1.0.0", s, name)
		}
		for _, r := range p {
			if r < '0' || r > '9' {
				return Version{}, fmt.Errorf("version %q: the %s part %q must be digits only (no sign, space or suffix)", s, name, p)
			}
		}
		n, err := strconv.ParseUint(p, 10, 64)
		if err != nil || n > math.MaxInt32 {
			return Version{}, fmt.Errorf("version %q: the %s part %s exceeds %d, the largest number Azure accepts in a version", s, name, p, math.MaxInt32)
		}
		nums[i] = int32(n)
	}
	return Version{Major: nums[0], Minor: nums[1], Patch: nums[2]}, nil
}

// String formats the version canonically, without leading zeros.
func (v Version) String() string {
	return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
}

// Compare returns -1, 0 or +1 as v is lower than, equal to or higher than w.
func (v Version) Compare(w Version) int {
	for _, d := range [...][2]int32{{v.Major, w.Major}, {v.Minor, w.Minor}, {v.Patch, w.Patch}} {
		if d[0] < d[1] {
			return -1
		}
		if d[0] > d[1] {
			return 1
		}
	}
	return 0
}

// Next returns the version after v for the bump, resetting the lower parts, as semantic versioning
// does. It fails rather than wrap when the part is already at its 32-bit maximum.
func (v Version) Next(b Bump) (Version, error) {
	bumpPart := func(n int32, name string) (int32, error) {
		if n == math.MaxInt32 {
			return 0, fmt.Errorf("cannot bump %s of %s: it is already %d, the largest Azure accepts; bump a higher part", name, v, int32(math.MaxInt32))
		}
		return n + 1, nil
	}
	switch b {
	case BumpPatch, "":
		p, err := bumpPart(v.Patch, "patch")
		return Version{v.Major, v.Minor, p}, err
	case BumpMinor:
		m, err := bumpPart(v.Minor, "minor")
		return Version{v.Major, m, 0}, err
	case BumpMajor:
		m, err := bumpPart(v.Major, "major")
		return Version{m, 0, 0}, err
	}
	return v, fmt.Errorf("unknown bump %q; use patch, minor or major", b)
}

// NextAuto picks the number image_version = "auto" publishes: the bump of the highest existing version
// (only those with the pinned major, when major is set). With no such version it is 1.0.0, or N.0.0 for
// a pinned major N. Names that are not versions are ignored.
func NextAuto(existing []string, bump Bump, major *int32) (Version, error) {
	if major != nil && bump == BumpMajor {
		return Version{}, errors.New("version_bump = \"major\" contradicts version_major, which pins the major; use patch or minor, or drop version_major")
	}
	if major != nil && *major < 0 {
		return Version{}, fmt.Errorf("version_major %d must not be negative", *major)
	}
	var best *Version
	for _, name := range existing {
		v, err := ParseVersion(name)
		if err != nil || (major != nil && v.Major != *major) {
			continue
		}
		if best == nil || v.Compare(*best) > 0 {
			best = &v
		}
	}
	if best == nil {
		if major != nil {
			return Version{Major: *major}, nil
		}
		return Version{Major: 1}, nil
	}
	return best.Next(bump)
}
