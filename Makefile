# Everything a developer or CI runs. `make test` is the whole suite (what .ci/run calls); `make demo` runs
# the main job against the offline emulator. Both work on a fresh clone: they fetch and build their tools
# (Packer into bin/, Azurite into .tools/, goreleaser into bin/) once and reuse them.

SHELL          := /usr/bin/env bash
.SHELLFLAGS    := -euo pipefail -c
export GOFLAGS := -mod=mod
export CHECKPOINT_DISABLE := 1

PLUGIN         := packer-plugin-azure-gallery
PACKER         := bin/packer
# The oldest core the plugin supports (gob serialization, discovery through PACKER_PLUGIN_PATH): a smoke test.
PACKER194      := bin/packer-1.9.4
GORELEASER     := bin/goreleaser
AZURITE        := .tools/node_modules/.bin/azurite-blob
AZURITE_VERSION := 3.37.0
# packer-sdc finds the project root by a directory named packer-plugin-*; generate runs through this link.
GEN_ROOT       := .cache/gen/$(PLUGIN)
# Generated files that must be committed.
GENERATED      := '*.hcl2spec.go' docs-partials .web-docs

.PHONY: all build test unit acceptance reliability demo tools run-tools generate check-generate fmt-check vet goreleaser-check \
        web-docs plugin-check release-snapshot fuzz clean

all: build

## build: the plugin binary in the repository root.
build:
	go build -o $(PLUGIN) .

## test: the whole suite — tools, generate drift (specs, partials, .web-docs), gofmt, vet, unit + integration +
## acceptance tests, packer-sdc plugin-check, goreleaser check, release-snapshot (about 2 minutes on a warm
## build cache; the first run cross-compiles every dependency for 6 platforms and takes far longer).
test: tools check-generate fmt-check vet
	@mkdir -p .cache && rm -f .cache/reliability.txt
	ACCTEST_REQUIRED=1 PACKER_BIN=$(CURDIR)/$(PACKER) RELIABILITY_TABLE=$(CURDIR)/.cache/reliability.txt \
		go test -timeout 40m ./... 2>&1 | tee .cache/gotest.log
	@cat .cache/reliability.txt
	go -C emulator/compat vet ./...
	go -C emulator/compat test ./... 2>&1 | tee -a .cache/gotest.log
	$(MAKE) fuzz
	$(MAKE) plugin-check
	$(MAKE) goreleaser-check
	$(MAKE) release-snapshot
	@echo "packages: $$(grep -c '^ok' .cache/gotest.log || true) passed, $$(grep -c '^FAIL' .cache/gotest.log || true) failed"

## fuzz: each fuzz target for FUZZTIME (the committed corpus also runs as plain tests in `go test`).
FUZZTIME ?= 8s
FUZZ_TARGETS := internal/gallery:FuzzParseVersion internal/gallery:FuzzNormalizeRegion \
	internal/gallery:FuzzParseEndOfLife internal/gallery:FuzzParseSourceID internal/vhd:FuzzParseFooter \
	internal/vhd:FuzzDetect emulator:FuzzDecodeFaultRules emulator:FuzzParseOptions emulator/arm:FuzzVersionPut
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		pkg="./$${t%%:*}"; fn="$${t##*:}"; \
		echo "fuzz $$pkg $$fn ($(FUZZTIME))"; \
		go test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) "$$pkg" || exit 1; \
	done

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
	PACKER_BIN=$(CURDIR)/$(PACKER) go run ./scripts/demo

## tools: Packer 1.16.0 (built from tools/packer), Packer 1.9.4 (tools/packer194), Azurite, goreleaser.
tools: run-tools $(PACKER194) $(GORELEASER)

# run-tools are what packer runs need: Packer and Azurite (the demo does not need goreleaser).
run-tools: $(PACKER) $(AZURITE)

$(PACKER): tools/packer/go.mod tools/packer/go.sum
	@echo "building packer from tools/packer (pinned v1.16.0)..."
	go build -C tools/packer -o ../../$(PACKER) github.com/hashicorp/packer
	@touch $@

$(PACKER194): tools/packer194/go.mod tools/packer194/go.sum
	@echo "building packer from tools/packer194 (pinned v1.9.4)..."
	go build -C tools/packer194 -o ../../$(PACKER194) github.com/hashicorp/packer
	@touch $@

$(AZURITE):
	@echo "installing azurite@$(AZURITE_VERSION) into .tools..."
	mkdir -p .tools
	npm install --prefix .tools --no-audit --no-fund --loglevel=error azurite@$(AZURITE_VERSION)

$(GORELEASER): tools/goreleaser/go.mod tools/goreleaser/go.sum
	@echo "building goreleaser from tools/goreleaser (pinned v2.15.1)..."
	go build -C tools/goreleaser -o ../../$(GORELEASER) github.com/goreleaser/goreleaser/v2
	@touch $@

## generate: packer-sdc (HCL2 specs and docs partials) through `go generate ./...`.
generate:
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
	go vet ./...

## goreleaser-check: validate .goreleaser.yml.
goreleaser-check: $(GORELEASER)
	API_VERSION=x5.0 $(GORELEASER) check

## release-snapshot: a local release build in dist/ (no publishing; 12 cross builds), then
## scripts/check-release checks it: archive and binary names with the API version for all 6
## platforms, the emulator in each archive, SHA256SUMS against the files, `describe` and `--version`.
release-snapshot: $(GORELEASER)
	api="$$(go run . describe | sed -n 's/.*"api_version":"\([^"]*\)".*/\1/p')"; \
	API_VERSION="$$api" $(GORELEASER) release --snapshot --clean; \
	go run ./scripts/check-release -dist dist -api "$$api"

clean:
	rm -rf dist $(PLUGIN) .cache

## safety: the model-based safety test of issue 10 (internal/safety) with SEQUENCES random sequences
## (default 1000; `make test` runs 100). A failure prints SAFETY_SEED=... to replay it with SEQUENCES=1.
SEQUENCES ?= 1000
.PHONY: safety
safety:
	@mkdir -p .cache; SAFETY_SEQUENCES=$(SEQUENCES) $(if $(SAFETY_SEED),SAFETY_SEED=$(SAFETY_SEED)) \
		go test ./internal/safety -run TestSafetyModel -count=1 -v -timeout 2h > .cache/safety.log 2>&1; rc=$$?; \
		grep -v -e '^=== ' -e '^    --- PASS' .cache/safety.log; exit $$rc
