package acctest_test

import (
	"bytes"
	"context"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/acctest"
)

// TestMachineReadable: `packer build -machine-readable` of example/publish-from-image prints only lines
// in Packer's machine-readable format (timestamp,target,type,data..., with commas in data escaped as
// %!(PACKER_COMMA)), so nothing the plugin prints breaks a parser; and the artifact ID is among them.
func TestMachineReadable(t *testing.T) {
	t.Parallel()
	acctest.Require(t, tools)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	f := newPublishFixture(ctx, t, 1, "publish-from-image")
	// stdout alone: that is what machine-readable consumers parse (the harness's runs interleave stderr).
	cmd := exec.CommandContext(ctx, tools.Packer, "build", "-machine-readable", ".")
	cmd.Dir, cmd.Env = f.dir, f.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("packer build -machine-readable: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	lines := strings.Split(strings.TrimRight(stdout.String(), "\n"), "\n")
	if len(lines) < 3 {
		t.Fatalf("only %d lines:\n%s", len(lines), stdout.String())
	}
	var artifactID string
	for i, line := range lines {
		fields := strings.Split(line, ",")
		if len(fields) < 3 {
			t.Errorf("line %d has %d fields, want timestamp,target,type[,data...]: %q", i+1, len(fields), line)
			continue
		}
		if ts, err := strconv.ParseInt(fields[0], 10, 64); err != nil || ts < 1_000_000_000 {
			t.Errorf("line %d does not start with a Unix timestamp: %q", i+1, line)
		}
		if fields[2] == "" || strings.ContainsAny(fields[2], " \t") {
			t.Errorf("line %d has no message type: %q", i+1, line)
		}
		// {ts},null.publish,artifact,0,id,{id}: the post-processor's artifact is the build's result.
		if len(fields) >= 6 && fields[1] == "null.publish" && fields[2] == "artifact" && fields[4] == "id" {
			artifactID = strings.ReplaceAll(fields[5], "%!(PACKER_COMMA)", ",")
		}
	}
	if !strings.Contains(artifactID, "/providers/Microsoft.Compute/galleries/golden/images/ubuntu-server/versions/1.0.0") {
		t.Errorf("artifact id line = %q, want the gallery image version ID\n%s", artifactID, stdout.String())
	}
	inv := f.inventory(ctx, t)
	if v := inv.Find(artifactID); v == nil || v.Prop("provisioningState") != "Succeeded" {
		t.Errorf("the artifact %s is not a Succeeded version in the inventory", artifactID)
	}
}
