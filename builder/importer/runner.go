package importer

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/hashicorp/packer-plugin-sdk/common"
	"github.com/hashicorp/packer-plugin-sdk/multistep"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
)

// newRunner honours `packer build -on-error=…` and `-debug` as commonsteps.NewRunner does, without
// importing multistep/commonsteps: that package links go-getter with its S3 and GCS getters (gRPC,
// envoy, the AWS and Google SDKs, ~600 packages) for download steps this builder never runs, and those
// packages' code and init data cost the plugin process about 20 MiB of resident memory (issue 15,
// docs/performance.md). This builder has no provisioner step, so run-cleanup-provisioner means abort.
func newRunner(steps []multistep.Step, cfg common.PackerConfig, ui packersdk.Ui) multistep.Runner {
	wrapped := make([]multistep.Step, len(steps))
	for i, s := range steps {
		switch cfg.PackerOnError {
		case "abort", "run-cleanup-provisioner":
			wrapped[i] = abortStep{s, ui}
		case "ask":
			wrapped[i] = askStep{s, ui}
		default: // "" or "cleanup"
			wrapped[i] = s
		}
	}
	if cfg.PackerDebug {
		return &multistep.DebugRunner{Steps: wrapped, PauseFn: debugPause(ui)}
	}
	return &multistep.BasicRunner{Steps: wrapped}
}

func stepName(s multistep.Step) string { return reflect.Indirect(reflect.ValueOf(s)).Type().Name() }

// abortStep skips its cleanup once the build failed or was cancelled (-on-error=abort).
type abortStep struct {
	step multistep.Step
	ui   packersdk.Ui
}

func (s abortStep) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	return s.step.Run(ctx, state)
}

func (s abortStep) Cleanup(state multistep.StateBag) {
	if keepForAbort(state, s.ui, stepName(s.step)) {
		return
	}
	s.step.Cleanup(state)
}

// keepForAbort reports whether cleanup must be skipped (the build halted or was cancelled), saying so
// once per build and naming each step whose cleanup it skips after that.
func keepForAbort(state multistep.StateBag, ui packersdk.Ui, name string) bool {
	_, halted := state.GetOk(multistep.StateHalted)
	_, cancelled := state.GetOk(multistep.StateCancelled)
	if !halted && !cancelled {
		return false
	}
	if _, logged := state.GetOk("abort_step_logged"); logged {
		ui.Error(fmt.Sprintf("aborted: skipping cleanup of step %q", name))
		return true
	}
	if err, ok := state.GetOk("error"); ok {
		ui.Error(fmt.Sprintf("%s", err))
	}
	if cancelled {
		ui.Error("Interrupted, aborting...")
	} else {
		ui.Error(fmt.Sprintf("Step %q failed, aborting...", name))
	}
	state.Put("abort_step_logged", true)
	return true
}

// askStep asks what to do when its step fails: clean up, abort without cleanup, or retry (-on-error=ask).
type askStep struct {
	step multistep.Step
	ui   packersdk.Ui
}

func (s askStep) Run(ctx context.Context, state multistep.StateBag) multistep.StepAction {
	for {
		action := s.step.Run(ctx, state)
		if action != multistep.ActionHalt {
			return action
		}
		if err, ok := state.GetOk("error"); ok {
			s.ui.Error(fmt.Sprintf("%s", err))
		}
		s.ui.Say(fmt.Sprintf("Step %q failed", stepName(s.step)))
		switch askUntilCancelled(state, s.ui, "[c] Clean up and exit, [a] abort without cleanup, or [r] retry step (build may fail even if retry succeeds)?") {
		case "a":
			state.Put("aborted", true)
			return action
		case "r":
			state.Remove("error")
			continue
		default:
			return action
		}
	}
}

func (s askStep) Cleanup(state multistep.StateBag) {
	if _, aborted := state.GetOk("aborted"); aborted && keepForAbort(state, s.ui, stepName(s.step)) {
		return
	}
	s.step.Cleanup(state)
}

// askUntilCancelled asks the question and returns the first letter of the answer (lower case; "c" for
// an empty one), or "c" as soon as the build is cancelled.
func askUntilCancelled(state multistep.StateBag, ui packersdk.Ui, question string) string {
	answer := make(chan string, 1)
	go func() {
		line, _ := ui.Ask(question)
		answer <- strings.ToLower(strings.TrimSpace(line) + "c")[:1]
	}()
	for {
		select {
		case a := <-answer:
			return a
		case <-time.After(100 * time.Millisecond):
			if _, ok := state.GetOk(multistep.StateCancelled); ok {
				return "c"
			}
		}
	}
}

// debugPause pauses after each step and before each cleanup until enter is pressed (-debug).
func debugPause(ui packersdk.Ui) multistep.DebugPauseFn {
	return func(loc multistep.DebugLocation, name string, state multistep.StateBag) {
		where := "at"
		switch loc {
		case multistep.DebugLocationAfterRun:
			where = "after run of"
		case multistep.DebugLocationBeforeCleanup:
			where = "before cleanup of"
		}
		askUntilCancelled(state, ui, fmt.Sprintf("Pausing %s step '%s'. Press enter to continue.", where, name))
	}
}
