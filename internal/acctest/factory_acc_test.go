package acctest_test

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

// TestFactoryParallel runs example/factory with -parallel-builds: three sources, each with its own
// managed image, publish at the same time into three definitions of one new gallery. Every source gets
// exactly one Succeeded version, from its own image, and no build fails.
func TestFactoryParallel(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	emu := tools.StartEmulator(t, acctest.EmulatorOptions{Config: replicationConfig(1)})
	if err := emu.CreateResourceGroup(ctx, t, galleryRG, sourceLocation); err != nil {
		t.Fatal(err)
	}
	sources := []string{"alma", "debian", "ubuntu"}
	ids := map[string]string{}
	var pairs []string
	for _, s := range sources {
		ids[s] = emu.CreateSourceImage(ctx, t, acctest.SourceImage{ResourceGroup: sourceRG, Location: sourceLocation, Name: s + "-base"})
		pairs = append(pairs, fmt.Sprintf("  %s = %q", s, ids[s]))
	}
	vars := filepath.Join(t.TempDir(), "images.pkrvars.hcl")
	if err := os.WriteFile(vars, []byte("images = {\n"+strings.Join(pairs, "\n")+"\n}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(tools.Root, "example", "factory")
	run := tools.RunPacker(ctx, t, dir, tools.PackerEnv(t, emu.Env()...),
		"build", "-color=false", "-parallel-builds=3", "-var-file="+vars, ".")
	if run.ExitCode != 0 {
		t.Fatalf("packer build failed (%d):\n%s", run.ExitCode, run.Output)
	}
	if strings.Contains(run.Output, "errored") {
		t.Errorf("a build errored:\n%s", run.Output)
	}
	inv, err := emu.Inventory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if g := inv.OfType("Microsoft.Compute/galleries"); len(g) != 1 || g[0].Name() != "factory" {
		t.Errorf("want the one gallery factory, got %v", g)
	}
	perDefinition := map[string][]acctest.Resource{}
	for _, v := range inv.Versions() {
		// .../galleries/factory/images/<definition>/versions/<version>
		parts := strings.Split(v.ID(), "/")
		perDefinition[parts[len(parts)-3]] = append(perDefinition[parts[len(parts)-3]], v)
	}
	var got []string
	for d := range perDefinition {
		got = append(got, d)
	}
	sort.Strings(got)
	if strings.Join(got, ",") != strings.Join(sources, ",") {
		t.Fatalf("definitions with versions = %v, want %v", got, sources)
	}
	for _, s := range sources {
		vs := perDefinition[s]
		if len(vs) != 1 {
			t.Errorf("%s: %d versions, want 1", s, len(vs))
			continue
		}
		v := vs[0]
		if v.Name() != "1.0.0" || v.Prop("provisioningState") != "Succeeded" {
			t.Errorf("%s: version %s is %v", s, v.Name(), v.Prop("provisioningState"))
		}
		if src, _ := v.Prop("storageProfile", "source", "id").(string); !strings.EqualFold(src, ids[s]) {
			t.Errorf("%s: published from %q, want its own image %s", s, src, ids[s])
		}
		if v.Tags()["image"] != s {
			t.Errorf("%s: tags %v", s, v.Tags())
		}
	}
}
