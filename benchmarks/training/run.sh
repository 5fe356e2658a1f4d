#!/usr/bin/env bash
# Training throughput: the Swift trainer against PyTorch CPU on the same
# batches, same model sizes and same machine, one after the other.
# Usage: benchmarks/training/run.sh [DATA_DIR] [STEPS]
# Set VENV=/path/to/venv to use an existing Python environment with torch,
# otherwise benchmarks/.venv is created on first use.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATA="${1:-$ROOT/../shared/data}"
STEPS="${2:-12}"
CONFIG="${CONFIG:-$ROOT/benchmarks/training/config.json}"

if [[ -n "${VENV:-}" ]]; then
    PYTHON="$VENV/bin/python"
else
    if [[ ! -x "$ROOT/benchmarks/.venv/bin/python" ]]; then
        python3 -m venv "$ROOT/benchmarks/.venv"
        "$ROOT/benchmarks/.venv/bin/pip" install --quiet numpy
        "$ROOT/benchmarks/.venv/bin/pip" install --quiet torch
    fi
    PYTHON="$ROOT/benchmarks/.venv/bin/python"
fi

cd "$ROOT"
swift build -c release --product larder >/dev/null
BATCHES="$(mktemp -t larder-train-batches.XXXXXX.json)"
trap 'rm -f "$BATCHES"' EXIT

echo "machine: $(nproc) cores, $(uname -m); config: $CONFIG; steps: $STEPS (2 warm-up)"
echo -n "swift:   "
.build/release/larder train --data "$DATA" --config "$CONFIG" --benchmark "$BATCHES" --steps "$STEPS"
echo -n "pytorch: "
"$PYTHON" benchmarks/training/pytorch_train_steps.py "$BATCHES"
