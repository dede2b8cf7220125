# Everything a developer or CI runs. `make test` is the whole suite (what .ci/run calls); `make demo` runs
# the main job against the offline emulator. Both work on a fresh clone: they fetch and build their tools
# (Packer into bin/, Azurite into .tools/, goreleaser into bin/) once and reuse them.

SHELL          := /usr/bin/env bash
.SHELLFLAGS    := -euo pipefail -c
# Every Go build here compiles the way the release does (CGO_ENABLED=0, -trimpath; .goreleaser.yml), so that
# go vet, go test, the acceptance tests' plugin builds, plugin-check and the release snapshot all share one
# compile of each dependency in the build cache instead of three (a cold `make test` saves most of a
# dependency-tree compile each time).
export GOFLAGS := -mod=mod -trimpath
export CGO_ENABLED := 0
export CHECKPOINT_DISABLE := 1
# The tools (other modules, sharing nothing with this one) build with Go's own defaults, as they always did.
TOOL_GO        := env -u CGO_ENABLED GOFLAGS=-mod=mod go

PLUGIN         := packer-plugin-azure-gallery
PACKER         := bin/packer
# The oldest core the plugin supports (gob serialization, discovery through PACKER_PLUGIN_PATH): a smoke test.
PACKER194      := bin/packer-1.9.4
GORELEASER     := bin/goreleaser
GOLANGCI_LINT  := bin/golangci-lint
AZURITE        := .tools/node_modules/.bin/azurite-blob
AZURITE_VERSION := 3.37.0
# packer-sdc finds the project root by a directory named packer-plugin-*; generate runs through this link.
GEN_ROOT       := .cache/gen/$(PLUGIN)
# Generated files that must be committed.
GENERATED      := '*.hcl2spec.go' docs-partials .web-docs

.PHONY: all build test unit acceptance reliability demo tools run-tools generate check-generate fmt-check vet lint goreleaser-check \
        web-docs plugin-check release-snapshot release-check fuzz fuzz-long go-test compat-test clean

all: build

## build: the plugin binary in the repository root.
build:
	go build -o $(PLUGIN) .

## test: the whole suite, what CI runs (.ci/run). scripts/test-all runs these phases in order, each a target
## below, and goes on when one fails: tools, check-generate, fmt-check, vet, lint, go-test, compat-test, fuzz,
## plugin-check, goreleaser-check, release-check. Each phase has a wall-clock ceiling. At the end it prints
## each phase's time, the reliability table and, as the last line, `packages: N passed, N failed`; it exits
## non-zero when any phase failed. A cold 2-core machine needs about 28 minutes (README, "First run").
test:
	@mkdir -p .cache/bin && go build -o .cache/bin/test-all ./scripts/test-all && .cache/bin/test-all

## go-test: every package's tests (unit, integration, real-packer acceptance and reliability; needs `make
## tools`); the package results go to .cache/gotest.log, the reliability table to .cache/reliability.txt.
## -count=1: never a cached result. The acceptance and reliability tests run packer, the plugin and the
## emulator as processes built from the tree, which Go's test cache does not see, so a cached pass could
## hide a change that breaks them.
## -parallel 4: the acceptance and reliability tests mostly wait on packer, the emulator's replication
## clock and Azurite, so four at once per package take about a quarter of the time (internal/acctest:
## 12.7 → 3.5 minutes) without more CPU. Each starts its own emulator and working directory.
## The safety model runs its 100 sequences from a fixed first seed here, so that CI gives the same answer
## twice; `make safety` explores new seeds.
go-test:
	@mkdir -p .cache && rm -f .cache/reliability.txt
	@echo "go test ./...: unit, integration, acceptance and reliability tests (about 8 minutes on a 2-core machine, cold or warm: the tests, not the compiles, take the time)..."
	ACCTEST_REQUIRED=1 PACKER_BIN=$(CURDIR)/$(PACKER) RELIABILITY_TABLE=$(CURDIR)/.cache/reliability.txt SAFETY_SEED=$${SAFETY_SEED:-20261201} \
		go test -count=1 -timeout 40m -parallel 4 ./... 2>&1 | tee .cache/gotest.log

