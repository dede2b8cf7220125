package benchutil

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Peak is the largest VmHWM (peak resident set, in bytes) one process reached, and its command line.
type Peak struct {
	PID     int
	Cmdline string
	HWM     int64
	// Anon and File split the largest resident set a poll saw (RssAnon: heap, stacks, runtime; RssFile:
	// the binary's code and data pages), to say where the memory is.
	Anon, File, RSS int64
}

// ProcWatcher polls /proc every interval for processes whose executable path (the command line's first
// word) starts with Match (say, a private plugin directory, so that other users' copies of the same
// plugin on a shared machine are not counted) and records
// each one's VmHWM, the kernel's own high-water mark of its resident set. VmHWM only grows, so a poll
// misses at most what a process gained in its last interval before it exited.
type ProcWatcher struct {
	Match    string
	Interval time.Duration
	mu       sync.Mutex
	peaks    map[int]*Peak
	stop     chan struct{}
	done     chan struct{}
}

// WatchProcs starts a watcher for executables whose path starts with match.
func WatchProcs(match string, interval time.Duration) *ProcWatcher {
	w := &ProcWatcher{Match: match, Interval: interval, peaks: map[int]*Peak{}, stop: make(chan struct{}), done: make(chan struct{})}
	go w.loop()
	return w
}

func (w *ProcWatcher) loop() {
	defer close(w.done)
	t := time.NewTicker(w.Interval)
	defer t.Stop()
	for {
		w.poll()
		select {
		case <-w.stop:
			return
		case <-t.C:
		}
	}
}

func (w *ProcWatcher) poll() {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		dir := filepath.Join("/proc", e.Name())
		cmd, err := os.ReadFile(filepath.Join(dir, "cmdline"))
		if err != nil {
			continue
		}
		argv0, _, _ := bytes.Cut(cmd, []byte{0})
		if !strings.HasPrefix(string(argv0), w.Match) {
			continue
		}
		st := readStatus(pid)
		w.mu.Lock()
		p := w.peaks[pid]
		if p == nil {
			p = &Peak{PID: pid, Cmdline: strings.TrimSpace(string(bytes.ReplaceAll(cmd, []byte{0}, []byte{' '})))}
			w.peaks[pid] = p
		}
		p.HWM = max(p.HWM, st["VmHWM"])
		if st["VmRSS"] > p.RSS {
			p.RSS, p.Anon, p.File = st["VmRSS"], st["RssAnon"], st["RssFile"]
		}
		w.mu.Unlock()
	}
}

// Stop ends the polling and returns every matching process seen, with its peak.
func (w *ProcWatcher) Stop() []Peak {
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]Peak, 0, len(w.peaks))
	for _, p := range w.peaks {
		out = append(out, *p)
	}
	return out
}

// VmHWM reads a process's peak resident set in bytes from /proc/<pid>/status (0 if it is gone).
func VmHWM(pid int) int64 { return readStatus(pid)["VmHWM"] }

// readStatus returns the kB fields of /proc/<pid>/status in bytes (empty if the process is gone).
func readStatus(pid int) map[string]int64 {
	out := map[string]int64{}
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return out
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		name, rest, ok := strings.Cut(line, ":")
		if !ok || !strings.HasSuffix(rest, " kB") {
			continue
		}
		if kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(rest, " kB")), 10, 64); err == nil {
			out[name] = kb * 1024
		}
	}
	return out
}
