package safety

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/gallery"
)

// envInt parses a positive integer (an environment variable's value, read by the caller with its
// literal name), or returns def.
func envInt(value string, def int64) int64 {
	if v, err := strconv.ParseInt(value, 10, 64); err == nil && v > 0 {
		return v
	}
	return def
}

// stats are counted over every sequence, for the summary line.
type stats struct {
	runs, succeeded, failed, lostReplies atomic.Int64
	faultsFired, lostFired               atomic.Int64
	mu                                   sync.Mutex
	windows                              []time.Duration
}

// TestSafetyModel runs SAFETY_SEQUENCES random sequences (default 100: under a minute on a shared 2-core
// machine) from SAFETY_SEED (default: the time), SAFETY_WORKERS at a time, and checks the invariants after every step. A failure names the
// sequence's own seed: SAFETY_SEED=<it> SAFETY_SEQUENCES=1 replays its operations.
func TestSafetyModel(t *testing.T) {
	n := envInt(os.Getenv("SAFETY_SEQUENCES"), 100)
	base := envInt(os.Getenv("SAFETY_SEED"), time.Now().UnixNano()%1_000_000_007)
	workers := int(envInt(os.Getenv("SAFETY_WORKERS"), 16))
	t.Logf("SAFETY_SEED=%d SAFETY_SEQUENCES=%d", base, n)
	st := &stats{}
	start := time.Now()
	// A fresh emulator per batch: its store grows with every definition, and so does each write.
	for from := int64(0); from < n && !t.Failed(); from += batch {
		runBatch(t, newWorld(t), base+from, min(batch, n-from), workers, st)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	slices.Sort(st.windows)
	var p50, p99, maxW time.Duration
	if k := len(st.windows); k > 0 {
		p50, p99, maxW = st.windows[k/2], st.windows[k*99/100], st.windows[k-1]
	}
	t.Logf("%d sequences in %s: %d runs, %d succeeded, %d failed (faults, conflicts), %d faults fired (%d lost replies), %d lost PUT replies recovered; claim window (read as free → PUT's reply) over %d creations: p50 %s, p99 %s, max %s",
		n, time.Since(start).Round(time.Millisecond), st.runs.Load(), st.succeeded.Load(), st.failed.Load(), st.faultsFired.Load(), st.lostFired.Load(), st.lostReplies.Load(), len(st.windows), p50, p99, maxW)
	if st.runs.Load() > 20 && st.succeeded.Load()*4 < st.runs.Load() {
		t.Errorf("only %d of %d runs succeeded: the model no longer exercises publishing", st.succeeded.Load(), st.runs.Load())
	}
}

// batch is how many sequences share one emulator.
const batch = 100

// runBatch runs n sequences from seed on w, workers at a time.
func runBatch(t *testing.T, w *world, seed, n int64, workers int, st *stats) {
	next := atomic.Int64{}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= n || t.Failed() {
					return
				}
				s := seed + i
				t.Run(fmt.Sprintf("seed=%d", s), func(t *testing.T) { runSequence(t, w, s, st) })
			}
		})
	}
	wg.Wait()
}

// sequence is one random sequence over one definition.
type sequence struct {
	t      *testing.T
	w      *world
	rnd    *rand.Rand
	seed   int64
	def    string
	handDf bool // the definition was made by hand (the plugin must never update it)
	steps  []string
	st     *stats
	runs   int
}

func runSequence(t *testing.T, w *world, seed int64, st *stats) {
	s := &sequence{t: t, w: w, rnd: rand.New(rand.NewPCG(uint64(seed), 7)), seed: seed, def: fmt.Sprintf("d%d", seed), st: st}
	if s.rnd.IntN(2) == 0 {
		s.handDefinition()
	}
	for range 3 + s.rnd.IntN(4) {
		before := s.inventory()
		switch k := s.rnd.IntN(20); {
		case k < 3 && len(before) > 0:
			s.handExclude(before)
		case k < 6 && s.definitionExists():
			s.handVersion(before)
		case k < 9:
			s.check(before, s.publish(2))
		default:
			s.check(before, s.publish(1))
		}
		if t.Failed() {
			t.Logf("replay with SAFETY_SEED=%d SAFETY_SEQUENCES=1; steps:\n  %s", seed, strings.Join(s.steps, "\n  "))
			return
		}
	}
}

// run is one publish of a step and what came of it.
type run struct {
	req gallery.Request
	res *gallery.Result
	err error
	out *recorder
}

