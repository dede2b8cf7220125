package importer

import "github.com/hashicorp/packer-plugin-sdk/multistep"

// publishSteps is the build for publish_source = "snapshot" or "disk": no managed image is made.
// A snapshot is copied from the uploaded or imported disk (then deleted, unless keep_temporary_disk) or
// from source_disk_id; a disk is the uploaded or imported disk itself, kept.
func (b *Builder) publishSteps() []multistep.Step {
	c := &b.config
	upload := []multistep.Step{stepCreateDisk{}, stepGrantAccess{}, stepUpload{}, stepVerify{}, stepRevokeAccess{}}
	var steps []multistep.Step
	if c.kind() == sourceFile {
		steps = append(steps, stepInspectSource{})
	}
	steps = append(steps, stepAuthenticate{})
	if c.PublishSource == publishSnapshot && c.kind() != sourceSnapshot {
		steps = append(steps, stepCheckSnapshot{})
	}
	switch c.kind() {
	case sourceFile:
		steps = append(steps, upload...)
	case sourceBlob:
		steps = append(steps, stepCreateDisk{})
	}
	if c.PublishSource == publishSnapshot {
		steps = append(steps, stepCreateSnapshot{})
		if c.kind() == sourceFile || c.kind() == sourceBlob {
			steps = append(steps, stepDeleteDisk{})
		}
		if len(c.DataDiskFiles) > 0 {
			steps = append(steps, stepDataDisks{}) // step_data_disks.go
		}
	}
	return steps
}
