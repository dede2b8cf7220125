package arm

import (
	"sort"
	"strings"
	"time"
)

// resource is one stored ARM resource: its ARM representation (properties kept as generic JSON so
// that every field a client sends is echoed back under Azure's names) plus emulator metadata.
type resource struct {
	ID         string            `json:"id"` // original casing, no host
	Type       string            `json:"type"`
	Name       string            `json:"name"`
	Location   string            `json:"location,omitempty"` // canonical region name
	Tags       map[string]string `json:"tags,omitempty"`
	Properties map[string]any    `json:"properties,omitempty"`
	// Extra holds other top-level fields a client sent (sku, identity, zones...), echoed back.
	Extra map[string]any `json:"extra,omitempty"`
	Meta  meta           `json:"meta"`
}

// meta is what the emulator needs to know about a resource beyond its ARM representation.
type meta struct {
	Created time.Time `json:"created"`
	// WriteStart and ReadyAt bound the current write: before ReadyAt the resource reports
	// WriteState (Creating/Updating), afterwards Succeeded, or Failed when Failure is set.
	WriteStart time.Time `json:"writeStart"`
	ReadyAt    time.Time `json:"readyAt"`
	WriteState string    `json:"writeState,omitempty"`
	Failure    *apiError `json:"failure,omitempty"`
	// SizeBytes is the size of the data a disk, snapshot, image or version holds.
	SizeBytes int64 `json:"sizeBytes,omitempty"`
	// Replication is the per-region plan of a gallery image version.
	Replication []regionReplication `json:"replication,omitempty"`
	// Disk access state: the Azurite blob holding the disk's data, and whether it was written.
	DiskState string `json:"diskState,omitempty"`
	BlobName  string `json:"blobName,omitempty"`
	Uploaded  bool   `json:"uploaded,omitempty"`
	AccessSAS string `json:"accessSAS,omitempty"`
	// NestedUntil is when the last deleted child stops counting as nested (Options.DeleteLag).
	NestedUntil time.Time `json:"nestedUntil,omitzero"`
	// SoftDeleted is the version a soft-deleted record keeps for a restore (softdelete.go).
	SoftDeleted *resource `json:"softDeleted,omitempty"`
}

// operation is a long-running operation record; its status is derived from the resource and the clock.
type operation struct {
	ID           string         `json:"id"`
	Kind         string         `json:"kind"` // capsOperations, DiskOperations, operations
	Location     string         `json:"location"`
	Subscription string         `json:"subscription"`
	ResourceKey  string         `json:"resourceKey"`
	Action       string         `json:"action"` // write, delete, grantAccess, revokeAccess
	APIVersion   string         `json:"apiVersion"`
	Start        time.Time      `json:"start"`
	ReadyAt      time.Time      `json:"readyAt"`
	Replication  bool           `json:"replication,omitempty"` // status follows the version's replication
	Failure      *apiError      `json:"failure,omitempty"`
	Output       map[string]any `json:"output,omitempty"`
}

// state is everything the Service persists.
type state struct {
	Resources  map[string]*resource  `json:"resources"`
	Operations map[string]*operation `json:"operations"`
	Failures   []ReplicationFailure  `json:"replicationFailures,omitempty"`
	// Profiles are the replication progress profile rules (profiles.go).
	Profiles []ReplicationProfileRule `json:"replicationProfiles,omitempty"`
	// FailureHits counts how many versions each failure rule has hit, by rule index.
	FailureHits map[int]int `json:"failureHits,omitempty"`
}

func newState() *state {
	return &state{Resources: map[string]*resource{}, Operations: map[string]*operation{}, FailureHits: map[int]int{}}
}

// key normalizes an ARM id for lookup: ARM ids are case-insensitive.
func key(id string) string { return strings.ToLower(strings.TrimSuffix(id, "/")) }

const stateFile = "arm-state.json"

func (s *Service) load() error {
	s.st = newState()
	s.dirty.clear()
	if s.opts.DataDir == "" {
		return nil
	}
	return s.loadPersisted()
}

// save persists what changed since the last save: one fsynced journal line (journal.go).
func (s *Service) save() error {
	if s.opts.DataDir == "" {
		s.dirty.clear()
		return nil
	}
	return s.appendJournal()
}

// commit persists a mutation. If the write fails, the in-memory state goes back to what is on disk,
// so memory never runs ahead of disk.
func (s *Service) commit() *apiError {
	if err := s.save(); err != nil {
		s.rollback()
		return internalError(err)
	}
	return nil
}

func (s *Service) get(id string) *resource { return s.st.Resources[key(id)] }

// children returns the resources whose id is directly under parent with the given child type segment.
func (s *Service) children(parentID, typ string) []*resource {
	prefix := key(parentID) + "/" + strings.ToLower(typ) + "/"
	var out []*resource
	for k, r := range s.st.Resources {
		if strings.HasPrefix(k, prefix) && !strings.Contains(k[len(prefix):], "/") {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return key(out[i].ID) < key(out[j].ID) })
	return out
}

// descendants returns every resource whose id starts with prefix + "/".
func (s *Service) descendants(id string) []*resource {
	prefix := key(id) + "/"
	var out []*resource
	for k, r := range s.st.Resources {
		if strings.HasPrefix(k, prefix) {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return key(out[i].ID) < key(out[j].ID) })
	return out
}
