# journey — the two commands a new machine needs are `make demo` and `make test`.
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build demo test bench lint clean

## Installs libsodium, libgit2 and pkg-config with apt-get when pkg-config cannot find them.
deps:
	@if ! pkg-config --exists libsodium libgit2 2>/dev/null; then \
		echo "Installing libsodium-dev libgit2-dev pkg-config with apt-get…"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq libsodium-dev libgit2-dev pkg-config; \
	fi
	@# The Admin page's browser tests: headless Chromium, its driver, Selenium.
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium chromium-driver; }
	@python3 -c 'import selenium' 2>/dev/null || python3 -m pip install -q selenium

build: deps
	$(SWIFT) build --product journey

## Builds, then walks through the example workspace (in a scratch copy; the repo is untouched).
demo: build
	bash scripts/demo.sh

## Builds everything and runs the whole test suite.
test: deps
	$(SWIFT) build
	$(SWIFT) test
	python3 Tests/Browser/admin_ui_test.py

## Release build, then every benchmark; figures are printed, never asserted.
bench: deps
	$(SWIFT) build -c release
	bash Benchmarks/run.sh

## Checks the code against the checked-in .swift-format.
lint:
	$(SWIFT) format lint --strict -r Sources Tests Benchmarks Package.swift

clean:
	rm -rf .build
