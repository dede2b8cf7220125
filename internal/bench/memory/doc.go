// Package memory measures the whole plugin process's peak resident set from outside it, during a real
// `packer build` that imports a 4 GiB raw disk with the azure-gallery-import builder and publishes it to
// 5 regions with the post-processor, against the emulator and Azurite. It polls /proc/<pid>/status
// (VmHWM) of every process whose command line names the plugin binary that packer starts. Run it with
//
//	go test ./internal/bench/memory -run '^$' -bench . -benchtime 1x -v
//
// (`make bench` does). BENCH_IMPORT_GIB (default 4) and BENCH_IMPORT_DATA_MIB (default 256, in 32 MiB
// extents) size the disk; BENCH_MEMORY_BASELINE=1 alternates each build with one under GOMEMLIMIT=off.
package memory
