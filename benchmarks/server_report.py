"""Summarise a benchmarks/server-bench.sh run.

  server_report.py choose RECORDS TARGET MIN_RECALL
      Print the smallest search EF of TARGET's closed-loop sweep whose recall
      reaches MIN_RECALL, and its QPS ("none 0" when no EF does).
  server_report.py table RECORDS PINGS
      Print Markdown tables: the PING ratios (median and range over the
      pairs), the closed-loop sweeps and the open-loop runs.

RECORDS is the JSON Lines file written by `larder bench --jsonl`; PINGS has
one line per redis-benchmark run: server, pipeline depth, requests per
second, pair number.
"""

import json
import statistics
import sys


def read_records(path):
    with open(path) as handle:
        return [json.loads(line) for line in handle if line.strip()]


def sweep(records, target):
    rows = [r for r in records if r["target"] == target and r["phase"] == "search" and r.get("label") == "sweep"]
    return sorted(rows, key=lambda r: r.get("ef", 0))


def choose(records, target, minimum):
    for record in sweep(records, target):
        if record.get("recall", 0) >= minimum:
            return record
    return None


def search_row(record):
    cpu = record.get("server_cpu_ms_per_request")
    return (f"| {record['target']} | {record.get('ef', 'default')} | {record.get('rate', 'closed loop')} | "
            f"{record['qps']:,.0f} | {record['p50_ms']:.2f} | {record['p95_ms']:.2f} | {record['p99_ms']:.2f} | "
            f"{record['p999_ms']:.2f} | {record.get('recall', float('nan')):.4f} | "
            f"{'' if cpu is None else f'{cpu:.3f}'} | {record.get('load_average', float('nan')):.1f} |")


def ping_table(path):
    runs = {}
    with open(path) as handle:
        for line in handle:
            parts = line.split()
            if len(parts) != 4 or parts[2] == "":
                continue
            server, depth, rps, pair = parts[0], int(parts[1]), float(parts[2]), int(parts[3])
            runs.setdefault(depth, {}).setdefault(pair, {})[server] = rps
    lines = ["| redis-benchmark PING -c 50 | pairs | Larder median req/s | redis-server median req/s | "
             "ratio median | ratio min | ratio max |", "|---|---|---|---|---|---|---|"]
    for depth, pairs in sorted(runs.items()):
        complete = [p for p in pairs.values() if "larder" in p and "redis-server" in p and p["redis-server"] > 0]
        if not complete:
            continue
        ratios = [p["larder"] / p["redis-server"] for p in complete]
        lines.append(f"| -P {depth} | {len(complete)} | {statistics.median(p['larder'] for p in complete):,.0f} | "
                     f"{statistics.median(p['redis-server'] for p in complete):,.0f} | "
                     f"{statistics.median(ratios):.2f} | {min(ratios):.2f} | {max(ratios):.2f} |")
    return lines


def table(records, pings):
    print("\n".join(ping_table(pings)))
    print()
    loads = [r for r in records if r["phase"] == "load"]
    if loads:
        print("| load | vectors | pipeline | per second | p50 ms | p99 ms | p99.9 ms | indexed after s | load avg |")
        print("|---|---|---|---|---|---|---|---|---|")
        for record in loads:
            command = "VADD" if record["target"] == "larder" else "HSET"
            print(f"| {record['target']} {command} | {record['requests']:,} | {record['pipeline']} | "
                  f"{record['qps']:,.0f} | {record['p50_ms']:.2f} | {record['p99_ms']:.2f} | "
                  f"{record['p999_ms']:.2f} | {record.get('indexed_seconds', 0):.0f} | "
                  f"{record.get('load_average', float('nan')):.1f} |")
        print()
    header = ("| server | EF | rate QPS | QPS | p50 ms | p95 ms | p99 ms | p99.9 ms | recall@k | "
              "server CPU ms/query | load avg |")
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    for target in ("larder", "redisearch"):
        for record in sweep(records, target):
            print(search_row(record))
    for record in records:
        if record["phase"] == "search" and str(record.get("label", "")).startswith("open-"):
            print(search_row(record))
    for target in ("larder", "redisearch"):
        chosen = choose(records, target, 0.95)
        if chosen:
            print(f"\n{target}: smallest EF with recall >= 0.95 is {chosen['ef']} "
                  f"({chosen['qps']:,.0f} QPS closed loop)")
        else:
            print(f"\n{target}: no swept EF reached recall 0.95")


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "choose":
        record = choose(read_records(sys.argv[2]), sys.argv[3], float(sys.argv[4]))
        print(f"{record['ef']} {record['qps']:.0f}" if record else "none 0")
    elif len(sys.argv) == 4 and sys.argv[1] == "table":
        table(read_records(sys.argv[2]), sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
