package importer

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/packer-plugin-sdk/multistep"
)

// stepDataDisks uploads each data_disk_file like source_file and leaves it as a snapshot named
// image_name-lunN: for each it runs the OS disk's own steps (inspect, name check, temporary disk,
// SAS, upload, verify, revoke, snapshot, delete the disk) on a run of its own, whose cleanup removes what
// that disk created if it fails. On a later failure or Ctrl-C, this step deletes the snapshots.
type stepDataDisks struct{}

func (stepDataDisks) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	r, err := getRun(state)
	if err != nil {
		return multistep.ActionHalt
	}
	r.dataDiskSnapshots = map[int32]string{}
	for _, d := range r.cfg.DataDiskFiles {
		sub := r.dataDiskRun(d)
		r.ui.Say(fmt.Sprintf("Data disk at LUN %d: %s", d.Lun, d.Path))
		sstate := new(multistep.BasicStateBag)
		sstate.Put(stateKey, sub)
		runner := &multistep.BasicRunner{Steps: []multistep.Step{
			stepInspectSource{}, stepCheckSnapshot{}, stepCreateDisk{}, stepGrantAccess{}, stepUpload{},
			stepVerify{}, stepRevokeAccess{}, stepCreateSnapshot{}, stepDeleteDisk{},
		}}
		runner.Run(ctx, sstate)
		if e, ok := sstate.GetOk("error"); ok {
			if err, isErr := e.(error); isErr {
				state.Put("error", fmt.Errorf("data_disk_file lun %d: %w", d.Lun, err))
			} else {
				state.Put("error", fmt.Errorf("data_disk_file lun %d: %v", d.Lun, e))
			}
			return multistep.ActionHalt
		}
		if ctx.Err() != nil || sub.snapshotID == "" {
			state.Put("error", fmt.Errorf("data_disk_file lun %d: %w", d.Lun, errors.Join(ctx.Err(), errors.New("no snapshot was made"))))
			return multistep.ActionHalt
		}
		r.dataDiskSnapshots[d.Lun] = sub.snapshotID
	}
	return multistep.ActionContinue
}

// dataDiskRun is the run of one data disk: the build's settings with the file as source_file and its
// own temporary disk and snapshot names.
func (r *run) dataDiskRun(d DataDiskFile) *run {
	c := *r.cfg
	c.SourceFile, c.SourceVHDURI, c.SourceSnapshotID, c.SourceDiskID = d.Path, "", "", ""
	c.ImageName = fmt.Sprintf("%s-lun%d", r.cfg.ImageName, d.Lun)
	c.TempDiskName = fmt.Sprintf("%s-lun%d", r.cfg.TempDiskName, d.Lun)
	c.KeepTemporaryDisk = false
	return &run{cfg: &c, ui: r.ui, connect: r.connect, az: r.az}
}

func (stepDataDisks) Cleanup(state multistep.StateBag) {
	r, err := getRun(state)
	if err != nil || len(r.dataDiskSnapshots) == 0 || !failed(state) {
		return
	}
	ctx, cancel := cleanupContext()
	defer cancel()
	for _, d := range r.cfg.DataDiskFiles {
		if _, ok := r.dataDiskSnapshots[d.Lun]; !ok {
			continue
		}
		sub := r.dataDiskRun(d)
		r.ui.Say(fmt.Sprintf("Deleting data disk snapshot %s after the failed build...", sub.cfg.ImageName))
		if err := sub.deleteSnapshot(ctx); err != nil {
			r.ui.Error(err.Error())
		}
	}
}
