package arm

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Persistence: a snapshot (arm-state.json, written atomically) plus an append-only journal
// (arm-journal.jsonl) of what each write changed. A write appends one line and fsyncs it, so its cost
// does not grow with the number of stored resources; when the journal outgrows the snapshot, the
// state is compacted into a new snapshot and the journal emptied. Loading reads the snapshot and
// replays the journal; a torn last line (a crash mid-append) is ignored, as that write was never
// acknowledged. Every journal record holds the full new value of each key it names (or null for a
// delete), so replaying a record twice is harmless.

const journalFile = "arm-journal.jsonl"

// minCompactBytes is the smallest journal worth compacting.
var minCompactBytes int64 = 4 << 20

// journalRecord is one write: the resources and operations it set (nil = deleted) and, when the
// failure or profile rules changed, all of them.
type journalRecord struct {
	Resources  map[string]*resource  `json:"r,omitempty"`
	Operations map[string]*operation `json:"o,omitempty"`
	Rules      *journalRules         `json:"m,omitempty"`
}

// journalRules are the small, rarely changing parts of the state, journaled whole.
type journalRules struct {
	Failures    []ReplicationFailure     `json:"replicationFailures,omitempty"`
	FailureHits map[int]int              `json:"failureHits,omitempty"`
	Profiles    []ReplicationProfileRule `json:"replicationProfiles,omitempty"`
}

// dirtySet is what changed since the last save, with the values before the change so that a failed
// save can put memory back (nil = the key did not exist).
type dirtySet struct {
	res   map[string]*resource
	ops   map[string]*operation
	rules *journalRules
}

func (d *dirtySet) clear() {
	*d = dirtySet{res: map[string]*resource{}, ops: map[string]*operation{}}
}

func (d *dirtySet) empty() bool { return len(d.res) == 0 && len(d.ops) == 0 && d.rules == nil }

// setRes stores a resource and marks it for the journal.
func (s *Service) setRes(r *resource) {
	k := key(r.ID)
	s.remember(k)
	s.st.Resources[k] = r
}

// delRes removes a resource and marks it for the journal.
func (s *Service) delRes(k string) {
	s.remember(k)
	delete(s.st.Resources, k)
}

// touch marks a stored resource that is about to change in place.
func (s *Service) touch(r *resource) { s.remember(key(r.ID)) }

func (s *Service) remember(k string) {
	if _, ok := s.dirty.res[k]; !ok {
		if cur := s.st.Resources[k]; cur != nil {
			s.dirty.res[k] = clone(cur)
		} else {
			s.dirty.res[k] = nil
		}
	}
}

// setOp and delOp change the operations map and mark the operation for the journal.
func (s *Service) setOp(op *operation) {
	s.rememberOp(op.ID)
	s.st.Operations[op.ID] = op
}

func (s *Service) delOp(id string) {
	s.rememberOp(id)
	delete(s.st.Operations, id)
}

func (s *Service) rememberOp(id string) {
	if _, ok := s.dirty.ops[id]; !ok {
		s.dirty.ops[id] = s.st.Operations[id]
	}
}

// touchRules marks the failure and profile rules that are about to change.
func (s *Service) touchRules() {
	if s.dirty.rules == nil {
		r := clone(journalRules{Failures: s.st.Failures, FailureHits: s.st.FailureHits, Profiles: s.st.Profiles})
		s.dirty.rules = &r
	}
}

// rollback puts memory back to the last saved state after a failed save.
func (s *Service) rollback() {
	for k, r := range s.dirty.res {
		if r == nil {
			delete(s.st.Resources, k)
		} else {
			s.st.Resources[k] = r
		}
	}
	for k, op := range s.dirty.ops {
		if op == nil {
			delete(s.st.Operations, k)
		} else {
			s.st.Operations[k] = op
		}
	}
	if s.dirty.rules != nil {
		s.apply(&journalRecord{Rules: s.dirty.rules})
	}
	s.dirty.clear()
}

// persistence is the Service's open journal.
type persistence struct {
	journal      *os.File
	journalInfo  os.FileInfo
	journalBytes int64
	snapshotSize int64
}

