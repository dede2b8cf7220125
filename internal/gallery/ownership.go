package gallery

import "fmt"

// The ownership rule (docs/reliability.md, "Ownership"): the plugin changes or deletes only what it owns,
// decided by the tags it reads back from Azure, never by a status code.
//
//   - A version, definition or gallery is the plugin's when it carries ManagedTagKey = ManagedTagValue,
//     which the plugin sets on everything it creates and nothing else sets.
//   - A run created a resource when it also carries RunIDTagKey = the run's ID, read back after the write.
//   - A resource that exists is never created over (no PUT on a version seen to exist); one that is not
//     the plugin's is never modified; cleanup deletes only what this run created.
//
// Adopting a hand-made version is an explicit act on the version itself, not a template setting: an
// operator who wants the plugin to manage it adds the managed tag by hand (see AdoptHint).

// WriteKind is the kind of write MayWrite judges.
type WriteKind int

// The write kinds, one for each write path.
const (
	// WriteCreate is the PUT that creates a resource; it is allowed only on one that does not exist.
	WriteCreate WriteKind = iota
	// WriteConverge is a PATCH that brings an existing resource in line with the config.
	WriteConverge
	// WriteRetire is retention and demotion: delete, end of life, shrink to fewer regions.
	WriteRetire
	// WriteCleanup is the delete of cleanup_on_failure: only what this run created.
	WriteCleanup
	// WriteReplace is `packer build -force`: delete an existing version and publish it again; only one the
	// plugin owns (force.go).
	WriteReplace
)

// Owns says whether the plugin owns a resource with these tags.
func Owns(tags map[string]string) bool { return tags[ManagedTagKey] == ManagedTagValue }

// CreatedByRun says whether the run with runID created the resource with these tags.
func CreatedByRun(tags map[string]string, runID string) bool {
	return runID != "" && tags[RunIDTagKey] == runID
}

// MayWrite applies the ownership rule to one write. existing holds the resource's tags as read back
// from Azure, nil when it does not exist; runID is the run's ID. It returns nil when the write is
// allowed, or why it is not.
func MayWrite(kind WriteKind, existing map[string]string, runID string) error {
	switch {
	case kind == WriteCreate && existing != nil:
		return fmt.Errorf("it exists (run tag %q), and an existing resource is never written over", existing[RunIDTagKey])
	case kind == WriteCreate:
		return nil
	case existing == nil:
		return fmt.Errorf("it does not exist")
	case !Owns(existing):
		return fmt.Errorf("it was not made by this plugin (it has no %s = %s tag), and the plugin never changes what it does not own", ManagedTagKey, ManagedTagValue)
	case kind == WriteCleanup && !CreatedByRun(existing, runID):
		return fmt.Errorf("another run created it (run tag %q, not %q)", existing[RunIDTagKey], runID)
	}
	return nil
}

// AdoptHint says how an operator hands a hand-made version to the plugin.
func AdoptHint(req Request, version string) string {
	return fmt.Sprintf("to let the plugin manage it, tag it yourself: az resource tag --is-incremental --tags %s=%s --ids /subscriptions/<sub>/resourceGroups/%s/providers/Microsoft.Compute/galleries/%s/images/%s/versions/%s",
		ManagedTagKey, ManagedTagValue, req.ResourceGroup, req.GalleryName, req.Definition.Name, version)
}
