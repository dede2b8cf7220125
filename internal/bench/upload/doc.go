// Package upload benchmarks the VHD page uploader against a real Azurite, beside plain PUT-loop
// baselines that measure Azurite's own limit. Run it with
//
//	go test ./internal/bench/upload -run XXX -bench Upload -benchtime 1x -v
//
// It reports, never asserts: throughput, bytes sent per non-zero byte, and the uploader's peak RSS,
// measured by running the uploader in a child process and reading its rusage.
package upload
