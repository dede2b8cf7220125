package acctest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Run is a finished packer command.
type Run struct {
	ExitCode int
	// Output is stdout and stderr, interleaved.
	Output string
}

// Process is a packer command still running (see StartPacker).
type Process struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
	run  Run
}

// PackerEnv is the environment every packer command gets: the host's, minus anything that could point
// the run at real Azure or another plugin directory, plus the private plugin directory and extra.
func (t *Tools) PackerEnv(tb testing.TB, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "ARM_") || strings.HasPrefix(name, "AZURE_") || strings.HasPrefix(name, "PKR_VAR_") ||
			strings.HasPrefix(name, "PACKER_") || strings.HasPrefix(name, "ACTIONS_ID_TOKEN_") || name == "SSL_CERT_FILE" {
			continue
		}
		env = append(env, kv)
	}
	home := tb.TempDir()
	env = append(env,
		"PACKER_PLUGIN_PATH="+t.PluginDir,
		"PACKER_CONFIG_DIR="+filepath.Join(home, "config"),
		"PACKER_CACHE_DIR="+filepath.Join(home, "cache"),
		"CHECKPOINT_DISABLE=1",
		"PACKER_NO_COLOR=1",
	)
	return append(env, extra...)
}

// StartPacker starts `packer args...` in dir, in its own process group so that Kill can take the
// plugin down with it, as a crash of the machine would.
func (t *Tools) StartPacker(tb testing.TB, dir string, env []string, args ...string) *Process {
	tb.Helper()
	cmd := exec.Command(t.Packer, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		tb.Fatalf("starting packer: %v", err)
	}
	p := &Process{cmd: cmd, out: out, done: make(chan struct{})}
	go func() {
		err := cmd.Wait()
		p.run = Run{ExitCode: exitCode(err), Output: out.String()}
		close(p.done)
	}()
	tb.Cleanup(func() { p.Kill() })
	return p
}

// RunPacker runs packer to completion (bounded by ctx) and returns its exit code and output.
func (t *Tools) RunPacker(ctx context.Context, tb testing.TB, dir string, env []string, args ...string) Run {
	tb.Helper()
	p := t.StartPacker(tb, dir, env, args...)
	select {
	case <-p.done:
	case <-ctx.Done():
		p.Kill()
		tb.Fatalf("packer %s did not finish: %v\n%s", strings.Join(args, " "), ctx.Err(), p.Output())
	}
	tb.Logf("packer %s → exit %d", strings.Join(args, " "), p.run.ExitCode)
	return p.run
}

// Output returns what packer printed so far.
func (p *Process) Output() string { return p.out.String() }

// WaitFor polls the output until it contains s, the process exits, or timeout passes.
func (p *Process) WaitFor(s string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if strings.Contains(p.Output(), s) {
			return true
		}
		select {
		case <-p.done:
			return strings.Contains(p.Output(), s)
		case <-time.After(100 * time.Millisecond):
		}
	}
	return false
}

// Signal sends sig to packer's process group, as Ctrl-C in a terminal does. (Packer's outer process is a
// panicwrap supervisor that ignores SIGINT and relies on the terminal reaching its child.)
func (p *Process) Signal(sig syscall.Signal) error { return syscall.Kill(-p.cmd.Process.Pid, sig) }

// Kill sends SIGKILL to packer's whole process group, plugins included, and waits.
func (p *Process) Kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.done
}

// Wait waits for packer to exit, at most timeout; ok is false on timeout.
func (p *Process) Wait(timeout time.Duration) (Run, bool) {
	select {
	case <-p.done:
		return p.run, true
	case <-time.After(timeout):
		return Run{ExitCode: -1, Output: p.Output()}, false
	}
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ee.ExitCode()
	}
	return -1
}
