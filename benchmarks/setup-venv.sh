#!/usr/bin/env bash
# Creates benchmarks/.venv with the Python packages the server tests and
# benchmarks use (redis-py). VENV=/path/to/existing/venv skips the download
# and makes benchmarks/.venv/bin/python3 a wrapper that runs that environment's interpreter.
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
"$target/bin/pip" install --quiet "redis>=5"
echo "ready: $target/bin/python3"