// publish runs n publishes at once, with a fault installed on the definition's versions 40% of the time.
func (s *sequence) publish(n int) []*run {
	var runs []*run
	for range n {
		s.runs++
		runs = append(runs, &run{req: s.request(fmt.Sprintf("run-%d-%d", s.seed, s.runs)), out: &recorder{}})
	}
	fault, faultID := "", ""
	if s.rnd.IntN(10) < 4 {
		fault, faultID = s.fault()
	}
	var wg sync.WaitGroup
	for _, r := range runs {
		s.steps = append(s.steps, "publish "+describe(r.req)+fault)
		wg.Go(func() { r.res, r.err = s.w.publisher(r.out).Publish(s.w.ctx, r.req) })
	}
	wg.Wait()
	if faultID != "" {
		if rule, ok := s.w.srv.RemoveFault(faultID); ok && rule.Fired > 0 {
			s.st.faultsFired.Add(int64(rule.Fired))
			if rule.Action == emulator.FaultStatusAfter || rule.Action == emulator.FaultResetAfter {
				s.st.lostFired.Add(int64(rule.Fired))
			}
		}
	}
	for _, r := range runs {
		s.st.runs.Add(1)
		if r.err != nil {
			s.st.failed.Add(1)
			s.steps = append(s.steps, fmt.Sprintf("  %s failed: %v", r.req.Lifecycle.RunID, r.err))
			if faultID == "" && !expectedRefusal(r.err) {
				s.t.Errorf("run %s failed without a fault, and not with one of the plugin's refusals: %v\n%s", r.req.Lifecycle.RunID, r.err, r.out.text())
			}
			continue
		}
		s.st.succeeded.Add(1)
		if strings.Contains(r.out.text(), "reply to the creation of version") {
			s.st.lostReplies.Add(1)
		}
		if r.res.ClaimWindow > 0 {
			s.st.mu.Lock()
			s.st.windows = append(s.st.windows, r.res.ClaimWindow)
			s.st.mu.Unlock()
		}
		s.steps = append(s.steps, fmt.Sprintf("  %s: %s %s", r.req.Lifecycle.RunID, r.res.Version, r.res.Outcome))
	}
	return runs
}

// refusals are the failures a publish may end with when no fault is injected: what exists conflicts
// with the request (the plugin refuses before writing), or concurrent runs took the numbers.
var refusals = []string{
	"already exists from a different source", "is Failed", "numbers in a row were taken", "re-run to reuse it",
	"cannot change to", "forbids removing replicated regions", "does not say its source", "wait for that to finish",
	"was deleted while this run waited on it", // another run's retention (keep_versions across majors) took it
}

func expectedRefusal(err error) bool {
	return slices.ContainsFunc(refusals, func(r string) bool { return strings.Contains(err.Error(), r) })
}

func describe(r gallery.Request) string {
	major := "-"
	if r.Version.Major != nil {
		major = fmt.Sprint(*r.Version.Major)
	}
	return fmt.Sprintf("%s version=%s major=%s src=%s regions=%d exclude=%v keep=%d eol=%v demote=%v cleanup=%v desc=%q",
		r.Lifecycle.RunID, r.Version.Version, major, r.SourceID[strings.LastIndex(r.SourceID, "/")+1:], len(r.TargetRegions), r.ExcludeFromLatest,
		r.Lifecycle.KeepVersions, r.Lifecycle.EndOfLifeSuperseded > 0, r.Lifecycle.DemoteToSourceRegion, r.CleanupOnFailure, r.Definition.Description)
}

// request draws a random publish over the definition.
func (s *sequence) request(runID string) gallery.Request {
	rnd := s.rnd
	req := gallery.Request{
		SourceID: s.w.sources[rnd.IntN(2)], ResourceGroup: rg, GalleryName: galleryNm, CreateGallery: true,
		Definition: gallery.DefinitionSpec{Name: s.def, Create: true, Publisher: "acme", Offer: "os", Sku: s.def},
		Timeout:    time.Minute,
	}
	major := int32(1 + rnd.IntN(2))
	if rnd.IntN(2) == 0 {
		req.Version.Version = "auto"
		if rnd.IntN(3) > 0 {
			req.Version.Major = &major
		}
	} else {
		req.Version.Version = fmt.Sprintf("%d.0.%d", major, rnd.IntN(6))
	}
	if rnd.IntN(2) == 0 {
		req.TargetRegions = []gallery.TargetRegion{{Name: otherRegin}}
	}
	req.ExcludeFromLatest = rnd.IntN(5) == 0
	req.CleanupOnFailure = rnd.IntN(2) == 0
	if rnd.IntN(3) == 0 {
		req.Definition.Description = fmt.Sprintf("config-%d", rnd.IntN(3))
	}
	if rnd.IntN(2) == 0 {
		req.Lifecycle.KeepVersions = 1 + rnd.IntN(3)
	}
	req.Lifecycle.DemoteToSourceRegion = rnd.IntN(5) == 0
	if rnd.IntN(5) == 0 {
		req.Lifecycle.EndOfLifeSuperseded = 24 * time.Hour
	}
	req.Lifecycle.RunID = runID
	return req
}

