package reliability

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

// EnvTable names a file the suite writes its table to (make reliability prints it).
const EnvTable = "RELIABILITY_TABLE"

// tools is set once by TestMain; tests only read it.
var tools *acctest.Tools

// table collects one row per scenario.
var table = &Table{}

func TestMain(m *testing.M) {
	code := acctest.Main(m, &tools)
	if table.Len() > 0 {
		var b strings.Builder
		_ = table.Write(&b)
		fmt.Print("\nReliability scenarios:\n" + b.String())
		if path := os.Getenv(EnvTable); path != "" {
			if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
				fmt.Fprintln(os.Stderr, "reliability: writing the table:", err)
			}
		}
	}
	os.Exit(code)
}

// scenario registers a table row whose result is set from the test's outcome when it ends. The test
// fills in Before/After (and may refine Result with a detail).
func scenario(t *testing.T, name, injected string) *Row {
	t.Helper()
	r := &Row{Scenario: name, Injected: injected, Before: -1, After: -1}
	table.Add(r)
	t.Cleanup(func() {
		status := "pass"
		switch {
		case t.Skipped():
			status = "skipped"
		case t.Failed():
			status = "FAIL"
		}
		if r.Result == "" {
			r.Result = status
		} else {
			r.Result = status + ": " + r.Result
		}
	})
	return r
}

const (
	sourceRG    = "build-rg"
	galleryRG   = "images-rg"
	location    = "eastus"
	versionType = "Microsoft.Compute/galleries/images/versions"
)

var threeRegions = []string{"eastus", "westeurope", "westus2"}

// fixture is an emulator (binary) with a source image and the gallery resource group, and the packer
// environment for example/publish-from-image.
type fixture struct {
	emu      *acctest.Emulator
	sourceID string
	env      []string
	dir      string
}

// emulatorConfig is the emulator's --config: replication taking base + perGiB seconds (the sources are
// 1 GiB), plus extra keys.
func emulatorConfig(base string, perGiB float64, extra map[string]any) map[string]any {
	cfg := map[string]any{"replication": map[string]any{"seconds_per_gib": perGiB, "region_base_delay": base}, "operation_delay": "100ms"}
	for k, v := range extra {
		cfg[k] = v
	}
	return cfg
}

func newFixture(ctx context.Context, t *testing.T, cfg map[string]any) *fixture {
	t.Helper()
	emu := tools.StartEmulator(t, acctest.EmulatorOptions{Config: cfg})
	return fixtureOn(ctx, t, emu)
}

// fixtureOn prepares a running emulator: the source image and the gallery's resource group.
func fixtureOn(ctx context.Context, t *testing.T, emu *acctest.Emulator) *fixture {
	t.Helper()
	src := emu.CreateSourceImage(ctx, t, acctest.SourceImage{ResourceGroup: sourceRG, Location: location, Name: "ubuntu-base"})
	if err := emu.CreateResourceGroup(ctx, t, galleryRG, location); err != nil {
		t.Fatal(err)
	}
	env := tools.PackerEnv(t, emu.Env()...)
	env = append(env, "PKR_VAR_source_image_id="+src)
	return &fixture{emu: emu, sourceID: src, env: env, dir: filepath.Join(tools.Root, "example", "publish-from-image")}
}

func (f *fixture) envWith(extra ...string) []string {
	return append(append([]string{}, f.env...), extra...)
}

func (f *fixture) build(ctx context.Context, t *testing.T, extra ...string) acctest.Run {
	t.Helper()
	return tools.RunPacker(ctx, t, f.dir, f.envWith(extra...), "build", "-color=false", ".")
}

func (f *fixture) start(t *testing.T, extra ...string) *acctest.Process {
	t.Helper()
	return tools.StartPacker(t, f.dir, f.envWith(extra...), "build", "-color=false", ".")
}

func (f *fixture) inventory(ctx context.Context, t *testing.T) acctest.Inventory {
	t.Helper()
	return inventoryOf(ctx, t, f.emu)
}

func inventoryOf(ctx context.Context, t *testing.T, emu *acctest.Emulator) acctest.Inventory {
	t.Helper()
	inv, err := emu.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// waitReplicating polls the inventory until a version exists and is still replicating, and fails the
// test if packer ends first.
func (f *fixture) waitReplicating(ctx context.Context, t *testing.T, p *acctest.Process) acctest.Resource {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if vs := f.inventory(ctx, t).Versions(); len(vs) == 1 && vs[0].Prop("provisioningState") != "Succeeded" {
			return vs[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("the version never started replicating:\n%s", p.Output())
		}
		if run, done := p.Wait(200 * time.Millisecond); done {
			t.Fatalf("packer finished (%d) before the version was seen replicating:\n%s", run.ExitCode, run.Output)
		}
	}
}

// assertPublished checks that exactly one version named version exists, succeeded, and targets want.
func assertPublished(t *testing.T, inv acctest.Inventory, version string, want []string) acctest.Resource {
	t.Helper()
	var v acctest.Resource
	n := 0
	for _, r := range inv.Versions() {
		if r.Name() == version {
			v = r
			n++
		}
	}
	if n != 1 {
		t.Fatalf("want exactly one version %s, found %d (of %d versions)", version, n, len(inv.Versions()))
	}
	if st := v.Prop("provisioningState"); st != "Succeeded" {
		t.Errorf("version %s: provisioningState = %v, want Succeeded", version, st)
	}
	if got := targetRegions(v); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("version %s targets %v, want %v", version, got, want)
	}
	return v
}

// targetRegions returns a version's target regions, normalized and in order.
func targetRegions(v acctest.Resource) []string {
	var out []string
	trs, _ := v.Prop("publishingProfile", "targetRegions").([]any)
	for _, x := range trs {
		if m, ok := x.(map[string]any); ok {
			name, _ := m["name"].(string)
			out = append(out, strings.ToLower(strings.ReplaceAll(name, " ", "")))
		}
	}
	sort.Strings(out)
	return out
}

// sourceOf returns the source ID a version was published from.
func sourceOf(v acctest.Resource) string {
	s, _ := v.Prop("storageProfile", "source", "id").(string)
	return s
}
