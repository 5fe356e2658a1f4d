#!/usr/bin/env bash
# Parameter sweep behind the trade-off table in docs/hnsw.md: Larder alone,
# single-threaded build and search, for several M and efConstruction values
# and for int8 traversal. Prints JSON lines (see larder-ann-bench).
#   COUNT [20000] DIM [128] QUERIES [500] SEED [2024]; VENV as in run.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."

COUNT=${COUNT:-20000}
DIM=${DIM:-128}
QUERIES=${QUERIES:-500}
SEED=${SEED:-2024}
VENV=${VENV:-benchmarks/.venv}

DATA="benchmarks/ann/data/clustered-${COUNT}x${DIM}-q${QUERIES}-s${SEED}"
if [ ! -f "$DATA/truth.ibin" ]; then
    if [ ! -x "$VENV/bin/python" ]; then
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install --quiet numpy
    fi
    "$VENV/bin/python" benchmarks/ann/generate_data.py --out "$DATA" --count "$COUNT" --dim "$DIM" \
        --queries "$QUERIES" --seed "$SEED"
fi
swift build -c release --product LarderANNBench
BENCH="$(swift build -c release --show-bin-path)/LarderANNBench"

for setting in "16 200" "8 200" "32 200" "16 100" "16 400"; do
    read -r m ef_construction <<< "$setting"
    "$BENCH" --data "$DATA" --m "$m" --ef-construction "$ef_construction" --threads 1 --efs 20,40,100,200
done
"$BENCH" --data "$DATA" --threads 1 --efs 20,40,100,200 --quantization int8
