# imgcells — common tasks. `make help` lists them.
GO ?= go

.PHONY: help test vet bench build
help:
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

test: ## run the whole test suite (what CI runs after go vet)
	$(GO) test -vet=off -count=1 ./...

vet: ## go vet every package
	$(GO) vet ./...

bench: ## Go benchmarks of the converter core
	$(GO) test -vet=off -run '^$$' -bench . -benchmem ./converter/...

build: ## compile every package and command
	$(GO) build ./...
