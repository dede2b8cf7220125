// Command demo runs the main job end to end on this machine, with no Azure account: it builds the
// plugin and the emulator, starts Azurite and the emulator, creates a small raw disk, runs
// `packer build example/` (import the disk, publish it to three regions), prints the emulator's
// inventory, and stops everything. `make demo` runs it.
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

// The demo's disk: 1 GiB with 4 MiB of data. Azure sizes managed disks and images in whole GiB
// (diskSizeGB), so the plan reads a source of any smaller disk as 1 GiB; a disk of exactly 1 GiB makes
// the import's size, the artifact, the source size and the storage footprint (1 GiB per replica) agree.
// It is sparse, and the upload skips its zero ranges, so only the 4 MiB of data are sent.
const (
	demoDiskBytes = 1 << 30
	demoDataBytes = 4 << 20
)

// The demo's emulated replication: a copy rate and per-region delays that make the 1 GiB disk take
// between about 20 and 30 seconds per region, so the per-region progress is visible but short.
var demoConfig = map[string]any{
	"replication": map[string]any{
		"seconds_per_gib":   18,
		"region_base_delay": "4s",
		"region_delays":     map[string]any{"eastus": "2s", "westeurope": "6s", "westus2": "12s"},
	},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func step(format string, args ...any) { fmt.Printf("\n=== "+format+"\n", args...) }

func run(ctx context.Context) error {
	step("Building the plugin and the emulator (and finding packer)")
	tools, err := acctest.SetupIn(ctx, "azure-gallery-demo-tools-")
	if err != nil {
		return err
	}
	defer tools.Close()
	if tools.Azurite == "" {
		return fmt.Errorf("azurite-blob is missing from .tools: run `make tools` first")
	}
	out, _ := exec.Command(tools.Packer, "version").Output()
	fmt.Printf("packer: %s (%s)\nplugin: %s, installed in %s\n", strings.TrimSpace(string(out)), tools.Packer, tools.Plugin, tools.PluginDir)

	work, err := os.MkdirTemp("", "azure-gallery-demo-data-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	step("Creating a %d GiB raw disk with %d MiB of data (sparse)", demoDiskBytes>>30, demoDataBytes>>20)
	disk := filepath.Join(work, "disk.raw")
	if err := makeRawDisk(disk, demoDiskBytes, demoDataBytes); err != nil {
		return err
	}

	step("Starting Azurite (blob storage) and the Azure emulator")
	az, err := acctest.StartAzuriteProcess(tools.Azurite, filepath.Join(work, "azurite"))
	if err != nil {
		return err
	}
	defer az.Stop()
	cfgFile := filepath.Join(work, "emulator.json")
	if err := writeJSON(cfgFile, demoConfig); err != nil {
		return err
	}
	emu, err := acctest.StartEmulatorProcess(tools.Emulator, filepath.Join(work, "emulator"),
		"--addr", "127.0.0.1:0", "--data-dir", filepath.Join(work, "emulator"), "--config", cfgFile, "--blob-endpoint", az.BlobEndpoint)
	if err != nil {
		return err
	}
	defer emu.Stop()
	fmt.Printf("emulator: %s (metadata_host %s)\nazurite:  %s\n", emu.Endpoint, emu.MetadataHost, az.BlobEndpoint)
	if err := emu.NewResourceGroup(ctx, "images-rg", "eastus"); err != nil {
		return err
	}

	step("packer build example/import-and-publish/  (import the disk, publish version 1.0.0 to eastus, westeurope, westus2)")
	env := packerEnv(tools, emu, work, "PKR_VAR_source_file="+disk)
	start := time.Now()
	if err := packer(ctx, tools, env, "build", "-color=false", filepath.Join(tools.Root, "example", "import-and-publish")); err != nil {
		return fmt.Errorf("packer build: %w", err)
	}
	fmt.Printf("packer build finished in %s\n", time.Since(start).Round(time.Second))

	step("Emulator inventory")
	inv, err := emu.Inventory(ctx)
	if err != nil {
		return err
	}
	printInventory(inv)
	return nil
}

// packerEnv is the host environment without Azure or Packer settings, plus the emulator's.
func packerEnv(tools *acctest.Tools, emu *acctest.Emulator, work string, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "ARM_") || strings.HasPrefix(name, "AZURE_") || strings.HasPrefix(name, "PKR_VAR_") ||
			strings.HasPrefix(name, "PACKER_") || name == "SSL_CERT_FILE" {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "PACKER_PLUGIN_PATH="+tools.PluginDir, "PACKER_CONFIG_DIR="+filepath.Join(work, "packer-config"),
		"PACKER_CACHE_DIR="+filepath.Join(work, "packer-cache"), "CHECKPOINT_DISABLE=1")
	env = append(env, emu.Env()...)
	return append(env, extra...)
}

// packer runs packer with its output streamed to ours.
func packer(ctx context.Context, tools *acctest.Tools, env []string, args ...string) error {
	cmd := exec.CommandContext(ctx, tools.Packer, args...)
	cmd.Env = env
	cmd.Dir = tools.Root
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	// Ctrl-C reaches packer through the terminal; give it time to stop cleanly before we kill it.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 30 * time.Second
	return cmd.Run()
}

// makeRawDisk writes a sparse raw disk of size bytes whose first data bytes are random.
func makeRawDisk(path string, size, data int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := io.CopyN(f, rand.Reader, data); err != nil {
		return err
	}
	return f.Truncate(size)
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}

// printInventory lists galleries, definitions, versions (with their regions) and images.
func printInventory(inv acctest.Inventory) {
	types := map[string]string{
		"Microsoft.Compute/images":                    "managed image",
		"Microsoft.Compute/galleries":                 "gallery",
		"Microsoft.Compute/galleries/images":          "image definition",
		"Microsoft.Compute/galleries/images/versions": "image version",
	}
	var lines []string
	for _, r := range inv {
		kind, ok := types[r.Type()]
		if !ok {
			continue
		}
		line := fmt.Sprintf("%-16s %-92s %s", kind, shortID(r.ID()), r.Prop("provisioningState"))
		if kind == "image version" {
			var regions []string
			summary, _ := r.Prop("replicationStatus", "summary").([]any)
			for _, s := range summary {
				if m, ok := s.(map[string]any); ok {
					regions = append(regions, fmt.Sprintf("%v:%v", m["region"], m["state"]))
				}
			}
			if len(regions) == 0 {
				trs, _ := r.Prop("publishingProfile", "targetRegions").([]any)
				for _, x := range trs {
					if m, ok := x.(map[string]any); ok {
						regions = append(regions, fmt.Sprint(m["name"]))
					}
				}
			}
			sort.Strings(regions)
			line += "  regions: " + strings.Join(regions, ", ")
		}
		lines = append(lines, line)
	}
	for _, l := range lines {
		fmt.Println(l)
	}
}

func shortID(id string) string {
	if i := strings.Index(strings.ToLower(id), "/resourcegroups/"); i >= 0 {
		return id[i+len("/resourceGroups/"):]
	}
	return id
}
