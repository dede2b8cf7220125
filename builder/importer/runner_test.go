package importer

import (
	"context"
	"errors"
	"testing"

	"github.com/hashicorp/packer-plugin-sdk/common"
	"github.com/hashicorp/packer-plugin-sdk/multistep"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
)

// countingStep fails its first failures runs and counts its runs and cleanups.
type countingStep struct {
	failures      int
	runs, cleanup *int
}

func (s countingStep) Run(_ context.Context, state multistep.StateBag) multistep.StepAction {
	*s.runs++
	if *s.runs <= s.failures {
		state.Put("error", errors.New("boom"))
		return multistep.ActionHalt
	}
	return multistep.ActionContinue
}

func (s countingStep) Cleanup(multistep.StateBag) { *s.cleanup++ }

// answeringUi answers every question with answer.
type answeringUi struct {
	packersdk.MockUi
	answer string
}

func (u *answeringUi) Ask(string) (string, error) { return u.answer, nil }

// TestRunnerOnError: -on-error=cleanup (and the default) cleans up a failed build, abort leaves every
// step as it is, and ask retries the failed step when answered "r" or aborts on "a".
func TestRunnerOnError(t *testing.T) {
	for _, c := range []struct {
		onError, answer      string
		failures             int
		wantRuns, wantClean  int
		wantError, wantAbort bool
	}{
		{onError: "", failures: 1, wantRuns: 1, wantClean: 1, wantError: true},
		{onError: "cleanup", failures: 1, wantRuns: 1, wantClean: 1, wantError: true},
		{onError: "abort", failures: 1, wantRuns: 1, wantClean: 0, wantError: true},
		{onError: "run-cleanup-provisioner", failures: 1, wantRuns: 1, wantClean: 0, wantError: true},
		{onError: "abort", failures: 0, wantRuns: 1, wantClean: 1},
		{onError: "ask", answer: "r", failures: 2, wantRuns: 3, wantClean: 1},
		{onError: "ask", answer: "a", failures: 1, wantRuns: 1, wantClean: 0, wantError: true, wantAbort: true},
		{onError: "ask", answer: "", failures: 1, wantRuns: 1, wantClean: 1, wantError: true},
	} {
		var runs, cleanups int
		state := new(multistep.BasicStateBag)
		ui := &answeringUi{answer: c.answer}
		steps := []multistep.Step{countingStep{failures: c.failures, runs: &runs, cleanup: &cleanups}}
		newRunner(steps, common.PackerConfig{PackerOnError: c.onError}, ui).Run(context.Background(), state)
		_, failed := state.GetOk("error")
		_, aborted := state.GetOk("aborted")
		if runs != c.wantRuns || cleanups != c.wantClean || failed != c.wantError || aborted != c.wantAbort {
			t.Errorf("on-error=%q answer %q: runs %d cleanups %d error %v aborted %v; want %d %d %v %v", c.onError, c.answer,
				runs, cleanups, failed, aborted, c.wantRuns, c.wantClean, c.wantError, c.wantAbort)
		}
	}
}

// TestRunnerDebugPauses: -debug pauses after the step and before its cleanup.
func TestRunnerDebugPauses(t *testing.T) {
	var runs, cleanups int
	ui := &countingAskUi{}
	steps := []multistep.Step{countingStep{runs: &runs, cleanup: &cleanups}}
	newRunner(steps, common.PackerConfig{PackerDebug: true}, ui).Run(context.Background(), new(multistep.BasicStateBag))
	if ui.asked != 2 || runs != 1 || cleanups != 1 {
		t.Errorf("debug: %d pauses, %d runs, %d cleanups; want 2, 1, 1", ui.asked, runs, cleanups)
	}
}

type countingAskUi struct {
	packersdk.MockUi
	asked int
}

func (u *countingAskUi) Ask(string) (string, error) { u.asked++; return "", nil }
