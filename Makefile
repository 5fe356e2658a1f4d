# Larder's two entry points: `make demo` and `make test`. Both install the
# Debian packages they need first (scripts/install-deps.sh).

SWIFT ?= swift
# Release builds for tests too: the numeric tests (HNSW recall, encoders)
# are far too slow unoptimised. -enable-testing keeps @testable imports working.
TEST_FLAGS = -c release -Xswiftc -enable-testing

.PHONY: deps build demo test clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release

demo: build
	@bash scripts/demo.sh

test: deps
	$(SWIFT) build $(TEST_FLAGS) --build-tests
	$(SWIFT) test $(TEST_FLAGS) --skip-build

clean:
	rm -rf .build
