#!/usr/bin/env bash
# Recipe encoder speed: Larder (Swift, OpenBLAS) against PyTorch CPU on the
# same paper-size weights (512 hidden, 4 heads, 2 layers, FFN 2048, output
# 1024, the paper's 16,303-word vocabulary) and the same real recipes, at
# batch 1 and batch 32, in the same run. Tokenization is excluded on both sides.
# Usage: benchmarks/recipe-encoder.sh [RECIPE_COUNT]   (VENV=/path/to/venv to reuse a Python environment)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/tools/python-env.sh"
DATA="$ROOT/../shared/data"
COUNT="${1:-320}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

swift build -c release --product larder --package-path "$ROOT" >/dev/null
head -n "$COUNT" "$DATA/pairs.jsonl" > "$WORK/recipes.jsonl"
"$PYTHON" "$ROOT/benchmarks/recipe_encoder_torch.py" make-model --vocab "$DATA/paper-vocab.txt" --out "$WORK/model.safetensors"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(date -u +%Y-%m-%dT%H:%MZ)"
for batch in 1 32; do
    echo "batch $batch"
    echo -n "  larder:  "
    "$ROOT/.build/release/larder" encode --recipes "$WORK/recipes.jsonl" --model "$WORK/model.safetensors" \
        --batch-size "$batch" --timing 2>&1 >/dev/null
    echo -n "  pytorch: "
    "$PYTHON" "$ROOT/benchmarks/recipe_encoder_torch.py" run --model "$WORK/model.safetensors" \
        --recipes "$WORK/recipes.jsonl" --batch-size "$batch"
done
