#!/usr/bin/env bash
# Search by photo under concurrent load, with and without dynamic batching.
#
#   benchmarks/photo-search.sh [RECIPES.jsonl] [CLIENTS] [SECONDS]
#
# Starts `larder serve` (release build, bundled model) on a temporary data
# directory, imports the recipes (default: the demo sample), then runs
# benchmarks/photo_search.py with CLIENTS concurrent clients for SECONDS
# seconds twice: once with --encoder-batch 16 and once with --encoder-batch 1
# (no batching). The photos are the demo's bundled photos.
set -euo pipefail
cd "$(dirname "$0")/.."

recipes="${1:-demo/recipes.jsonl}"
clients="${2:-8}"
seconds="${3:-60}"
port="${LARDER_BENCH_PORT:-7398}"
larder=.build/release/larder
bash benchmarks/setup-venv.sh > /dev/null
python=benchmarks/.venv/bin/python3

run() {
    local batch="$1"
    local data
    data="$(mktemp -d -t larder-photo-bench.XXXXXX)"
    "$larder" serve --port "$port" --dir "$data/db" --encoder-batch "$batch" > "$data/log" 2>&1 &
    local pid=$!
    for _ in $(seq 1 200); do
        grep -q "listening" "$data/log" && break
        sleep 0.1
    done
    "$larder" import --port "$port" --key recipes "$recipes" > /dev/null 2>&1
    echo "encoder-batch $batch, $clients clients, $seconds s, $(redis-cli -p "$port" VCARD recipes) recipes:"
    "$python" benchmarks/photo_search.py "$port" recipes "$clients" "$seconds" demo/photos/*.webp
    kill -TERM "$pid"
    wait "$pid" || true
    rm -rf "$data"
}

run 16
run 1
