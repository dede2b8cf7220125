package reliability

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

// startEmulatorAt runs the emulator binary on a fixed address and data dir (so that it can be restarted
// in place), stopping it when the test ends.
func startEmulatorAt(t *testing.T, addr, dataDir, configFile string) *acctest.Emulator {
	t.Helper()
	e, err := acctest.StartEmulatorProcess(tools.Emulator, dataDir, "--addr", addr, "--data-dir", dataDir, "--config", configFile)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	return e
}

// TestR4EmulatorRestart: the emulator (Azure) goes away mid-publish for a few seconds and comes back on
// the same address with the same state; packer rides it out on azcore's retries and completes the one
// version.
func TestR4EmulatorRestart(t *testing.T) {
	acctest.Require(t, tools)
	t.Parallel()
	const down = 4 * time.Second
	row := scenario(t, "R4 emulator restart", fmt.Sprintf("emulator stopped mid-replication, back after %s on the same address and data dir", down))
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	port, err := acctest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	dataDir := t.TempDir()
	cfgFile := filepath.Join(t.TempDir(), "emulator.json")
	data, _ := json.Marshal(emulatorConfig("1s", 12, nil))
	if err := os.WriteFile(cfgFile, data, 0o600); err != nil {
		t.Fatal(err)
	}
	emu := startEmulatorAt(t, addr, dataDir, cfgFile)
	f := fixtureOn(ctx, t, emu)
	row.Before = len(f.inventory(ctx, t).Versions())
	p := f.start(t)
	v := f.waitReplicating(ctx, t, p)
	created := v.Prop("publishingProfile", "publishedDate")

	emu.Stop()
	time.Sleep(down)
	if _, done := p.Wait(0); done {
		t.Fatalf("packer gave up while the emulator was down:\n%s", p.Output())
	}
	f.emu = startEmulatorAt(t, addr, dataDir, cfgFile)

	run, done := p.Wait(3 * time.Minute)
	if !done {
		t.Fatalf("packer did not finish after the restart:\n%s", run.Output)
	}
	if run.ExitCode != 0 {
		t.Fatalf("packer failed across the restart (%d):\n%s", run.ExitCode, run.Output)
	}
	after := f.inventory(ctx, t)
	row.After = len(after.Versions())
	got := assertPublished(t, after, "1.0.0", threeRegions)
	if got.Prop("publishingProfile", "publishedDate") != created {
		t.Errorf("the version was re-created across the restart")
	}
}
