package gallery

import (
	"fmt"
	"sort"
	"strings"
	"time"

	goversion "github.com/hashicorp/go-version"
)

// VersionInfo is one existing image version as the selection sees it: plain data that the caller read
// from Azure, so that every selection rule is a row in a table test.
type VersionInfo struct {
	// Name is the version's resource name as Azure returns it.
	Name string
	// Version is Name parsed.
	Version Version
	ID      string
	// Location is the version's home region (normalized, e.g. "eastus").
	Location string
	// ProvisioningState is Azure's: Creating, Updating, Succeeded, Failed, Deleting or Migrating.
	ProvisioningState string
	ExcludeFromLatest bool
	// EndOfLife is nil when the version has no end-of-life date.
	EndOfLife     *time.Time
	PublishedDate time.Time
	// Regions are the version's target regions, which hold a replica once it has succeeded.
	Regions  []string
	SourceID string
	Tags     map[string]string
}

// ProvisioningSucceeded is the only provisioning state in which a version is fully usable: Creating,
// Updating, Migrating and Deleting may still change or lose regions, and Failed never completed.
const ProvisioningSucceeded = "Succeeded"

// SkipReason says why a version was passed over.
type SkipReason string

// The reasons a version is not selected, in the order they are checked.
const (
	SkipNoMatch            SkipReason = "does not match the constraint"
	SkipNotSucceeded       SkipReason = "not succeeded"
	SkipEndOfLife          SkipReason = "end of life"
	SkipExcludedFromLatest SkipReason = "excluded from latest"
)

// Skipped is a version passed over and why, so an empty result can be explained.
type Skipped struct {
	Name   string
	Reason SkipReason
	// Detail is the human part: the state, or the end-of-life date (empty for SkipNoMatch).
	Detail string
}

// Selection is the outcome of SelectLatest or SelectMatching.
type Selection struct {
	// Version is the selected version; nil when none is eligible.
	Version *VersionInfo
	// Skipped lists the versions higher than the selected one (all of them when none is selected) that
	// were passed over, highest first. Lower versions are not listed: they lost on number alone.
	Skipped []Skipped
	// Total is how many versions were considered.
	Total int
}

// Constraint is a version constraint in the syntax of Terraform and Packer's required_plugins:
// comma-separated conditions that must all hold, each an operator (=, !=, >, >=, <, <=, ~>, or none for
// =) and a version of one to three numeric parts. "~> 1.2" allows 1.2 up to but excluding 2.0;
// "~> 1.2.3" allows 1.2.3 up to but excluding 1.3.0.
type Constraint struct {
	raw string
	cs  goversion.Constraints
}

// ParseConstraint parses a version constraint. It refuses what cannot match a gallery version (a
// pre-release or build suffix, more than three parts) rather than silently matching nothing.
func ParseConstraint(s string) (Constraint, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return Constraint{}, fmt.Errorf("version constraint is empty; write one such as \"~> 1.2\" or \">= 1.0, < 2.0\"")
	}
	parts := strings.Split(in, ",")
	for _, part := range parts {
		if strings.TrimSpace(part) == "" {
			return Constraint{}, fmt.Errorf("version constraint %q has an empty condition; remove the extra comma", in)
		}
	}
	cs, err := goversion.NewConstraint(in)
	if err != nil {
		return Constraint{}, fmt.Errorf("version constraint %q is malformed (%w); write conditions such as \"~> 1.2\", \">= 1.0, < 2.0\" or \"= 1.2.3\", separated by commas", s, err)
	}
	for _, part := range parts {
		if err := checkConstraintPart(in, part); err != nil {
			return Constraint{}, err
		}
	}
	return Constraint{raw: in, cs: cs}, nil
}

// checkConstraintPart checks one condition, already accepted by go-version, for shapes a gallery version
// never has.
func checkConstraintPart(all, part string) error {
	num := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(part), "=!<>~ "))
	if strings.ContainsAny(num, "-+") {
		return fmt.Errorf("version constraint %q: %q has a pre-release or build suffix, which gallery versions never have; use Major.Minor.Patch numbers only", all, num)
	}
	if n := len(strings.Split(num, ".")); n > 3 {
		return fmt.Errorf("version constraint %q: %q has %d parts, but gallery versions have three (Major.Minor.Patch)", all, num, n)
	}
	return nil
}

// String returns the constraint as written (trimmed).
func (c Constraint) String() string { return c.raw }

// IsZero reports whether c is the zero Constraint (no constraint parsed).
func (c Constraint) IsZero() bool { return c.cs == nil }

