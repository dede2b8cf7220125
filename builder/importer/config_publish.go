package importer

import (
	"context"
	"fmt"
)

// What the build leaves for the post-processor (publish_source).
const (
	publishSnapshot     = "snapshot"
	publishDisk         = "disk"
	publishManagedImage = "managed_image"
)

// validatePublish resolves publish_source: a snapshot by default for generation 2 and Arm64 (Azure's
// managed images are x64 only, and modern images skip them), a managed image for V1 x64 as before.
// It runs after validateTarget, which fills the generation and architecture.
func (c *Config) validatePublish(add func(error)) {
	if c.PublishSource == "" {
		c.PublishSource = publishManagedImage
		if c.HyperVGeneration == "V2" || c.Architecture == "Arm64" {
			c.PublishSource = publishSnapshot
		}
	}
	var ok bool
	if c.PublishSource, ok = oneOf(c.PublishSource, publishSnapshot, publishDisk, publishManagedImage); !ok {
		add(fmt.Errorf("publish_source: %q is invalid; set snapshot, disk or managed_image", c.PublishSource))
		return
	}
	switch {
	case c.PublishSource == publishManagedImage && c.Architecture == "Arm64":
		add(fmt.Errorf("publish_source = \"managed_image\" cannot carry an Arm64 disk: managed images are x64 only, and Azure refuses them with \"Creating an image with snapshot source that has CPU Architecture 'Arm64' is not supported\"; use publish_source = \"snapshot\" (the default for Arm64) or \"disk\""))
	case c.PublishSource == publishDisk && c.SourceSnapshotID != "":
		add(fmt.Errorf("publish_source = \"disk\" with source_snapshot_id: the build would only copy the snapshot into a disk; use publish_source = \"snapshot\" to pass the snapshot on, or set source_disk_id"))
	}
	if c.PublishSource == publishDisk && c.TempDiskName == "" && c.SourceDiskID == "" {
		// The kept disk is the artifact, so it carries the image's name.
		c.TempDiskName = c.ImageName
	}
}

// publishedID is the resource this build leaves for the post-processor.
func (r *run) publishedID() string {
	switch r.cfg.PublishSource {
	case publishSnapshot:
		return r.snapshotID
	case publishDisk:
		if r.cfg.SourceDiskID != "" {
			return r.cfg.SourceDiskID
		}
		return r.diskID
	}
	return r.imageID
}

// publishedDisk is the disk left for the post-processor (publish_source = "disk"), or "".
func (r *run) publishedDisk() string {
	if r.cfg.PublishSource != publishDisk {
		return ""
	}
	return r.publishedID()
}

// destroyFunc deletes what this build created for the artifact, and nothing it was given.
func (r *run) destroyFunc() func(ctx context.Context) error {
	c := r.cfg
	switch {
	case c.PublishSource == publishSnapshot && c.SourceSnapshotID == "":
		return r.deleteSnapshot
	case c.PublishSource == publishDisk && c.SourceDiskID == "":
		return func(ctx context.Context) error { return r.deleteDisk(ctx, "Deleting disk %s...") }
	case c.PublishSource == publishManagedImage:
		return r.deleteImage
	}
	return func(context.Context) error {
		r.ui.Say("Keeping " + r.publishedID() + ": this build did not create it")
		return nil
	}
}
