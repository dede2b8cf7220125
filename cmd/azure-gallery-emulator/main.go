// Command azure-gallery-emulator serves an offline Azure (ARM and Entra ID endpoints for Compute Gallery
// publishing) over HTTPS on loopback.
//
// Start contract:
//
//	azure-gallery-emulator --addr 127.0.0.1:0 --data-dir DIR [--config FILE] [--blob-endpoint URL]
//
// When it is serving it prints one JSON line on stdout (endpoint, metadata_host, ca_file, tenant_id,
// subscription_id, client_id, client_secret), logs to stderr, and runs until SIGTERM or SIGINT.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/azure-gallery/packer-plugin-azure-gallery/emulator"
)

// version is set with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "azure-gallery-emulator:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("azure-gallery-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen address; port 0 picks a free port")
	dataDir := fs.String("data-dir", "", "directory for the CA, keys and state (required; reuse it to keep state across restarts)")
	config := fs.String("config", "", "JSON config file (see docs/emulator.md)")
	blob := fs.String("blob-endpoint", "", "Azurite blob endpoint for disk uploads, e.g. http://127.0.0.1:10000/devstoreaccount1")
	showVersion := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *showVersion {
		fmt.Fprintln(stdout, "azure-gallery-emulator", version)
		return nil
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *dataDir == "" {
		return errors.New("--data-dir is required: the directory where the CA, keys and state live")
	}
	var opts emulator.Options
	if *config != "" {
		var err error
		if opts, err = emulator.LoadOptions(*config); err != nil {
			return err
		}
	}
	if !configSets(*config, "delete_lag") {
		// The shipped binary behaves like GalleryRP by default; in-process servers default to none.
		opts.DeleteLag = emulator.Duration(emulator.DefaultDeleteLag)
	}
	opts.DataDir = *dataDir
	if *blob != "" {
		opts.BlobEndpoint = *blob
	}
	opts.Log = stderr

	srv, err := emulator.New(opts)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	ready, err := srv.Start(*addr)
	if err != nil {
		_ = srv.Close()
		return err
	}
	line, _ := json.Marshal(ready)
	if _, err := fmt.Fprintf(stdout, "%s\n", line); err != nil {
		_ = srv.Close()
		return err
	}
	<-ctx.Done()
	fmt.Fprintln(stderr, "azure-gallery-emulator: shutting down")
	return srv.Close()
}

// configSets reports whether the --config file (already validated by LoadOptions) sets key at its top level.
func configSets(path, key string) bool {
	if path == "" {
		return false
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil {
		return false
	}
	_, ok := m[key]
	return ok
}
