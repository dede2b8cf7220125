package importer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	"github.com/hashicorp/packer-plugin-sdk/multistep"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/azure"
	"github.com/azure-gallery/packer-plugin-azure-gallery/internal/vhd"
)

// stateKey is the one state-bag key this builder uses: everything else travels in the typed *run.
const stateKey = "azure-gallery-import"

// clients are the Azure clients a run uses.
type clients struct {
	disks     *armcompute.DisksClient
	images    *armcompute.ImagesClient
	snapshots *armcompute.SnapshotsClient
	// blobTransport sends the page writes to the SAS URL; nil means azcore's default HTTP client.
	blobTransport policy.Transporter
	// pollEvery is how often long-running operations are polled.
	pollEvery time.Duration
}

// connector builds the clients from the configuration; tests replace it to point at the emulator.
type connector func(ctx context.Context, c *Config) (*clients, error)

// run is the state of one build, shared by the steps. Each step records what it created, so that
// cleanup removes exactly that and nothing else.
type run struct {
	cfg     *Config
	ui      packersdk.Ui
	connect connector
	az      *clients

	local *localImage // source_file, after inspection

	diskID      string // the temporary disk's ID once this run created it
	diskCreated bool
	accessOpen  bool // a SAS is granted on the temporary disk and not yet revoked
	sasURL      string
	upload      *vhd.Result

	// snapshotID is the snapshot this run created or passed on (publish_source = "snapshot").
	snapshotID      string
	snapshotCreated bool
	// dataDiskSnapshots are the data disk snapshots this run created, by LUN (data_disk_file).
	dataDiskSnapshots map[int32]string

	imageID      string
	imageCreated bool
	image        *armcompute.Image
	sizeBytes    int64
}

func getRun(state multistep.StateBag) (*run, error) {
	v, ok := state.GetOk(stateKey)
	if !ok {
		return nil, errors.New("internal error: build state is missing")
	}
	r, ok := v.(*run)
	if !ok {
		return nil, fmt.Errorf("internal error: build state has type %T", v)
	}
	return r, nil
}

// halt records err the way Packer expects and stops the build.
func halt(state multistep.StateBag, ui packersdk.Ui, err error) multistep.StepAction {
	err = azure.RedactError(err)
	state.Put("error", err)
	ui.Error(err.Error())
	return multistep.ActionHalt
}

// cleanupContext bounds cleanup work, which runs after the build's context may be cancelled (Ctrl-C).
func cleanupContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 10*time.Minute)
}

// describe says what failed, followed by the shared classifier's explanation of an Azure error (its
// code, meaning, fix and request ID) or the error itself.
func describe(action string, err error) error {
	return fmt.Errorf("%s: %w", action, azure.Explain(err))
}

// deref reads an optional string from an Azure model.
func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
