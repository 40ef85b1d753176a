# Letter to Myself — the two commands that matter: `make run` and `make test`.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

GO      ?= go
BIN     := $(CURDIR)/bin
DATA    := $(CURDIR)/.data
# Every module in go.work, as package patterns (apps/*, tools).
MODULES  = $(shell $(GO) list -m -f '{{.Dir}}/...')

DAPR_VERSION := 1.18.1
# One system boot at a time on this machine (fixed ports): the e2e suite and the system benchmark.
E2E_LOCK     := /tmp/ltm-e2e.lock
DAPRD_SRC    := tools/daprd/go.mod tools/daprd/go.sum $(wildcard tools/daprd/*.go)

# The local mail server: SMTP for the smtp binding, a web inbox for people.
MAILPIT_FLAGS := --smtp 127.0.0.1:1025 --listen 127.0.0.1:8025 --database $(DATA)/mailpit/mailpit.db \
                 --disable-version-check --smtp-disable-rdns

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

.PHONY: run
run: tools infra daprd mailpit ## run the whole system locally (Ctrl-C stops everything)
	@mkdir -p $(DATA)/mailpit
	@echo "mail inbox: http://127.0.0.1:8025"
	@APP_API_TOKEN="$$($(BIN)/devenv secret -f $(DATA)/secrets.json app-api-token)" \
		DAPR_API_TOKEN="$$($(BIN)/devenv secret -f $(DATA)/secrets.json dapr-api-token)" \
		$(BIN)/launcher -f . -data $(DATA) -extra "mailpit=$(BIN)/mailpit $(MAILPIT_FLAGS)"

.PHONY: test
test: tools services daprd browser ## every test: vet, unit and store tests, end-to-end with real sidecars and Chromium, the fault suite (short), k8s manifests
	$(GO) vet $(MODULES)
	$(GO) test -race -count=1 $(MODULES)
	@# Fuzz every decoder and validator briefly (seed corpus in the tests; docs/security.md).
	$(GO) test -run '^$$' -fuzz '^FuzzText$$' -fuzztime 10s ./apps/platform/fields
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeJSON$$' -fuzztime 10s ./apps/platform/httpx
	$(GO) test -run '^$$' -fuzz '^FuzzStripPNG$$' -fuzztime 10s ./apps/letter-storage/internal/image
	$(GO) test -run '^$$' -fuzz '^FuzzStripWebP$$' -fuzztime 10s ./apps/letter-storage/internal/image
	$(GO) test -run '^$$' -fuzz '^FuzzStripLocation$$' -fuzztime 10s ./apps/letter-storage/internal/image
	$(GO) test -count=1 -tags e2e -timeout 30m -v ./tools/e2e/...
	@# The fault suite's short form (docs/faults.md): kills, SMTP, RabbitMQ and Postgres under load.
	$(GO) test -count=1 -tags 'e2e chaos' -timeout 20m -v -run '^TestChaos$$' ./tools/e2e/
	tools/scripts/check-k8s.sh

.PHONY: chaos
chaos: tools services daprd ## the fault-injection suite in full: every app and sidecar killed under load, SMTP, RabbitMQ, Postgres down; table in .data/chaos/latest.md
	CHAOS=full flock $(E2E_LOCK) $(GO) test -count=1 -tags 'e2e chaos' -timeout 90m -v -run '^TestChaos$$' ./tools/e2e/

.PHONY: bench
bench: tools services daprd ## benchmarks: Go micro-benchmarks, then the system against the bare Dapr floor (quick, < 5 min)
	$(GO) test -run '^$$' -bench . -benchmem $(MODULES)
	flock $(E2E_LOCK) $(GO) run ./tools/bench

.PHONY: bench-full
bench-full: tools services daprd ## the system benchmark in full (P3 with 10,000 letters); table and .data/bench/latest.json
	flock $(E2E_LOCK) $(GO) run ./tools/bench -full

.PHONY: tools
tools: ## build the launcher and devenv into bin/
	@mkdir -p $(BIN)
	@$(GO) build -o $(BIN)/ ./tools/launcher ./tools/devenv

.PHONY: services
services: tools ## make sure Postgres and RabbitMQ answer (start or install them if needed)
	@$(BIN)/devenv infra

.PHONY: infra
infra: services ## services + one database and role per app + generated local secrets
	@$(BIN)/devenv databases
	@$(BIN)/devenv secrets -o $(DATA)/secrets.json

.PHONY: browser
browser: tools ## Chromium (apt, when missing) and the pinned axe-core (npm ci) for the browser tests
	@$(BIN)/devenv browser
	@npm ci --prefix tools/e2e/browser --ignore-scripts --no-audit --no-fund --loglevel=error

.PHONY: daprd
daprd: $(BIN)/daprd ## build daprd $(DAPR_VERSION) from source (cached)

$(BIN)/daprd: $(DAPRD_SRC)
	@echo "building daprd $(DAPR_VERSION) from source (first time: a few minutes)"
	@mkdir -p $(BIN)
	cd tools/daprd && CGO_ENABLED=0 GOWORK=off $(GO) build -tags stablecomponents -trimpath \
		-ldflags "-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=$(DAPR_VERSION)" -o $(BIN)/daprd .
	@$(BIN)/daprd --version

.PHONY: mailpit
mailpit: ## build the local mail server with its web inbox (cached)
	@tools/scripts/mailpit.sh

.PHONY: images
images: ## build every app image without Docker (OCI layouts in .data/oci) and inspect each
	cd tools/k8scheck && GOWORK=off $(GO) run ./cmd/images -root $(CURDIR) -out $(DATA)/oci
	cd tools/k8scheck && GOWORK=off LTM_IMAGES=$(DATA)/oci $(GO) test -count=1 -run 'TestBaseLayer|TestImages' ./cmd/images

.PHONY: fmt
fmt: ## gofmt every Go file
	gofmt -w apps tools

.PHONY: clean
clean: ## remove build output and local state (.data: databases stay in Postgres)
	rm -rf $(BIN) $(DATA)
