#!/usr/bin/env bash
# ANN benchmark: Larder (fp32 and int8) against hnswlib, FAISS IndexHNSWFlat and
# USearch on the same seeded clustered data, same M and efConstruction,
# single-threaded search over an ef sweep. Writes benchmarks/ann/results/,
# the ANN section of docs/benchmarks.md and docs/ann-recall-qps.png.
#
# Settings are environment variables (default in brackets):
#   COUNT [100000]      base vectors
#   DIM [128]           components per vector
#   QUERIES [1000]      held-out queries
#   SEED [2024]         data generator seed
#   M [16]              links per node
#   EF_CONSTRUCTION [200]
#   THREADS [nproc]     build threads
#   EFS [10,20,40,80,120,200,400]  search ef sweep
#   REPEAT [3]          runs of each ef search per library; the fastest (CPU time) is reported
#   LIBRARIES [hnswlib,faiss,usearch]  peers to run
#   QUANTIZATIONS ["none int8 int8-rerank"]  Larder modes to run (fp32, int8 codes only,
#                       int8 traversal with an fp32 re-rank)
#   DATA                a prepared data directory instead of generated clusters, for
#                       example encoder embeddings (benchmarks/ann/embeddings_data.py)
#   VENV [benchmarks/.venv]  Python environment, created and filled by pip when missing
#   SECTION [ann]       docs/benchmarks.md section to replace (<!-- SECTION:begin -->);
#                       the plot goes to docs/SECTION-recall-qps.png (docs/ann-recall-qps.png by default)
# The issue-sized runs are COUNT=1000000 DIM=128 and COUNT=200000 DIM=1024.
set -euo pipefail
cd "$(dirname "$0")/../.."

COUNT=${COUNT:-100000}
DIM=${DIM:-128}
QUERIES=${QUERIES:-1000}
SEED=${SEED:-2024}
M=${M:-16}
EF_CONSTRUCTION=${EF_CONSTRUCTION:-200}
THREADS=${THREADS:-$(nproc)}
EFS=${EFS:-10,20,40,80,120,200,400}
REPEAT=${REPEAT:-3}
LIBRARIES=${LIBRARIES:-hnswlib,faiss,usearch}
QUANTIZATIONS=${QUANTIZATIONS:-none int8 int8-rerank}
VENV=${VENV:-benchmarks/.venv}
SECTION=${SECTION:-ann}

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import numpy, hnswlib, faiss, usearch, matplotlib' 2>/dev/null; then
    # hnswlib may build from source, which needs g++ (Debian: build-essential).
    "$VENV/bin/pip" install --quiet numpy hnswlib faiss-cpu usearch matplotlib
fi

USER_DATA="${DATA:-}"
if [ -n "$USER_DATA" ]; then
    # A prepared directory (benchmarks/ann/embeddings_data.py), used as it is.
    [ -f "$DATA/truth.ibin" ] || { echo "DATA=$DATA has no truth.ibin; see benchmarks/ann/embeddings_data.py" >&2; exit 1; }
    NAME="$(basename "$DATA")"
else
    DATA="benchmarks/ann/data/clustered-${COUNT}x${DIM}-q${QUERIES}-s${SEED}"
    NAME="clustered-${COUNT}x${DIM}"
fi
if [ ! -f "$DATA/truth.ibin" ]; then
    "$VENV/bin/python" benchmarks/ann/generate_data.py --out "$DATA" --count "$COUNT" --dim "$DIM" \
        --queries "$QUERIES" --seed "$SEED"
fi

swift build -c release --product LarderANNBench
BENCH="$(swift build -c release --show-bin-path)/LarderANNBench"

mkdir -p benchmarks/ann/results
RESULTS="benchmarks/ann/results/${NAME}.jsonl"
: > "$RESULTS"
for quantization in $QUANTIZATIONS; do
    "$BENCH" --data "$DATA" --m "$M" --ef-construction "$EF_CONSTRUCTION" --threads "$THREADS" \
        --efs "$EFS" --quantization "$quantization" --repeat "$REPEAT" | tee -a "$RESULTS"
done
"$VENV/bin/python" benchmarks/ann/run_peers.py --data "$DATA" --m "$M" --ef-construction "$EF_CONSTRUCTION" \
    --threads "$THREADS" --efs "$EFS" --libraries "$LIBRARIES" --repeat "$REPEAT" | tee -a "$RESULTS"

SIZE="COUNT=$COUNT DIM=$DIM QUERIES=$QUERIES SEED=$SEED"
if [ -n "$USER_DATA" ]; then SIZE="DATA=$USER_DATA"; fi
COMMAND="SECTION=$SECTION $SIZE M=$M EF_CONSTRUCTION=$EF_CONSTRUCTION THREADS=$THREADS REPEAT=$REPEAT LIBRARIES=$LIBRARIES QUANTIZATIONS=\"$QUANTIZATIONS\" benchmarks/ann/run.sh"
DESCRIPTION="${USER_DATA:+vectors from $USER_DATA (benchmarks/ann/embeddings_data.py: the last rows are the queries, exact top-k by cosine from numpy)}"
"$VENV/bin/python" benchmarks/ann/report.py --results "$RESULTS" --command "$COMMAND" --data-description "$DESCRIPTION" \
    --doc docs/benchmarks.md --plot "docs/${SECTION}-recall-qps.png" --section "$SECTION"
