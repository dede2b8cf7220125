// Package reliability is the reliability and security suite of issue 4: scenarios R1–R10 that inject
// faults (throttling, failed regions, interrupts, restarts, expiring tokens, races, broken endpoints,
// cross-tenant galleries) into the offline emulator, run the real `packer` with the real plugin (or, for
// the 100-publish soak of R1, the same publishing core in-process), and assert on the emulator's
// inventory. `make reliability` runs it and prints the table this package formats; docs/reliability.md
// lists what each scenario guarantees.
//
// The package itself only holds the result table; the scenarios are its tests.
package reliability
