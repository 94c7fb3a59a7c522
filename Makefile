# Suivi: the two commands are `make run` and `make test`.
GO       ?= go
VERSION  ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)

.PHONY: run test test-faults bench build vet fmt migrate docker fuzz

# The sandbox keeps its own database, apart from any real deployment's.
SANDBOX_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/suivi_sandbox?sslmode=disable

## run: start Suivi with TELEGRAM_BOT_TOKEN; without it, the sandbox (a built-in fake Telegram and a web page, its own database, no Redis needed)
run:
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ]; then \
		exec $(GO) run -ldflags "$(LDFLAGS)" ./cmd/suivi serve; \
	else \
		scripts/services.sh postgres || exit 1; \
		echo "no TELEGRAM_BOT_TOKEN: starting the sandbox on database suivi_sandbox"; \
		SUIVI_SANDBOX=1 DATABASE_URL="$(SANDBOX_DATABASE_URL)" exec $(GO) run -ldflags "$(LDFLAGS)" ./cmd/suivi serve; \
	fi

## test: vet, then every test against PostgreSQL and Redis on localhost
test: vet
	$(GO) test -count=1 -timeout 30m ./...

## test-faults: three replicas through outages (a replica killed, PostgreSQL restarted, Redis stopped and hung, Telegram failing); about 17 minutes
test-faults:
	$(GO) test -count=1 -tags faults -run '^TestFault' -timeout 45m -v ./replicas/

## bench: the benchmark figures, one `name: value unit` line each (a failed benchmark prints its output and fails)
FIGURE := ^[a-zA-Z0-9][a-zA-Z0-9 %_()/-]*: [0-9.]+
bench:
	@out=$$($(GO) test -run '^$$' -bench EngineStep -count 1 ./flows/ 2>&1) || { echo "$$out"; echo "engine benchmark failed"; exit 1; }; \
		echo "$$out" | grep -E '$(FIGURE)'
	@out=$$($(GO) test -run '^$$' -bench . -benchtime 1x -count 1 -p 1 -timeout 30m ./bench/ ./scheduler/ 2>&1) || { echo "$$out"; echo "benchmarks failed"; exit 1; }; \
		echo "$$out" | grep -E '$(FIGURE)'

## build: a static binary in ./bin
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/suivi ./cmd/suivi

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1)

fmt:
	gofmt -w $$(git ls-files '*.go')

migrate:
	$(GO) run ./cmd/suivi migrate

## fuzz: a short run of each fuzz target (FUZZTIME each; their seed corpora run in `make test`)
FUZZTIME ?= 15s
FUZZ_TARGETS := flows:FuzzParseNumber flows:FuzzParseDate flows:FuzzStep flows:FuzzDefinition \
	bot:FuzzUpdate enrol:FuzzReadCSV tgmsg:FuzzCallbackData
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t#*:}; echo "fuzz $$name ($$pkg, $(FUZZTIME))"; \
		out=$$($(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) ./$$pkg/ 2>&1) || { echo "$$out"; exit 1; }; \
		echo "$$out" | tail -n 2; \
	done

docker:
	docker build -t suivi:$(VERSION) .