// Check reports whether v satisfies every condition. The zero Constraint matches nothing.
func (c Constraint) Check(v Version) bool {
	if c.cs == nil {
		return false
	}
	gv, err := goversion.NewVersion(v.String())
	if err != nil {
		return false
	}
	return c.cs.Check(gv)
}

// SelectLatest returns the version a VM created from "latest" would get, made strict: the highest
// version that has succeeded, has not reached its end of life at now, and is not excluded from latest.
func SelectLatest(versions []VersionInfo, now time.Time) Selection {
	return selectHighest(versions, now, nil, "excludeFromLatest is true")
}

// SelectMatching returns the highest version that satisfies c, has succeeded and has not reached its
// end of life at now. A version excluded from latest is eligible only with includeExcluded: its
// publisher said it should not be picked up implicitly, and a range such as "~> 1.2" is still implicit
// about which 1.x it gets. An exact constraint ("= 1.2.3") also needs includeExcluded, so that the rule
// has no exceptions.
func SelectMatching(versions []VersionInfo, c Constraint, includeExcluded bool, now time.Time) Selection {
	match := func(v VersionInfo) bool { return c.Check(v.Version) }
	if includeExcluded {
		return selectHighest(versions, now, match, "")
	}
	return selectHighest(versions, now, match, "excludeFromLatest is true")
}

// selectHighest walks the versions from the highest down and returns the first that matches (nil
// matches all), has succeeded, has not reached its end of life, and, when excludedDetail is not empty,
// is not excluded from latest. The constraint is checked first, so a skip is only ever explained by a
// rule for a version the user asked about.
func selectHighest(versions []VersionInfo, now time.Time, match func(VersionInfo) bool, excludedDetail string) Selection {
	sorted := make([]VersionInfo, len(versions))
	copy(sorted, versions)
	sort.SliceStable(sorted, func(i, j int) bool { return higher(sorted[i], sorted[j]) })
	sel := Selection{Total: len(sorted)}
	for i := range sorted {
		v := sorted[i]
		reason, detail := SkipNoMatch, ""
		if match == nil || match(v) {
			reason, detail = eligible(v, now)
			if reason == "" && excludedDetail != "" && v.ExcludeFromLatest {
				reason, detail = SkipExcludedFromLatest, excludedDetail
			}
		}
		if reason != "" {
			sel.Skipped = append(sel.Skipped, Skipped{Name: v.Name, Reason: reason, Detail: detail})
			continue
		}
		sel.Version = &v
		return sel
	}
	return sel
}

// eligible applies the rules every selection shares.
func eligible(v VersionInfo, now time.Time) (SkipReason, string) {
	if v.ProvisioningState != ProvisioningSucceeded {
		state := v.ProvisioningState
		if state == "" {
			state = "unknown"
		}
		return SkipNotSucceeded, "provisioning state " + state
	}
	if v.EndOfLife != nil && !v.EndOfLife.After(now) {
		return SkipEndOfLife, "end of life " + v.EndOfLife.UTC().Format(time.RFC3339)
	}
	return "", ""
}

// higher orders versions by number, then (for names that parse to the same number, such as "1.0.01")
// by the later publish date, then by name, so the order is total and the result deterministic.
func higher(a, b VersionInfo) bool {
	if c := a.Version.Compare(b.Version); c != 0 {
		return c > 0
	}
	if !a.PublishedDate.Equal(b.PublishedDate) {
		return a.PublishedDate.After(b.PublishedDate)
	}
	return a.Name > b.Name
}

// Explain describes an empty selection for an error message: how many versions there were and why the
// highest ones were passed over (at most five, then a count).
func (s Selection) Explain() string {
	if s.Total == 0 {
		return "the image definition has no versions"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "none of the %d versions is eligible", s.Total)
	const shown = 5
	var matched []string
	for i, sk := range s.Skipped {
		if sk.Reason == SkipNoMatch {
			continue
		}
		if len(matched) == shown {
			matched = append(matched, fmt.Sprintf("and %d more", countEligibleSkips(s.Skipped[i:])))
			break
		}
		matched = append(matched, fmt.Sprintf("%s: %s", sk.Name, sk.Detail))
	}
	noMatch := len(s.Skipped) - countEligibleSkips(s.Skipped)
	if noMatch > 0 {
		fmt.Fprintf(&b, "; %d do not match the constraint", noMatch)
	}
	if len(matched) > 0 {
		b.WriteString("; passed over: ")
		b.WriteString(strings.Join(matched, ", "))
	}
	return b.String()
}

// countEligibleSkips counts skips other than constraint mismatches.
func countEligibleSkips(s []Skipped) int {
	n := 0
	for _, sk := range s {
		if sk.Reason != SkipNoMatch {
			n++
		}
	}
	return n
}
