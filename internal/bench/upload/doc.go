// Package upload benchmarks the import builder's page uploader against a real Azurite, beside two
// baselines measured in the same run, in rotated order (A B C, B C A, C A B, …), for BENCH_ROUNDS rounds:
//
//   - the raw baseline: an azblob pageblob.Client UploadPages loop over every 4 MiB of a dense file, at
//     the uploader's own parallelism (vhd.DefaultConcurrency), each in a child process of the same kind;
//   - azcopy v10.22.2 (built into .tools/bin by `make bench`, never committed) with
//     --skip-version-check, --from-to LocalBlob and --blob-type PageBlob.
//
// Files: a dense one, and three sparse layouts of the same size and data fraction: data in 4 MiB chunks
// on 4 MiB boundaries with holes between (aligned to azcopy's chunking, its best case), data in 2.5 MiB
// pieces that straddle chunk boundaries with holes between (unaligned), and the unaligned data with
// its zeros written out (no holes: both tools must read every byte). Every MB/s counts non-zero bytes
// only. Run it with
//
//	go test ./internal/bench/upload -run '^$' -bench Upload -benchtime 1x -v
//
// (`make bench` does; AZCOPY names the binary). BENCH_DENSE_MIB and BENCH_SPARSE_MIB size the files;
// BENCH_LAYOUTS (say "dense") runs a subset, for more rounds of one comparison; BENCH_UPLOAD_COMPARE=8
// adds the uploader at 8 writes in flight on the dense file. Each case starts after a sync, so none pays
// for the writeback of the blob the case before it wrote; the dense row also gives each client's mean
// writes in flight, which says whether a client keeps its parallelism busy.
package upload