// loadPersisted reads the snapshot and replays the journal into s.st.
func (s *Service) loadPersisted() error {
	dir := s.opts.DataDir
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if b, err := os.ReadFile(filepath.Join(dir, stateFile)); err == nil {
		if err := json.Unmarshal(b, s.st); err != nil {
			return fmt.Errorf("reading %s: %w", stateFile, err)
		}
		s.pers.snapshotSize = int64(len(b))
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, journalFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	good, err := s.replay(f)
	if err != nil {
		f.Close()
		return err
	}
	// Drop a torn tail so the next append starts on a line of its own.
	if err := f.Truncate(good); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	s.pers.journal, s.pers.journalBytes, s.pers.journalInfo = f, good, fi
	return nil
}

// replay applies every complete journal line and returns the offset after the last one.
func (s *Service) replay(f *os.File) (int64, error) {
	r := bufio.NewReaderSize(f, 1<<20)
	var off int64
	for {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return off, nil // a line without its newline is a torn append
		}
		if err != nil {
			return off, err
		}
		var rec journalRecord
		if json.Unmarshal(bytes.TrimSpace(line), &rec) != nil {
			return off, nil
		}
		s.apply(&rec)
		off += int64(len(line))
	}
}

func (s *Service) apply(rec *journalRecord) {
	for k, r := range rec.Resources {
		if r == nil {
			delete(s.st.Resources, k)
		} else {
			s.st.Resources[k] = r
		}
	}
	for k, op := range rec.Operations {
		if op == nil {
			delete(s.st.Operations, k)
		} else {
			s.st.Operations[k] = op
		}
	}
	if rec.Rules != nil {
		s.st.Failures, s.st.Profiles = rec.Rules.Failures, rec.Rules.Profiles
		s.st.FailureHits = rec.Rules.FailureHits
		if s.st.FailureHits == nil {
			s.st.FailureHits = map[int]int{}
		}
	}
}

// record builds the journal record of the dirty set.
func (s *Service) record() journalRecord {
	rec := journalRecord{}
	if len(s.dirty.res) > 0 {
		rec.Resources = make(map[string]*resource, len(s.dirty.res))
		for k := range s.dirty.res {
			rec.Resources[k] = s.st.Resources[k]
		}
	}
	if len(s.dirty.ops) > 0 {
		rec.Operations = make(map[string]*operation, len(s.dirty.ops))
		for k := range s.dirty.ops {
			rec.Operations[k] = s.st.Operations[k]
		}
	}
	if s.dirty.rules != nil {
		rec.Rules = &journalRules{Failures: s.st.Failures, FailureHits: s.st.FailureHits, Profiles: s.st.Profiles}
	}
	return rec
}

// appendJournal writes the dirty set as one fsynced line; on failure the journal is cut back to
// where it was.
func (s *Service) appendJournal() error {
	if s.dirty.empty() {
		return nil
	}
	b, err := json.Marshal(s.record())
	if err != nil {
		return err
	}
	b = append(b, '\n')
	f := s.pers.journal
	// A data dir removed or replaced under the emulator must fail the write, not land in an
	// unlinked file.
	if fi, err := os.Stat(filepath.Join(s.opts.DataDir, journalFile)); err != nil || !os.SameFile(fi, s.pers.journalInfo) {
		return fmt.Errorf("the journal %s is gone or was replaced", filepath.Join(s.opts.DataDir, journalFile))
	}
	if _, err := f.Write(b); err != nil {
		_ = f.Truncate(s.pers.journalBytes)
		_, _ = f.Seek(s.pers.journalBytes, io.SeekStart)
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Truncate(s.pers.journalBytes)
		_, _ = f.Seek(s.pers.journalBytes, io.SeekStart)
		return err
	}
	s.pers.journalBytes += int64(len(b))
	s.dirty.clear()
	if s.pers.journalBytes > max(minCompactBytes, 2*s.pers.snapshotSize) {
		return s.compact()
	}
	return nil
}

// compact writes the whole state as a new snapshot (temp file, fsync, rename) and empties the
// journal. A crash between the two leaves a snapshot that already holds the journal's records, and
// replaying them again changes nothing.
func (s *Service) compact() error {
	b, err := json.Marshal(s.st)
	if err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(s.opts.DataDir, stateFile), b); err != nil {
		return err
	}
	s.pers.snapshotSize = int64(len(b))
	f := s.pers.journal
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	s.pers.journalBytes = 0
	s.dirty.clear()
	return f.Sync()
}

func writeAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // after the rename there is nothing left to remove
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