## compat-test: the older-api-version tests (emulator/compat, a module of its own).
compat-test:
	@mkdir -p .cache
	go -C emulator/compat vet ./...
	go -C emulator/compat test -count=1 ./... 2>&1 | tee .cache/compat.log

## fuzz: each fuzz target for a fixed number of executions (FUZZ_EXECS), not a duration, so a loaded
## machine does the same work, only slower. A target that has not finished within FUZZ_CEILING (after its
## instrumented build) is reported as STALL, which does not fail; a crasher always fails (scripts/fuzz).
## The committed corpus also runs as plain tests in go-test.
FUZZ_EXECS   ?= 2000
FUZZ_CEILING ?= 3m
FUZZ_TARGETS := internal/gallery:FuzzParseVersion internal/gallery:FuzzNormalizeRegion \
	internal/gallery:FuzzParseEndOfLife internal/gallery:FuzzParseSourceID internal/vhd:FuzzParseFooter \
	internal/vhd:FuzzDetect emulator:FuzzDecodeFaultRules emulator:FuzzParseOptions emulator/arm:FuzzVersionPut
fuzz:
	@echo "fuzzing $(words $(FUZZ_TARGETS)) targets, $(FUZZ_EXECS) executions each (a cold build cache first compiles every dependency with fuzzing instrumentation: several minutes)..."
	go run ./scripts/fuzz -execs $(FUZZ_EXECS) -ceiling $(FUZZ_CEILING) $(FUZZ_TARGETS)

## fuzz-long: the time-based run, FUZZTIME per target (no ceiling), e.g. `make fuzz-long FUZZTIME=30m`.
FUZZTIME ?= 10m
fuzz-long:
	go run ./scripts/fuzz -fuzztime $(FUZZTIME) $(FUZZ_TARGETS)

## plugin-check: build the plugin binary under its release name and let packer-sdc check that Packer
## would accept it (describe output, API version, components).
plugin-check: build
	go tool packer-sdc plugin-check $(PLUGIN)

## unit: the fast tests only (no packer runs).
unit:
	ACCTEST_SKIP=1 go test ./...

## acceptance: only the real-packer acceptance tests.
acceptance: run-tools $(PACKER194)
	ACCTEST_REQUIRED=1 PACKER_BIN=$(CURDIR)/$(PACKER) PACKER194_BIN=$(CURDIR)/$(PACKER194) go test -count=1 -timeout 20m -v ./internal/acctest/

## reliability: the reliability suite (docs/reliability.md; also part of `test`), then its table of scenarios.
reliability: run-tools
	@mkdir -p .cache && rm -f .cache/reliability.txt
	ACCTEST_REQUIRED=1 PACKER_BIN=$(CURDIR)/$(PACKER) RELIABILITY_TABLE=$(CURDIR)/.cache/reliability.txt \
		go test -count=1 -timeout 20m -parallel 4 ./internal/reliability/ || { cat .cache/reliability.txt 2>/dev/null; exit 1; }
	@cat .cache/reliability.txt

## demo: the main job — build, start Azurite and the emulator, packer build example/, show the inventory.
demo: run-tools
	@echo "compiling the demo, then the plugin and the emulator (about 5 minutes on a cold build cache, seconds when warm)..."
	PACKER_BIN=$(CURDIR)/$(PACKER) go run ./scripts/demo

## tools: Packer 1.16.0 (built from tools/packer), Packer 1.9.4 (tools/packer194), Azurite, goreleaser,
## golangci-lint, built in parallel (make -j; each writes only its own file).
tools:
	@$(MAKE) --no-print-directory -j5 $(PACKER) $(AZURITE) $(PACKER194) $(GORELEASER) $(GOLANGCI_LINT)

