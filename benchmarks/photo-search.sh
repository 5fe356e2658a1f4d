#!/usr/bin/env bash
# Search by photo and by recipe under concurrent load, with and without
# dynamic batching in the encoder worker.
#
#   benchmarks/photo-search.sh [RECIPES.jsonl] [CLIENTS] [SECONDS]
#
# BATCHES lists the encoder batch sizes to compare (default "16 1"; 1 means
# no batching), set as both --encoder-batch and --image-batch. First it
# imports the first IMPORT_SAMPLE recipes (default 2000) into a fresh
# directory once per batch size, to time recipe encoding with and without
# batching. Then, for each batch size, it starts `larder serve` (release
# build, bundled model) on the data directory LARDER_BENCH_DIR (default: a
# new temporary one) and imports the recipes. An import skips recipes
# already present, so a kept directory is imported once. Then it runs
# benchmarks/photo_search.py with CLIENTS clients for SECONDS seconds, once
# with photo queries and once with recipe queries. Photos and query recipes
# come from ../shared/data/pairs.jsonl when it exists (the first QUERIES
# pairs, default 64), else from the demo sample. ENCODER_THREADS (default 1)
# sets --encoder-threads; LARDER_BIN picks another larder binary.
set -euo pipefail
cd "$(dirname "$0")/.."

recipes="${1:-demo/recipes.jsonl}"
clients="${2:-8}"
seconds="${3:-60}"
batches="${BATCHES:-16 1}"
queries="${QUERIES:-64}"
encoder_threads="${ENCODER_THREADS:-1}"
port="${LARDER_BENCH_PORT:-7398}"
larder="${LARDER_BIN:-.build/release/larder}"
bash benchmarks/setup-venv.sh > /dev/null
python=benchmarks/.venv/bin/python3

work="$(mktemp -d -t larder-photo-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
data="${LARDER_BENCH_DIR:-$work/db}"

shared=../shared/data
if [[ -f "$shared/pairs.jsonl" ]]; then
    head -n "$queries" "$shared/pairs.jsonl" > "$work/query-recipes.jsonl"
    mapfile -t photos < <("$python" -c '
import json, os, sys
for line in open(sys.argv[1]):
    print(os.path.join(sys.argv[2], json.loads(line)["image"]))' "$work/query-recipes.jsonl" "$shared")
else
    "$python" -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))))' \
        demo/query-recipe.json > "$work/query-recipes.jsonl"
    photos=(demo/photos/*)
fi

fail() {
    echo "$1 failed; import log and server log follow" >&2
    tail -n 5 "$work/import.log" "$work/log" >&2
    exit 1
}

# Starts `larder serve` on data directory $1 with batch size $2 and waits
# until it listens; sets pid.
start_server() {
    "$larder" serve --port "$port" --dir "$1" --encoder-batch "$2" --image-batch "$2" \
        --encoder-threads "$encoder_threads" > "$work/log" 2>&1 &
    pid=$!
    for _ in $(seq 1 600); do
        grep -q "listening" "$work/log" && return 0
        sleep 0.1
    done
    fail "starting larder serve"
}

echo "machine: $(nproc) cores, load average $(cut -d ' ' -f 1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC')"

# Recipe batching on its own: import the first IMPORT_SAMPLE recipes into a
# fresh directory once per batch size (import uses 16 connections).
head -n "${IMPORT_SAMPLE:-2000}" "$recipes" > "$work/sample.jsonl"
for batch in $batches; do
    rm -rf "$work/sample-db"
    start_server "$work/sample-db" "$batch"
    "$larder" import --port "$port" --key sample "$work/sample.jsonl" 2> "$work/import.log" > /dev/null \
        || fail "import of the sample"
    mean=$(redis-cli -p "$port" INFO encoder | tr -d '\r' | sed -n 's/^recipe_mean_batch://p')
    echo "import sample, encoder-batch $batch: $(tail -n 1 "$work/import.log" | sed 's/^larder import: //'), mean batch $mean"
    kill -TERM "$pid"
    wait "$pid" || true
done
for batch in $batches; do
    start_server "$data" "$batch"
    start=$(date +%s)
    "$larder" import --port "$port" --key recipes "$recipes" 2> "$work/import.log" > /dev/null \
        || fail "import of $recipes"
    echo "encoder-batch $batch: import $(tail -n 1 "$work/import.log" | sed 's/^larder import: //') ($(( $(date +%s) - start )) s)"
    echo "  $(redis-cli -p "$port" VCARD recipes) recipes, $clients clients, $seconds s per kind," \
        "load average $(cut -d ' ' -f 1 /proc/loadavg)"
    echo "  $("$python" benchmarks/photo_search.py --port "$port" --key recipes --clients "$clients" \
        --seconds "$seconds" --photos "${photos[@]}")"
    echo "  $("$python" benchmarks/photo_search.py --port "$port" --key recipes --clients "$clients" \
        --seconds "$seconds" --recipes "$work/query-recipes.jsonl")"
    kill -TERM "$pid"
    wait "$pid" || true
done
