package reliability

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

// TestR8SameVersionRace: two builds publish the same explicit version from different sources at once.
// One wins; the other fails saying the version exists from a different source; the version in the
// inventory is the winner's, untouched.
func TestR8SameVersionRace(t *testing.T) {
	acctest.Require(t, tools)
	t.Parallel()
	row := scenario(t, "R8 same version, two sources", "two packer builds of image_version 2.0.0 at once, different source images")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	f := newFixture(ctx, t, emulatorConfig("2s", 2, nil))
	other := f.emu.CreateSourceImage(ctx, t, acctest.SourceImage{ResourceGroup: sourceRG, Location: location, Name: "ubuntu-other"})
	row.Before = len(f.inventory(ctx, t).Versions())
	sources := []string{f.sourceID, other}
	procs := []*acctest.Process{
		f.start(t, "PKR_VAR_image_version=2.0.0"),
		f.start(t, "PKR_VAR_image_version=2.0.0", "PKR_VAR_source_image_id="+other),
	}
	runs := make([]acctest.Run, 2)
	for i, p := range procs {
		run, done := p.Wait(3 * time.Minute)
		if !done {
			t.Fatalf("build %d did not finish:\n%s", i, run.Output)
		}
		runs[i] = run
	}
	winner := -1
	for i, r := range runs {
		if r.ExitCode == 0 {
			if winner >= 0 {
				t.Fatalf("both builds succeeded:\n--- 0\n%s\n--- 1\n%s", runs[0].Output, runs[1].Output)
			}
			winner = i
		}
	}
	if winner < 0 {
		t.Fatalf("neither build succeeded:\n--- 0\n%s\n--- 1\n%s", runs[0].Output, runs[1].Output)
	}
	loser := runs[1-winner].Output
	for _, want := range []string{"2.0.0", "different source"} {
		if !strings.Contains(loser, want) {
			t.Errorf("the losing build's error does not say %q:\n%s", want, loser)
		}
	}
	after := f.inventory(ctx, t)
	row.After = len(after.Versions())
	v := assertPublished(t, after, "2.0.0", threeRegions)
	if len(after.Versions()) != 1 {
		t.Errorf("want 1 version, got %d", len(after.Versions()))
	}
	if !strings.EqualFold(sourceOf(v), sources[winner]) {
		t.Errorf("version 2.0.0 has source %s, want the winner's %s (overwritten by the loser?)", sourceOf(v), sources[winner])
	}
	for _, im := range sources {
		if after.Find(im) == nil {
			t.Errorf("source image %s disappeared", im)
		}
	}
	row.Result = "one build won, the other refused: version exists from a different source"
}