# run-tools are what packer runs need: Packer and Azurite (the demo does not need goreleaser).
run-tools: $(PACKER) $(AZURITE)

$(PACKER): tools/packer/go.mod tools/packer/go.sum
	@echo "building Packer 1.16.0 from source (tools/packer) into $@: about 15-20 minutes and 3 GB of Go caches on a cold 2-core machine..."
	$(TOOL_GO) build -C tools/packer -o ../../$(PACKER) github.com/hashicorp/packer
	@touch $@

$(PACKER194): tools/packer194/go.mod tools/packer194/go.sum
	@echo "building Packer 1.9.4 from source (tools/packer194) into $@: about 10-15 minutes on a cold 2-core machine..."
	$(TOOL_GO) build -C tools/packer194 -o ../../$(PACKER194) github.com/hashicorp/packer
	@touch $@

$(AZURITE):
	@echo "installing Azurite $(AZURITE_VERSION) with npm into .tools (about a minute)..."
	mkdir -p .tools
	npm install --prefix .tools --no-audit --no-fund --loglevel=error azurite@$(AZURITE_VERSION)

$(GOLANGCI_LINT): tools/golangci-lint/go.mod tools/golangci-lint/go.sum
	@echo "building golangci-lint 2.15.0 from source (tools/golangci-lint) into $@: about 4 minutes of CPU on a cold cache..."
	$(TOOL_GO) build -C tools/golangci-lint -o ../../$(GOLANGCI_LINT) github.com/golangci/golangci-lint/v2/cmd/golangci-lint
	@touch $@

## lint: golangci-lint with the repository's .golangci.yml (each linter there checks a rule of
## docs/architecture.md: errors.As, checked type assertions, closed bodies, no function over 80 lines...).
## Its cache lives in .cache/golangci-lint.
lint: $(GOLANGCI_LINT)
	GOLANGCI_LINT_CACHE=$(CURDIR)/.cache/golangci-lint $(GOLANGCI_LINT) run ./...

$(GORELEASER): tools/goreleaser/go.mod tools/goreleaser/go.sum
	@echo "building goreleaser 2.15.1 from source (tools/goreleaser) into $@: about 10 minutes on a cold 2-core machine..."
	$(TOOL_GO) build -C tools/goreleaser -o ../../$(GORELEASER) github.com/goreleaser/goreleaser/v2
	@touch $@

## generate: packer-sdc (HCL2 specs and docs partials) through `go generate ./...`.
generate:
	@echo "generating HCL2 specs and docs partials with packer-sdc (compiling packer-sdc takes a few minutes on a cold cache)..."
	mkdir -p .cache/bin $(dir $(GEN_ROOT))
	printf '#!/usr/bin/env sh\nexec go tool packer-sdc "$$@"\n' > .cache/bin/packer-sdc
	chmod +x .cache/bin/packer-sdc
	ln -sfn $(CURDIR) $(GEN_ROOT)
	cd $(GEN_ROOT) && PATH="$(CURDIR)/.cache/bin:$$PATH" go generate ./...

## web-docs: the registry docs in .web-docs/ (renderdocs resolves the partials, then compile.sh lays the
## pages out as .web-docs/README.md and components/<type>/<slug>/README.md, checked against metadata.hcl).
web-docs:
	rm -rf .cache/rendered-docs && mkdir -p .cache
	go tool packer-sdc renderdocs -src docs -partials docs-partials -dst .cache/rendered-docs
	./.web-docs/scripts/compile.sh .cache/rendered-docs .web-docs

## check-generate: fail when generation (specs, partials, .web-docs) changes or adds files.
check-generate: generate
	$(MAKE) --no-print-directory web-docs
	@if [ -n "$$(git status --porcelain -- $(GENERATED))" ]; then \
		echo "generated files are out of date; run 'make generate web-docs' and commit:"; \
		git status --porcelain -- $(GENERATED); exit 1; fi

fmt-check:
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	@echo "go vet ./... (it type-checks every package: several minutes on a cold build cache)..."
	go vet ./...

