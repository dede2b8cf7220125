package safety

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

// vstate is one version as the inventory reads it.
type vstate struct {
	name, state, source string
	major               int32
	tags                map[string]string
	exclude             bool
	regions             []string // sorted "name:replicas:excluded"
	eol                 string
}

// fingerprint is what the plugin may not change on a version it does not own (the state moves on by
// itself while a version replicates).
func (v vstate) fingerprint() string {
	keys := make([]string, 0, len(v.tags))
	for k, val := range v.tags {
		keys = append(keys, k+"="+val)
	}
	slices.Sort(keys)
	return fmt.Sprintf("tags[%s] exclude=%v regions[%s] eol=%s source=%s", strings.Join(keys, ","), v.exclude, strings.Join(v.regions, ","), v.eol, strings.ToLower(v.source))
}

func (v vstate) regionNames() string {
	var out []string
	for _, r := range v.regions {
		out = append(out, r[:strings.Index(r, ":")])
	}
	return strings.Join(out, ",")
}

// inventory reads every version of the definition through the setup client.
func (s *sequence) inventory() map[string]vstate {
	s.t.Helper()
	out := map[string]vstate{}
	pager := s.w.setup.NewGalleryImageVersionsClient().NewListByGalleryImagePager(rg, galleryNm, s.def, nil)
	for pager.More() {
		page, err := pager.NextPage(s.w.ctx)
		if azure.IsNotFound(err) {
			return out
		}
		if err != nil {
			s.t.Fatalf("inventory: %v", err)
		}
		for _, v := range page.Value {
			st := vstate{name: *v.Name, tags: map[string]string{}}
			for k, val := range v.Tags {
				st.tags[k] = *val
			}
			n, _ := gallery.ParseVersion(st.name)
			st.major = n.Major
			if pr := v.Properties; pr != nil {
				if pr.ProvisioningState != nil {
					st.state = string(*pr.ProvisioningState)
				}
				if sp := pr.StorageProfile; sp != nil && sp.Source != nil && sp.Source.ID != nil {
					st.source = *sp.Source.ID
				}
				if pp := pr.PublishingProfile; pp != nil {
					st.exclude = pp.ExcludeFromLatest != nil && *pp.ExcludeFromLatest
					if pp.EndOfLifeDate != nil {
						st.eol = pp.EndOfLifeDate.UTC().Format(time.RFC3339)
					}
					for _, tr := range pp.TargetRegions {
						st.regions = append(st.regions, fmt.Sprintf("%s:%d:%v", gallery.NormalizeRegion(*tr.Name), deref(tr.RegionalReplicaCount), tr.ExcludeFromLatest != nil && *tr.ExcludeFromLatest))
					}
					slices.Sort(st.regions)
				}
			}
			out[st.name] = st
		}
	}
	return out
}

func deref[T any](p *T) T {
	var z T
	if p != nil {
		return *p
	}
	return z
}

// check asserts the invariants of one publish step.
func (s *sequence) check(before map[string]vstate, runs []*run) {
	after := s.inventory()
	s.checkOthers(before, after, runs)
	for _, r := range runs {
		s.checkRun(after, r, runs)
	}
	if s.handDf {
		d, err := s.w.setup.NewGalleryImagesClient().Get(s.w.ctx, rg, galleryNm, s.def, nil)
		if err == nil && (d.Properties.Description == nil || *d.Properties.Description != "hand") {
			s.t.Errorf("the hand-made definition was changed: description %v", deref(d.Properties.Description))
		}
	}
}

