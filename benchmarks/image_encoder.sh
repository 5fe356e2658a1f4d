#!/usr/bin/env bash
# Image encoding benchmark: EfficientNet-Lite forward passes in Larder
# (`larder bench-image`) and in PyTorch on the CPU, same weights, same
# machine, alternating in one run. Prints one JSON line per measurement.
#
#   benchmarks/image_encoder.sh [iterations]       (default 5)
#
# Needs a release build (swift build -c release) and the weights
# (scripts/fetch-backbone.sh lite0 lite2). PyTorch comes from benchmarks/.venv,
# created on first use, or from VENV=/path/to/venv when set. Preprocessing is
# excluded on both sides: the input is a random [batch, 3, crop, crop] tensor.
set -euo pipefail
cd "$(dirname "$0")/.."
iterations="${1:-5}"

venv="${VENV:-benchmarks/.venv}"
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet torch
fi

for variant in lite0 lite2; do
    weights=$(scripts/fetch-backbone.sh "$variant")
    for batch in 1 32; do
        .build/release/larder bench-image --backbone "efficientnet-$variant" --batch "$batch" --iterations "$iterations"
        "$venv/bin/python" benchmarks/image_encoder_torch.py --backbone "efficientnet-$variant" --weights "$weights" \
            --batch "$batch" --iterations "$iterations"
    done
done
