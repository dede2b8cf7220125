// Package gallery is the publishing core: it publishes a source image as an Azure Compute Gallery
// image version and waits for replication, in four steps that are kept apart so each can be tested:
// Observe reads what exists, Plan (a pure function) decides, act carries the decisions out, and wait
// follows the replication.
//
// It imports nothing from packer-plugin-sdk: the post-processor adapts it to Packer.
package gallery