// checkOthers: no foreign version changed or deleted; no version of another line deleted, demoted or
// given an end of life; no exclusion the plugin did not set cleared; no version without a run's tag.
func (s *sequence) checkOthers(before, after map[string]vstate, runs []*run) {
	for name, b := range before {
		a, exists := after[name]
		if !gallery.Owns(b.tags) {
			if !exists || a.fingerprint() != b.fingerprint() {
				s.t.Errorf("foreign version %s was changed or deleted:\n before %s\n after  %s (exists %v)", name, b.fingerprint(), a.fingerprint(), exists)
			}
			continue
		}
		if b.exclude && b.tags[gallery.ExcludedTagKey] != "true" && exists && !a.exclude {
			s.t.Errorf("version %s was excluded from latest by hand, and a run cleared it", name)
		}
		if exists && a.fingerprint() == b.fingerprint() {
			continue
		}
		if !retires(runs, b.major) && !(exists && converges(runs, name)) {
			s.t.Errorf("version %s (major %d) was changed or deleted by runs whose line does not include it:\n before %s\n after  %s (exists %v)",
				name, b.major, b.fingerprint(), a.fingerprint(), exists)
		}
	}
	for name, a := range after {
		if _, ok := before[name]; ok {
			continue
		}
		if !slices.ContainsFunc(runs, func(r *run) bool { return gallery.CreatedByRun(a.tags, r.req.Lifecycle.RunID) }) {
			s.t.Errorf("version %s appeared without the run tag of any run of the step: %s", name, a.fingerprint())
		}
	}
}

// retires says whether a run of the step may have deleted, demoted or ended a version of major m.
func retires(runs []*run, m int32) bool {
	return slices.ContainsFunc(runs, func(r *run) bool {
		lc := r.req.Lifecycle
		active := lc.KeepVersions > 0 || lc.EndOfLifeSuperseded > 0 || lc.DemoteToSourceRegion
		return r.err == nil && active && (r.req.Version.Major == nil || *r.req.Version.Major == m)
	})
}

// converges says whether a run of the step asked for this explicit version (and may converge it).
func converges(runs []*run, name string) bool {
	return slices.ContainsFunc(runs, func(r *run) bool { return r.req.Version.Version == name })
}

// checkRun: a run's versions are at most its result (no orphan, no duplicate); a failed run names what
// it leaves; a successful run's version has succeeded and matches its request.
func (s *sequence) checkRun(after map[string]vstate, r *run, runs []*run) {
	id := r.req.Lifecycle.RunID
	var mine []string
	for name, v := range after {
		if gallery.CreatedByRun(v.tags, id) {
			mine = append(mine, name)
		}
	}
	slices.Sort(mine)
	if r.err != nil {
		out := r.out.text()
		for _, name := range mine {
			if len(mine) > 1 || !(strings.Contains(out, "Version "+name+" was created by this run") || strings.Contains(out, "could not delete version "+name) ||
				strings.Contains(out, "could not read version "+name)) {
				s.t.Errorf("failed run %s left versions %v without naming them (err %v):\n%s", id, mine, r.err, out)
				return
			}
		}
		return
	}
	res := r.res
	if len(mine) > 1 || (len(mine) == 1 && mine[0] != res.Version) {
		s.t.Errorf("run %s published %s but versions %v carry its run tag (orphan or duplicate)", id, res.Version, mine)
	}
	v, ok := after[res.Version]
	concurrentRetention := len(runs) > 1 && slices.ContainsFunc(runs, func(o *run) bool { return o != r && o.req.Lifecycle.KeepVersions > 0 })
	if !ok {
		if !concurrentRetention {
			s.t.Errorf("run %s published %s (%s), which does not exist", id, res.Version, res.Outcome)
		}
		return
	}
	if !strings.EqualFold(v.state, "Succeeded") || !strings.EqualFold(v.source, r.req.SourceID) {
		s.t.Errorf("run %s published %s: state %s, source %s (want Succeeded from %s)", id, res.Version, v.state, v.source, r.req.SourceID)
	}
	if res.Outcome == gallery.OutcomeCreated && len(mine) != 1 {
		s.t.Errorf("run %s created %s, which does not carry its run tag: %v", id, res.Version, v.tags)
	}
	if len(runs) == 1 && gallery.Owns(v.tags) && res.Outcome != gallery.OutcomeReused {
		want := location
		if len(r.req.TargetRegions) > 0 {
			want += "," + otherRegin
		}
		if v.regionNames() != want || (v.exclude != r.req.ExcludeFromLatest && v.tags[gallery.ExcludedTagKey] == fmt.Sprint(v.exclude)) {
			s.t.Errorf("run %s %s %s: regions %s exclude %v, want %s exclude %v", id, res.Outcome, res.Version, v.regionNames(), v.exclude, want, r.req.ExcludeFromLatest)
		}
	}
}
