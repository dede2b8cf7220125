// Package publish benchmarks the publishing core (internal/gallery) as shipped — default wait options,
// the session's default retry policy — against an in-process emulator: the wait's overshoot past the
// emulator's own replication time and its ARM requests beside fixed-interval pollers at a uniformly
// random phase; 50 parallel `auto` publishes beside a single one; and the emulator's write cost beside
// its read cost. Every ratio is against a baseline measured in the same run. Run it with
//
//	go test ./internal/bench/publish -run '^$' -bench . -benchtime 1x -v
//
// (`make bench` does). BENCH_REPLICATION_S (default 60) sets the publish benchmark's replication time;
// BENCH_FACTORY_REPLICATIONS (default "3,20"; "3,20,60" for the long run) the factory's.
package publish
