#!/usr/bin/env bash
# The ablation of Salvador et al. (CVPR 2021) on Larder's data: paired loss
# only; plus the recipe loss on the paired recipes; plus the recipe loss with
# the text-only recipes. All runs share the seed, the held-out split and the
# vocabulary, and reuse one backbone feature cache.
# Usage: benchmarks/training/ablation.sh OUT_DIR [smoke|default] [DATA_DIR]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${1:?usage: ablation.sh OUT_DIR [smoke|default] [DATA_DIR]}"
SIZE="${2:-smoke}"
DATA="${3:-$ROOT/../shared/data}"
LARDER="${LARDER:-$ROOT/.build/release/larder}"
CONFIGS="$ROOT/benchmarks/training/configs"
if [[ "$SIZE" == "smoke" ]]; then prefix="smoke-"; full="smoke"; else prefix=""; full="default"; fi
mkdir -p "$OUT"

for run in "${prefix}ablation-paired-only" "${prefix}ablation-recipe-loss-paired" "$full"; do
    echo "== $run"
    start=$(date +%s)
    "$LARDER" train --data "$DATA" --out "$OUT/$run.safetensors" --config "$CONFIGS/$run.json" \
        --feature-cache "$OUT/features" 2> "$OUT/$run.log"
    echo "wall seconds: $(( $(date +%s) - start ))"
done
