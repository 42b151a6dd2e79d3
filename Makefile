# imgcells — common tasks. `make help` lists them.
GO ?= go

.PHONY: help test unit fuzz vet bench build
help:
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

test: unit fuzz ## the whole test suite: every package's tests, then each fuzz target briefly

unit: ## every package's tests (run `go vet ./...` first: -vet=off skips re-vetting dependencies)
	$(GO) test -vet=off -count=1 ./...

# Each target runs for a fixed number of executions (about 10 s each here),
# not a duration: with a duration, Go 1.26's fuzz coordinator can report
# "context deadline exceeded" as a failure when time runs out under load
# (golang/go#75804, fixed in Go 1.27). -fuzzminimizetime bounds the
# shrinking of large image seeds, which would otherwise use up a short run.
FUZZ_PKGS ?= ./contract/... ./converter/...
FUZZ_EXECS ?= 150000
FUZZ_EXECS_SLOW ?= 5000
fuzz: ## run each fuzz target briefly (FUZZ_EXECS executions; FUZZ_EXECS_SLOW for the decoders')
	@for pkg in $$($(GO) list $(FUZZ_PKGS)); do \
	  for f in $$($(GO) test -vet=off -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    case $$f in FuzzConvert|FuzzProgressiveDecodeMatchesDebianBuild) n=$(FUZZ_EXECS_SLOW);; FuzzHandlePath) n=$$(($(FUZZ_EXECS) / 3));; FuzzProfile) n=$$(($(FUZZ_EXECS) / 5));; *) n=$(FUZZ_EXECS);; esac; \
	    echo "fuzz $$pkg $$f ($${n} executions)"; \
	    $(GO) test -vet=off -run '^$$' -fuzz "^$$f$$" -fuzztime $${n}x -fuzzminimizetime 20x $$pkg || exit 1; \
	  done; \
	done

vet: ## go vet every package
	$(GO) vet ./...

# Packages that must build without cgo: what the edge renderer, the stack
# configuration and the purge (and its operator command) need, so none links
# the converter's C libraries.
CGO_FREE ?= ./contract/... ./edge/... ./components/stackconfig/... ./cmd/edgerender ./purge/... ./cmd/imgpurge

.PHONY: check lint tidy-check cgo-free
check: tidy-check cgo-free vet lint ## what .ci/run checks before the tests: tidy, the cgo-free build, vet, golangci-lint, actionlint
	actionlint

tidy-check: ## fail when go mod tidy would change go.mod or go.sum
	$(GO) mod tidy -diff

cgo-free: ## the contract, the edge, the stack configuration and the purge build with CGO_ENABLED=0
	CGO_ENABLED=0 $(GO) build $(CGO_FREE)

lint: ## golangci-lint with .golangci.yml
	golangci-lint run ./...

bench: ## Go benchmarks of the converter core, then the comparison with sharp (bench/run.sh)
	$(GO) test -vet=off -run '^$$' -bench . -benchmem ./converter/...
	sh bench/run.sh

build: ## compile every package and command
	$(GO) build ./...

ARCH ?= arm64
.PHONY: converter
converter: ## build dist/converter-$(ARCH).zip, the converter Lambda (ARCH=amd64 for x86_64; rebuilds only when sources changed)
	$(GO) run ./converter/cmd/buildzip -arch $(ARCH) -out dist/converter-$(ARCH).zip

STACK ?= dev
.PHONY: edge-render
edge-render: ## print the CloudFront Function code Pulumi.$(STACK).yaml deploys (make edge-render STACK=prod)
	@$(GO) run ./cmd/edgerender -stack $(STACK)

.PHONY: local
local: ## run the whole request path on http://localhost:8080 (make local STACK=prod); installs what it needs first (scripts/deps.sh local)
	@scripts/deps.sh local
	@bin="$${IMGCELLS_VERSITYGW:-$$(command -v versitygw || true)}"; \
	if [ -z "$$bin" ]; then \
	  dir="$$($(GO) env GOBIN)"; [ -n "$$dir" ] || dir="$$($(GO) env GOPATH | cut -d: -f1)/bin"; \
	  bin="$$dir/versitygw"; \
	fi; \
	IMGCELLS_VERSITYGW="$$bin" $(GO) run ./local -stack $(STACK) $(ARGS)
