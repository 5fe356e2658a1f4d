#!/usr/bin/env bash
# Pipelined PING throughput of several RESP servers already running on
# loopback, measured in interleaved rounds so that load changes on a shared
# machine hit every server alike. Prints each server's median requests per
# second and its ratio to the last port, round by round.
#
# Usage: benchmarks/ping-compare.sh ROUNDS PORT [PORT...]
#   for example, old build, new build and redis-server:
#   benchmarks/ping-compare.sh 6 17504 17500 17501
# Environment: PIPELINE [16]  CLIENTS [50]  REQUESTS [300000]
# Needs redis-benchmark (Debian package redis-tools).
set -euo pipefail

if (($# < 2)); then
    echo "usage: $0 ROUNDS PORT [PORT...] (ratios are to the last port)" >&2
    exit 2
fi
rounds="$1"
shift
pipeline="${PIPELINE:-16}"
clients="${CLIENTS:-50}"
requests="${REQUESTS:-300000}"
results="$(mktemp)"
trap 'rm -f "$results"' EXIT

for _ in $(seq "$rounds"); do
    for port in "$@"; do
        rate="$(redis-benchmark -p "$port" -t ping_mbulk -n "$requests" -c "$clients" -P "$pipeline" -q 2>/dev/null \
            | tr '\r' '\n' | grep -o 'PING_MBULK: [0-9.]*' | tail -1 | awk '{print $2}')"
        [[ -n "$rate" ]] || { echo "no reply from port $port; is a server running there?" >&2; exit 1; }
        echo "$port $rate" >> "$results"
    done
done

python3 - "$results" "$@" <<'PY'
import collections, statistics, sys
path, ports = sys.argv[1], sys.argv[2:]
rates = collections.defaultdict(list)
for line in open(path):
    port, rate = line.split()
    rates[port].append(float(rate))
reference = rates[ports[-1]]
for port in ports:
    ratios = [a / b for a, b in zip(rates[port], reference)]
    print(f"port {port}: median {statistics.median(rates[port]):,.0f} requests/s; ratio to port {ports[-1]} "
          f"per round {' '.join(f'{r:.2f}' for r in ratios)}, median {statistics.median(ratios):.2f}")
PY
