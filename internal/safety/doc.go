// Package safety holds the model-based safety test of issue 10: seeded random sequences of publishes,
// hand-made and hand-edited versions, concurrent runs and faults (including lost replies) over one
// definition, run by the in-process publishing core against the in-process emulator, with an
// invariant checker after every step. `make safety SEQUENCES=N` runs more sequences; a failure prints
// the seed that replays it (SAFETY_SEED=... SAFETY_SEQUENCES=1).
package safety
