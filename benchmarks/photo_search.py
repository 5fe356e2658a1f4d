"""Query load through the encoder. CLIENTS threads each send `VSIM KEY IMAGE <photo> COUNT 10`
(or `VSIM KEY RECIPE <json> COUNT 10`) for SECONDS seconds, taking queries in turn.
The script then prints QPS, latency percentiles, and the server's per-stage means over
this run only, from the INFO encoder counters read before and after.

Usage:
  photo_search.py --port P --key K --clients N --seconds S --photos FILE...
  photo_search.py --port P --key K --clients N --seconds S --recipes FILE.jsonl [--limit N]
"""
import argparse
import threading
import time

import redis


def percentile(sorted_values, fraction):
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, int(fraction * len(sorted_values)))
    return sorted_values[index]


def load_queries(arguments):
    if arguments.photos:
        return "IMAGE", [open(path, "rb").read() for path in arguments.photos]
    with open(arguments.recipes, "rb") as handle:
        lines = [line.strip() for line in handle if line.strip()]
    return "RECIPE", lines[: arguments.limit]


def run_clients(port, key, kind, queries, clients, seconds):
    latencies = []
    errors = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(number):
        connection = redis.Redis(port=port)
        local = []
        index = number
        while time.monotonic() < deadline:
            query = queries[index % len(queries)]
            index += clients
            start = time.monotonic()
            try:
                connection.execute_command("VSIM", key, kind, query, "COUNT", 10)
            except redis.RedisError as error:
                with lock:
                    errors.append(str(error))
                continue
            local.append(time.monotonic() - start)
        with lock:
            latencies.extend(local)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(latencies), errors, time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--photos", nargs="+", metavar="FILE")
    source.add_argument("--recipes", metavar="FILE.jsonl")
    parser.add_argument("--limit", type=int, default=200, help="recipe queries read from --recipes")
    arguments = parser.parse_args()

    kind, queries = load_queries(arguments)
    info = redis.Redis(port=arguments.port)
    before = info.info("encoder")
    latencies, errors, elapsed = run_clients(arguments.port, arguments.key, kind, queries,
                                             arguments.clients, arguments.seconds)
    after = info.info("encoder")

    def delta(field):
        return after.get(field, 0) - before.get(field, 0)

    encoded = max(1, delta("encoded_requests"))
    searches = max(1, delta("searches"))
    prefix = "image" if kind == "IMAGE" else "recipe"
    batches = max(1, delta(f"{prefix}_batches"))
    print(f"kind {kind.lower()} queries {len(queries)} requests {len(latencies)} errors {len(errors)} "
          f"seconds {elapsed:.1f} qps {len(latencies) / elapsed:.2f} "
          f"p50_ms {1000 * percentile(latencies, 0.5):.1f} p99_ms {1000 * percentile(latencies, 0.99):.1f} "
          f"decode_ms {delta('decode_usec') / encoded / 1000:.2f} "
          f"encode_ms {delta('encode_usec') / encoded / 1000:.1f} "
          f"search_ms {delta('search_usec') / searches / 1000:.2f} "
          f"mean_batch {delta('encoded_requests') / batches:.2f}")
    if errors:
        print("first error:", errors[0])


if __name__ == "__main__":
    main()