## goreleaser-check: validate .goreleaser.yml.
goreleaser-check: $(GORELEASER)
	API_VERSION=x5.0 $(GORELEASER) check

## release-snapshot: the full local release in dist/ (no publishing): 12 cross builds for 6 platforms,
## then scripts/check-release checks every archive and binary name with the API version, the emulator,
## README and LICENSE in each archive, SHA256SUMS against the files, `describe` and `--version`.
release-snapshot: $(GORELEASER)
	@echo "cross-compiling the plugin and the emulator for 6 platforms (about 25 minutes on a cold 2-core machine)..."
	api="$$(go run . describe | sed -n 's/.*"api_version":"\([^"]*\)".*/\1/p')"; \
	API_VERSION="$$api" $(GORELEASER) release --snapshot --clean; \
	go run ./scripts/check-release -dist dist -api "$$api"

## release-check: the same release pipeline and checks for this machine's platform only (2 builds instead
## of 12): .goreleaser.yml with goos/goarch narrowed to the host's, written to .cache/goreleaser-host.yml.
## Part of `make test`; goreleaser-check validates the full 6-platform configuration.
release-check: $(GORELEASER)
	@echo "building a release snapshot for this platform only (a few minutes cold: it reuses the dependencies go test compiled, since both use -trimpath and CGO_ENABLED=0; under a minute when warm)..."
	@mkdir -p .cache
	goos="$$(go env GOOS)"; goarch="$$(go env GOARCH)"; \
	sed -e "s/^\(    goos: \)\[linux, darwin, windows\]$$/\1[$$goos]/" -e "s/^\(    goarch: \)\[amd64, arm64\]$$/\1[$$goarch]/" \
		.goreleaser.yml > .cache/goreleaser-host.yml; \
	if [ "$$(grep -c "^    goos: \[$$goos\]$$" .cache/goreleaser-host.yml)" != 2 ]; then \
		echo "release-check: could not narrow .goreleaser.yml's goos/goarch lists to $$goos/$$goarch"; exit 1; fi
	api="$$(go run . describe | sed -n 's/.*"api_version":"\([^"]*\)".*/\1/p')"; \
	API_VERSION="$$api" $(GORELEASER) release --snapshot --clean --config .cache/goreleaser-host.yml; \
	go run ./scripts/check-release -dist dist -api "$$api" -platforms host

clean:
	rm -rf dist $(PLUGIN) .cache

## bench: the whole performance table (docs/performance.md): plugin peak memory during a real packer build,
## upload dense and sparse against an azblob loop and azcopy, publish overhead and requests against fixed
## pollers, 50 parallel auto publishes, the emulator's write cost. Every ratio is against a baseline run in
## the same invocation, rotated, BENCH_ROUNDS (default 3) rounds, min / median / max, with the load average.
## Sizes: BENCH_DENSE_MIB, BENCH_SPARSE_MIB, BENCH_IMPORT_GIB, BENCH_IMPORT_DATA_MIB, BENCH_REPLICATION_S,
## BENCH_FACTORY_REPLICATIONS ("3,20,60" for the long run), BENCH_EMULATOR_RESOURCES. Opt-in columns:
## BENCH_MEMORY_BASELINE=1 (GOMEMLIMIT=off builds), BENCH_UPLOAD_COMPARE=8 (the uploader at 8 writes).
AZCOPY_BIN := .tools/bin/azcopy
BENCH_ENV := AZCOPY=$(CURDIR)/$(AZCOPY_BIN) ACCTEST_REQUIRED=1 PACKER_BIN=$(CURDIR)/$(PACKER)
BENCH_GO  := go test -p 1 -count=1 -timeout 90m -run '^$$' -benchtime 1x
.PHONY: bench
# The publish overhead sleeps through its 60 s replications and the memory builds are measured in MiB,
# not seconds, so those two run side by side (the overhead's three columns still share each round); the
# timed sections (upload, factories, emulator) then run alone.
bench: | $(AZURITE) $(AZCOPY_BIN)
	@test -x $(PACKER) || $(MAKE) --no-print-directory $(PACKER)
	@mkdir -p .cache && rm -f .cache/bench.txt .cache/bench.log .cache/bench-overhead.txt .cache/bench-overhead.log
	@echo "bench: started $$(date -u +%FT%TZ), load $$(cut -d' ' -f1-3 /proc/loadavg), $$(nproc) cores"
	BENCH_TABLE=$(CURDIR)/.cache/bench-overhead.txt $(BENCH_GO) -bench BenchmarkPublishOverhead ./internal/bench/publish/ > .cache/bench-overhead.log 2>&1 & overhead=$$!; \
	BENCH_TABLE=$(CURDIR)/.cache/bench.txt $(BENCH_ENV) $(BENCH_GO) -bench . ./internal/bench/memory/ 2>&1 | tee .cache/bench.log | grep -E '^(ok|FAIL|---|panic)' || true; \
	wait $$overhead || true; cat .cache/bench-overhead.log >> .cache/bench.log; cat .cache/bench-overhead.txt >> .cache/bench.txt || true
	BENCH_TABLE=$(CURDIR)/.cache/bench.txt $(BENCH_ENV) $(BENCH_GO) -bench . ./internal/bench/upload/ 2>&1 | tee -a .cache/bench.log | grep -E '^(ok|FAIL|---|panic)' || true
	BENCH_TABLE=$(CURDIR)/.cache/bench.txt $(BENCH_ENV) $(BENCH_GO) -bench 'BenchmarkAutoFactory|BenchmarkEmulatorWriteCost' ./internal/bench/publish/ 2>&1 | tee -a .cache/bench.log | grep -E '^(ok|FAIL|---|panic)' || true
	BENCH_TABLE=$(CURDIR)/.cache/bench.txt go test -count=1 -run '^$$' -bench BenchmarkPredictorProfiles -benchtime 1x ./internal/gallery/ >> .cache/bench.log 2>&1
	@echo
	@echo "| section | what | measured min / median / max | baseline min / median / max | ratio min / median / max | goal | verdict | rounds | load 1/5/15 min before → after |"
	@echo "|---|---|---|---|---|---|---|---|---|"
	@cat .cache/bench.txt
	@echo "bench: finished $$(date -u +%FT%TZ), load $$(cut -d' ' -f1-3 /proc/loadavg); full log in .cache/bench.log"
	@! grep -qE '^(FAIL|panic)' .cache/bench.log

# azcopy v10.22.2, built from source into .tools/bin for the upload baseline (never committed). bench builds
# its tools when they are missing and never rebuilds them (a rebuild of Packer under load takes minutes).
$(AZCOPY_BIN):
	mkdir -p .tools/azcopy-src
	printf 'module azcopybuild\n\ngo 1.26.0\n\nrequire github.com/Azure/azure-storage-azcopy/v10 v10.22.2\n' > .tools/azcopy-src/go.mod
	cd .tools/azcopy-src && GONOSUMDB=github.com/Azure/azure-storage-azcopy $(TOOL_GO) build -o ../bin/azcopy github.com/Azure/azure-storage-azcopy/v10

## safety: the model-based safety test of issue 10 (internal/safety) with SEQUENCES random sequences
## (default 1000; `make test` runs 100). A failure prints SAFETY_SEED=... to replay it with SEQUENCES=1.
SEQUENCES ?= 1000
.PHONY: safety
safety:
	@mkdir -p .cache; SAFETY_SEQUENCES=$(SEQUENCES) $(if $(SAFETY_SEED),SAFETY_SEED=$(SAFETY_SEED)) \
		go test ./internal/safety -run TestSafetyModel -count=1 -v -timeout 2h > .cache/safety.log 2>&1; rc=$$?; \
		grep -v -e '^=== ' -e '^    --- PASS' .cache/safety.log; exit $$rc