// fault installs one fault on the definition's versions and says which (and its ID).
func (s *sequence) fault() (string, string) {
	rnd := s.rnd
	rule := emulator.FaultRule{Method: []string{"PUT", "PUT", "PATCH", "DELETE", "GET"}[rnd.IntN(5)],
		Path: "/subscriptions/*/images/" + s.def + "/versions/*", Count: 1 + rnd.IntN(4)}
	switch rnd.IntN(6) {
	case 0:
		rule.Action, rule.Status = emulator.FaultStatus, 429
		rule.Count = 1
	case 1:
		rule.Action, rule.Status = emulator.FaultStatus, 503
	case 2:
		rule.Action = emulator.FaultReset
	case 3, 4:
		rule.Action, rule.Status = emulator.FaultStatusAfter, []int{500, 503}[rnd.IntN(2)]
	default:
		rule.Action = emulator.FaultResetAfter
	}
	added, err := s.w.srv.AddFaults(rule)
	if err != nil {
		s.t.Fatal(err)
	}
	return fmt.Sprintf(" [fault %s %s %d×%d]", rule.Method, rule.Action, rule.Status, rule.Count), added[0].ID
}

// handDefinition creates the definition as another tool would: no plugin tags.
func (s *sequence) handDefinition() {
	s.handDf = true
	s.steps = append(s.steps, "hand: definition "+s.def)
	p, err := s.w.setup.NewGalleryImagesClient().BeginCreateOrUpdate(s.w.ctx, rg, galleryNm, s.def, armcompute.GalleryImage{Location: to.Ptr(location),
		Tags: map[string]*string{"owner": to.Ptr("ops")},
		Properties: &armcompute.GalleryImageProperties{OSType: to.Ptr(armcompute.OperatingSystemTypesLinux), OSState: to.Ptr(armcompute.OperatingSystemStateTypesGeneralized),
			HyperVGeneration: to.Ptr(armcompute.HyperVGenerationV2), Description: to.Ptr("hand"),
			Identifier: &armcompute.GalleryImageIdentifier{Publisher: to.Ptr("acme"), Offer: to.Ptr("os"), SKU: to.Ptr(s.def)}}}, nil)
	done(s.t, "hand definition", p, err)
}

func (s *sequence) definitionExists() bool {
	_, err := s.w.setup.NewGalleryImagesClient().Get(s.w.ctx, rg, galleryNm, s.def, nil)
	return err == nil
}

// handVersion creates a version by hand (foreign tags, sometimes excluded from latest).
func (s *sequence) handVersion(before map[string]vstate) {
	var name string
	for range 20 {
		if name = fmt.Sprintf("%d.0.%d", 1+s.rnd.IntN(2), s.rnd.IntN(6)); before[name].name == "" {
			break
		}
	}
	if before[name].name != "" {
		return
	}
	excl := s.rnd.IntN(2) == 0
	regions := []*armcompute.TargetRegion{{Name: to.Ptr(location), RegionalReplicaCount: to.Ptr[int32](1)}}
	if s.rnd.IntN(2) == 0 {
		regions = append(regions, &armcompute.TargetRegion{Name: to.Ptr(otherRegin), RegionalReplicaCount: to.Ptr[int32](1)})
	}
	src := s.w.sources[s.rnd.IntN(2)]
	s.steps = append(s.steps, fmt.Sprintf("hand: version %s exclude=%v regions=%d", name, excl, len(regions)))
	p, err := s.w.setup.NewGalleryImageVersionsClient().BeginCreateOrUpdate(s.w.ctx, rg, galleryNm, s.def, name, armcompute.GalleryImageVersion{
		Location: to.Ptr(location), Tags: map[string]*string{"owner": to.Ptr("ops")},
		Properties: &armcompute.GalleryImageVersionProperties{
			StorageProfile:    &armcompute.GalleryImageVersionStorageProfile{Source: &armcompute.GalleryArtifactVersionFullSource{ID: to.Ptr(src)}},
			PublishingProfile: &armcompute.GalleryImageVersionPublishingProfile{ExcludeFromLatest: to.Ptr(excl), TargetRegions: regions}}}, nil)
	done(s.t, "hand version", p, err)
}

// handExclude excludes an existing version from latest by hand (a withdrawn image).
func (s *sequence) handExclude(before map[string]vstate) {
	names := make([]string, 0, len(before))
	for n, v := range before {
		if strings.EqualFold(v.state, "Succeeded") && !v.exclude {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return
	}
	sort.Strings(names)
	name := names[s.rnd.IntN(len(names))]
	s.steps = append(s.steps, "hand: exclude "+name)
	p, err := s.w.setup.NewGalleryImageVersionsClient().BeginUpdate(s.w.ctx, rg, galleryNm, s.def, name, armcompute.GalleryImageVersionUpdate{
		Properties: &armcompute.GalleryImageVersionProperties{PublishingProfile: &armcompute.GalleryImageVersionPublishingProfile{ExcludeFromLatest: to.Ptr(true)}}}, nil)
	done(s.t, "hand exclude", p, err)
}

// recorder keeps a run's output.
type recorder struct {
	mu    sync.Mutex
	lines []string
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	r.lines = append(r.lines, s)
	r.mu.Unlock()
}
func (r *recorder) Say(s string)     { r.add(s) }
func (r *recorder) Message(s string) { r.add(s) }
func (r *recorder) Error(s string)   { r.add(s) }
func (r *recorder) text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.lines, "\n")
}
