# imgcells — common tasks. `make help` lists them.
GO ?= go

.PHONY: help test unit fuzz vet bench build
help:
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

test: unit fuzz ## the whole test suite: every package's tests, then each fuzz target briefly

unit: ## every package's tests (run `go vet ./...` first: -vet=off skips re-vetting dependencies)
	$(GO) test -vet=off -count=1 ./...

FUZZTIME ?= 10s
FUZZ_PKGS ?= ./converter/...
fuzz: ## run each fuzz target for FUZZTIME, seeded from its corpus and testdata
	@for pkg in $$($(GO) list $(FUZZ_PKGS)); do \
	  for f in $$($(GO) test -vet=off -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$f ($(FUZZTIME))"; \
	    $(GO) test -vet=off -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

vet: ## go vet every package
	$(GO) vet ./...

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
VERSITYGW ?= github.com/versity/versitygw/cmd/versitygw@v1.8.0
local: ## run the whole request path locally on http://localhost:8080 (make local STACK=prod); first installs versitygw, its S3 server, if missing
	@bin="$${IMGCELLS_VERSITYGW:-$$(command -v versitygw)}"; \
	if [ -z "$$bin" ]; then \
	  dir="$$($(GO) env GOBIN)"; [ -n "$$dir" ] || dir="$$($(GO) env GOPATH | cut -d: -f1)/bin"; \
	  bin="$$dir/versitygw"; \
	  if [ ! -x "$$bin" ]; then \
	    echo "installing versitygw, the S3 server the local stack runs (once; about 4 minutes): $(GO) install $(VERSITYGW)"; \
	    $(GO) install $(VERSITYGW) || exit 1; \
	  fi; \
	fi; \
	IMGCELLS_VERSITYGW="$$bin" $(GO) run ./local -stack $(STACK)
