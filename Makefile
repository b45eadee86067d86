# Switchboard — `make run` serves the demo configuration, `make test` runs every test.
SHELL := /bin/bash
SWIFT ?= swift
CONFIG ?= $(if $(wildcard switchboard.json),switchboard.json,switchboard.example.json)
DEBIAN_PACKAGES := libcurl4-openssl-dev libphonenumber-dev pkg-config
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps deps-postgres build release release-bin-path run test test-browser deps-browser test-openapi deps-openapi lint fmt bench bench-contacts bench-retention deps-bench clean
.PHONY: test-container deps-container test-kubernetes deps-kubernetes test-core-example

all: build

## deps: install the Debian packages the build needs (only those missing)
deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

## build: debug build; fails on any warning in our own sources
build: deps
	@set -o pipefail; $(SWIFT) build 2>&1 | tee .build-log.txt
	@! grep -E "^$(CURDIR)/(Sources|Tests)/.*warning:" .build-log.txt

## release: the binary as the container image builds it (Docker/Dockerfile's `swift build` line, which
## scripts/container-check.sh builds and starts in `make test`): the Swift runtime linked in statically, by lld, with
## the relative relocations packed (DT_RELR, glibc 2.36), no symbol exported, each function in its own section so
## that unused ones are dropped, and the functions that run at start first (Docker/link-order.txt, written by
## scripts/link-order.sh). An idle gateway with 10,000 agents: about 43 MB resident instead of 57 (README "Measured").
SHIPPED := -c release --static-swift-stdlib -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs \
	-Xlinker --no-export-dynamic -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections \
	-Xcc -fdata-sections -Xlinker --symbol-ordering-file=Docker/link-order.txt -Xlinker --no-warn-symbol-ordering
release: deps
	$(SWIFT) build $(SHIPPED) --product switchboard

release-bin-path:
	@$(SWIFT) build $(SHIPPED) --show-bin-path

## run: build and serve the demo configuration on the embedded SQLite store and router
run: build
	$(SWIFT) run switchboard serve --config $(CONFIG)

## test: every test (Swift Testing); warnings in our sources fail the run. The PostgreSQL store and the
## several-instance tests use a throwaway PostgreSQL server on 127.0.0.1:54329 (scripts/postgres-server.sh), or the
## server named by SWITCHBOARD_TEST_POSTGRES_URL.
## Suites that measure real time (in-flight work at SIGTERM, kills mid-load, curl timeouts, a 5 MiB upload's
## duration, database outages, a WAL checkpoint racing a writer) run after the rest, on their own, one at a time: with the whole suite at once on two
## cores they would measure the load, not the gateway. What is logic rather than timing (send spacing, alert timers, retries) runs on a manual clock instead.
TIMED_SUITES := GracefulShutdownTests|WALRestartTests|CrashRecoveryTests|ReloadUnderLoadTests|RemoteCoreCrashTests|ClusterCrashTests|CurlFailureTests|CurlLargeBodyTests|PostgresStoreTests
test: deps deps-postgres lint
	@set -o pipefail; $(SWIFT) build --build-tests 2>&1 | tee .build-log.txt
	@! grep -E "^$(CURDIR)/(Sources|Tests)/.*warning:" .build-log.txt
	export SWITCHBOARD_TEST_POSTGRES_URL=$${SWITCHBOARD_TEST_POSTGRES_URL:-$$(scripts/postgres-server.sh start)}; \
		$(SWIFT) test --skip-build --skip '$(TIMED_SUITES)' && \
		$(SWIFT) test --skip-build --no-parallel --filter '$(TIMED_SUITES)'
	$(MAKE) test-browser
	$(MAKE) test-openapi
	$(MAKE) test-core-example
	$(MAKE) test-kubernetes
	$(MAKE) test-container

## deps-postgres: PostgreSQL 15 (Debian's package) for the tests
deps-postgres:
	@dpkg -s postgresql-15 >/dev/null 2>&1 || { echo "installing: postgresql-15"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql-15; }

## test-browser: the agent console in headless Chromium against the built gateway (pytest + Selenium, Tests/Browser)
BROWSER_PACKAGES := chromium chromium-driver python3-venv
VENV := .venv
test-browser: deps-browser
	$(SWIFT) build --build-tests
	PYTHONDONTWRITEBYTECODE=1 timeout 600 $(VENV)/bin/pytest -p no:cacheprovider -q Tests/Browser

