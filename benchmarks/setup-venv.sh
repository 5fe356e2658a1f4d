#!/usr/bin/env bash
# Creates benchmarks/.venv with the Python packages the server tests and
# benchmarks use (redis-py). VENV=/path/to/existing/venv skips the download
# and links that environment instead.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
target="$here/.venv"

if [[ -n "${VENV:-}" ]]; then
    echo "using existing virtual environment $VENV"
    ln -sfn "$VENV" "$target"
    exit 0
fi
if [[ ! -x "$target/bin/python3" ]]; then
    echo "creating $target"
    python3 -m venv "$target"
fi
"$target/bin/pip" install --quiet "redis>=5"
echo "ready: $target/bin/python3"
