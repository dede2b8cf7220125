package arm

import "strings"

// kindDef describes one Microsoft.Compute resource type: its api family, its operation endpoint, and
// the hooks that hold its validation and behaviour. The generic verbs in crud.go drive them.
type kindDef struct {
	// Type is the ARM type, e.g. "Microsoft.Compute/galleries/images".
	Type string
	// Family keys apiFamilies.
	Family string
	// OpKind is the operation endpoint segment: capsOperations, DiskOperations or operations.
	OpKind string
	// CreateStatus is the status of a create PUT (201 for most, 202 for disks and snapshots).
	CreateStatus int
	// Prepare validates a PUT or PATCH and fills computed fields; it must not mutate stored state.
	Prepare func(s *Service, w *write) *apiError
	// CanDelete refuses a delete (nested resources, deletion protection).
	CanDelete func(s *Service, rc *reqCtx, r *resource) *apiError
	// Deleted cleans up after a delete (Azurite blobs).
	Deleted func(s *Service, r *resource)
	// Render adds computed fields to a rendered body.
	Render func(s *Service, r *resource, rc *renderCtx, body map[string]any)
	// Actions are POST sub-paths, keyed lower-case.
	Actions map[string]func(s *Service, rc *reqCtx, r *resource) *apiError
	// Quota returns the per-region limit for this type, 0 = none.
	Quota func(q Quotas) int
}

// write is one PUT or PATCH being validated.
type write struct {
	rc     *reqCtx
	kd     *kindDef
	old    *resource // nil on create
	res    *resource // the candidate, a copy; Prepare edits it
	parent *resource
	patch  bool
	// Set by Prepare:
	replication bool      // the operation follows the version's replication
	opFailure   *apiError // the LRO fails with this once ready
	opOutput    map[string]any
	// onCommit runs once validation has passed, just before the candidate is stored (it may touch
	// shared state, such as failure-rule hit counts).
	onCommit func()
}

func (k *kindDef) typeSegs() []string {
	return strings.Split(strings.TrimPrefix(k.Type, "Microsoft.Compute/"), "/")
}

// shortType is the type without namespace, as ARM names it in api-version errors.
func (k *kindDef) shortType() string { return strings.TrimPrefix(k.Type, "Microsoft.Compute/") }

func allKinds() []*kindDef {
	return []*kindDef{galleryKind(), definitionKind(), versionKind(), imageKind(), diskKind(), snapshotKind()}
}

// kindByPath finds the kind whose type segments equal types, case-insensitively.
func (s *Service) kindByPath(types []string) *kindDef {
	for _, k := range s.kinds {
		segs := k.typeSegs()
		if len(segs) != len(types) {
			continue
		}
		ok := true
		for i := range segs {
			if !eq(segs[i], types[i]) {
				ok = false
				break
			}
		}
		if ok {
			return k
		}
	}
	return nil
}
