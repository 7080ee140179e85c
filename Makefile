# journey — the two commands a new machine needs are `make demo` and `make test`.
SWIFT ?= swift
PREFIX ?= /usr/local
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
VERSION := $(shell sed -n 's/.*version: "\([0-9.]*\)".*/\1/p' Sources/JourneyCLI/JourneyCommand.swift)
ARCH := $(shell uname -m)
MULTIARCH := $(shell gcc -print-multiarch 2>/dev/null || echo $(ARCH)-linux-gnu)

.PHONY: deps build release dist install demo test bench lint clean

## Debian packages `make test`, `make demo` and `make dist` need: the C libraries with their
## static archives (libgit2's own dependencies included), python3 and openssl for the tests'
## servers, and the CA bundle HTTPS steps trust. Installs only what is missing; then the
## pre-commit framework (PyPI) that the framework tests drive.
DEB_PACKAGES := pkg-config libsodium-dev libgit2-dev libmbedtls-dev libssh2-1-dev libssl-dev \
	libhttp-parser-dev libpcre2-dev zlib1g-dev libstdc++-12-dev openssl ca-certificates
deps:
	@missing="$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done; \
		command -v python3 >/dev/null || echo python3)"; \
	if [ -n "$$missing" ]; then \
		echo "Installing with apt-get:" $$missing; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@command -v pre-commit >/dev/null 2>&1 || { echo "Installing pre-commit (PyPI) for the framework tests…"; python3 -m pip install --quiet pre-commit; }

## The one link recipe for a self-contained `journey`: the Swift runtime and Foundation
## (--static-swift-stdlib, plus the Foundation parts our objects do not autolink), libstdc++,
## libsodium, libgit2 and libgit2's own dependencies (mbedTLS, libssh2 with OpenSSL's libcrypto,
## http-parser, PCRE2, zlib) from Debian's static archives; glibc (libc, libm, libgcc_s) stays
## dynamic. SwiftPM reads the system libraries' link flags from pkg-config files: ours, in
## STATIC_DIR/pkgconfig, point at a folder holding only the archives, so `-lgit2` finds
## `libgit2.a`, and they name libgit2's dependencies after it. Kerberos has no static archive in
## Debian: scripts/static/gssapi-unavailable.c stands in for the GSSAPI calls libgit2.a makes
## (Negotiate HTTP auth, which journey never offers); scripts/static/lazy-ca-certificates.c defers
## the CA bundle libgit2's init parses to its first TLS session (half of a staged scan's work).
STATIC_ARCHIVES := sodium git2 mbedtls mbedx509 mbedcrypto ssh2 crypto http_parser pcre2-8 z stdc++
STATIC_DIR := $(CURDIR)/.build/static-archives
STATIC_SHIMS := gssapi-unavailable lazy-ca-certificates
STATIC_LINK := --static-swift-stdlib \
	$(foreach symbol,git_libgit2_init mbedtls_x509_crt_parse_file mbedtls_ssl_conf_ca_chain mbedtls_ssl_setup,-Xlinker --wrap=$(symbol)) \
	$(foreach lib,CoreFoundation _FoundationICU _FoundationCollections _FoundationCShims stdc++,-Xlinker -l$(lib))
STATIC_ENV := PKG_CONFIG_PATH=$(STATIC_DIR)/pkgconfig
RELEASE := .build/release/journey

$(STATIC_DIR): Makefile $(STATIC_SHIMS:%=scripts/static/%.c) | deps
	@mkdir -p $@/pkgconfig
	@for lib in $(STATIC_ARCHIVES); do \
		archive="$$(gcc -print-file-name=lib$$lib.a)"; \
		[ -f "$$archive" ] || archive=/usr/lib/$(MULTIARCH)/lib$$lib.a; \
		[ -f "$$archive" ] || { echo "missing lib$$lib.a (make deps installs it)"; exit 1; }; \
		ln -sf "$$archive" $@/lib$$lib.a; \
	done
	@for shim in $(STATIC_SHIMS); do cc -O2 -fPIC -c scripts/static/$$shim.c -o $@/$$shim.o || exit 1; done
	@rm -f $@/libjourney_static_shims.a && ar rcs $@/libjourney_static_shims.a $(STATIC_SHIMS:%=$@/%.o)
	@printf 'Name: libgit2\nDescription: libgit2 and its dependencies, static\nVersion: 1\nCflags: %s\nLibs: -L%s -lgit2 -ljourney_static_shims -lgit2 -lmbedtls -lmbedx509 -lmbedcrypto -lhttp_parser -lssh2 -lcrypto -lpcre2-8 -lz -lrt -ldl\n' \
		"$$(pkg-config --cflags --keep-system-cflags libgit2)" "$@" >$@/pkgconfig/libgit2.pc
	@printf 'Name: libsodium\nDescription: libsodium, static\nVersion: 1\nCflags: %s\nLibs: -L%s -lsodium\n' \
		"$$(pkg-config --cflags --keep-system-cflags libsodium)" "$@" >$@/pkgconfig/libsodium.pc
	@touch $@
	@# gdb's gcore: the core-dump test reads a core of journey exec.
	@command -v gcore >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq gdb; }
	@# The Admin page's browser tests: headless Chromium, its driver, Selenium.
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium chromium-driver; }
	@python3 -c 'import selenium' 2>/dev/null || python3 -m pip install -q selenium

build: deps
	$(SWIFT) build --product journey

## The release build every user of a release binary takes (demo, bench, dist, install).
release: deps $(STATIC_DIR)
	$(STATIC_ENV) $(SWIFT) build -c release --product journey $(STATIC_LINK)

## Walks through the example workspace with the release binary (in a scratch copy).
demo: release
	JOURNEY=$(CURDIR)/$(RELEASE) bash scripts/demo.sh

## Builds everything and runs the whole test suite. The CLI tests run the debug `journey`;
## the self-contained test runs a debug build linked with the release recipe's static flags
## (a debug compile in its own folder: a release build would cost minutes more on 2 cores).
test: deps $(STATIC_DIR)
	@# The statically linked copy builds in a scratch folder of its own: objects compiled for
	@# the static link autolink archives a dynamic link cannot find, and SwiftPM would mix the
	@# two kinds in one folder.
	$(SWIFT) build --build-tests
	$(STATIC_ENV) $(SWIFT) build --scratch-path .build/self-contained-build --product journey $(STATIC_LINK)
	@mkdir -p .build/self-contained && cp .build/self-contained-build/debug/journey .build/self-contained/journey
	JOURNEY_SELF_CONTAINED_BINARY=$(CURDIR)/.build/self-contained/journey $(SWIFT) test
	python3 Tests/Browser/admin_ui_test.py

## Release build (journey and journey-bench, the same recipe), then every benchmark; figures
## are printed, never asserted.
bench: deps $(STATIC_DIR)
	$(STATIC_ENV) $(SWIFT) build -c release $(STATIC_LINK)
	bash Benchmarks/run.sh

## dist/journey-VERSION-linux-ARCH.tar.gz: the binary, its licences, and a SHA-256 file.
DIST_NAME := journey-$(VERSION)-linux-$(ARCH)
dist: release
	bash scripts/self-contained-check.sh $(RELEASE)
	bash scripts/dist.sh $(RELEASE) dist/$(DIST_NAME)

## Installs the release binary as PREFIX/bin/journey (default /usr/local).
install: release
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(RELEASE) $(DESTDIR)$(PREFIX)/bin/journey

## Checks the code against the checked-in .swift-format.
lint:
	$(SWIFT) format lint --strict -r Sources Tests Benchmarks Package.swift

clean:
	rm -rf .build dist