deps-browser:
	@missing=""; for p in $(BROWSER_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@$(VENV)/bin/python -c 'import pytest, selenium' 2>/dev/null || { [ -x $(VENV)/bin/python ] || python3 -m venv $(VENV); \
		$(VENV)/bin/pip install -q -r Tests/Browser/requirements.txt; }

## test-kubernetes: Docker/kubernetes/ offline: strict Kubernetes JSON schemas (kubernetes-validate, from PyPI, ships
## them), selectors/probes/user, and the Secret's configuration through `switchboard check-config`
test-kubernetes: deps-kubernetes
	scripts/kubernetes-check.sh

deps-kubernetes:
	@[ -x $(VENV)/bin/kubernetes-validate ] || { [ -x $(VENV)/bin/pip ] || python3 -m venv $(VENV); \
		$(VENV)/bin/pip install -q -r Tests/Container/requirements.txt; }

## test-container: Docker/Dockerfile's runtime stage without a Docker daemon: a debootstrap root with the stage's
## packages (cached in .build-container/; CI starts fresh), the release binary built as the Dockerfile builds it,
## `serve` in a chroot as the image's user until /healthz answers (scripts/container-check.sh)
CONTAINER_PACKAGES := debootstrap
test-container: deps-container
	scripts/container-check.sh

deps-container:
	@missing=""; for p in $(CONTAINER_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
## test-openapi: validate Sources/Server/OpenAPI/openapi.json and fuzz the built gateway's /v1 with Schemathesis
## (scripts/openapi-check.sh; bounded in examples and time)
test-openapi: deps-openapi
	$(SWIFT) build --build-tests
	PYTHONDONTWRITEBYTECODE=1 VENV=$(VENV) scripts/openapi-check.sh

## test-core-example: the example core of README "Putting Switchboard in front of your core" against the built
## gateway in remote mode (scripts/core-example-check.sh)
test-core-example: deps-openapi
	$(SWIFT) build --build-tests
	@[ -n "$$($(VENV)/bin/pip show standardwebhooks 2>/dev/null)" ] || $(VENV)/bin/pip install -q -r examples/core/requirements.txt
	PYTHONDONTWRITEBYTECODE=1 VENV=$(VENV) scripts/core-example-check.sh

deps-openapi:
	@dpkg -s python3-venv >/dev/null 2>&1 || { echo "installing: python3-venv"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-venv; }
	@[ -x $(VENV)/bin/schemathesis ] || { [ -x $(VENV)/bin/python ] || python3 -m venv $(VENV); \
		$(VENV)/bin/pip install -q -r Tests/OpenAPI/requirements.txt; }

## lint: swift-format with the committed configuration
lint:
	swift-format lint --strict -r Sources Tests Package.swift

fmt:
	swift-format format -i -r Sources Tests Package.swift

## bench: release build (linked as the image's binary: SHIPPED), then every benchmark (loopback only, each bounded
## in time, about 11 minutes) and one table: figure, ceiling measured in the same run, ratio, target. Not part of
## `make test`.
## bench-contacts: the contacts line alone (SWITCHBOARD_BENCH_CONTACTS=10000000 for 10 million contacts).
## bench-retention: ingest while the retention sweep deletes about a million rows (SQLite), alone.
BENCH_PACKAGES := wrk kannel kannel-extras
BENCH = "$$($(SWIFT) build $(SHIPPED) --show-bin-path)/SwitchboardBench"
bench: deps deps-bench deps-postgres
	$(SWIFT) build $(SHIPPED) --product SwitchboardBench
	ulimit -n 65536 2>/dev/null || ulimit -n $$(ulimit -Hn); \
	SWITCHBOARD_BENCH_POSTGRES_URL=$$(SWITCHBOARD_PG_PORT=54330 SWITCHBOARD_PG_DURABLE=1 scripts/postgres-server.sh start) \
		$(BENCH) all

bench-contacts: deps deps-bench
	$(SWIFT) build $(SHIPPED) --product SwitchboardBench
	$(BENCH) contacts

bench-retention: deps deps-bench
	$(SWIFT) build $(SHIPPED) --product SwitchboardBench
	$(BENCH) retention

deps-bench:
	@missing=""; for p in $(BENCH_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

clean:
	rm -rf .build .build-log.txt
	@! grep -q "$(CURDIR)/.build-container/" /proc/mounts || { echo ".build-container/ has mounts; not removing it"; exit 1; }
	rm -rf .build-container
