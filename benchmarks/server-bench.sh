#!/usr/bin/env bash
# Server benchmark: redis-benchmark PING against Larder and against
# redis-server (the protocol-overhead anchor), then `larder bench` (VADD and
# VSIM throughput, latency percentiles and recall@k against TRUTH).
#
# Usage: benchmarks/server-bench.sh [COUNT] [CONNECTIONS] [PIPELINE] [K] [EF]
# Defaults: 100000 vectors, 32 connections, pipeline 1, k 10, server-default EF.
# Needs a release build (swift build -c release) and redis-server, redis-benchmark
# (Debian packages redis-server and redis-tools). Only loopback ports are used.
set -euo pipefail
cd "$(dirname "$0")/.."

count="${1:-100000}"
connections="${2:-32}"
pipeline="${3:-1}"
k="${4:-10}"
ef="${5:-}"
larder=".build/release/larder"
larder_port=7399
redis_port=7398
data="$(mktemp -d)"

cleanup() {
    redis-cli -p "$larder_port" SHUTDOWN >/dev/null 2>&1 || true
    redis-cli -p "$redis_port" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
    rm -rf "$data"
}
trap cleanup EXIT

echo "# machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "# date: $(date -u +%Y-%m-%dT%H:%MZ)"

"$larder" serve --dir "$data/larder" --port "$larder_port" --slowlog-micros 1000000000 2>"$data/larder.log" &
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$data" >/dev/null &
for _ in $(seq 50); do
    redis-cli -p "$larder_port" PING >/dev/null 2>&1 && redis-cli -p "$redis_port" PING >/dev/null 2>&1 && break
    sleep 0.2
done

for target in "larder $larder_port" "redis-server $redis_port"; do
    set -- $target
    for depth in 1 16; do
        rps=$(redis-benchmark -p "$2" -t ping_mbulk -n 200000 -c 50 -P "$depth" -q 2>/dev/null \
              | tr '\r' '\n' | grep -o 'PING_MBULK: [0-9.]* requests per second' | tail -1)
        echo "redis-benchmark PING -c 50 -P $depth against $1: $rps"
    done
done

ef_option=()
[[ -n "$ef" ]] && ef_option=(--ef "$ef")
"$larder" bench --port "$larder_port" --count "$count" --connections "$connections" --pipeline "$pipeline" \
    --k "$k" --requests 20000 --recall-queries 200 "${ef_option[@]}"
