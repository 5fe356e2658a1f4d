"""Search-by-photo load: CLIENTS threads each send `VSIM KEY IMAGE <photo> COUNT 10`
for SECONDS seconds with photos taken in turn from the given files, then print
QPS, latency percentiles and the server's per-stage means from INFO encoder.

Usage: photo_search.py PORT KEY CLIENTS SECONDS PHOTO...
"""
import sys
import threading
import time

import redis


def percentile(sorted_values, fraction):
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, int(fraction * len(sorted_values)))
    return sorted_values[index]


def main():
    port, key, clients, seconds = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    photos = [open(path, "rb").read() for path in sys.argv[5:]]
    latencies = []
    errors = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(number):
        connection = redis.Redis(port=port)
        local = []
        index = number
        while time.monotonic() < deadline:
            photo = photos[index % len(photos)]
            index += 1
            start = time.monotonic()
            try:
                connection.execute_command("VSIM", key, "IMAGE", photo, "COUNT", 10)
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
    elapsed = time.monotonic() - started

    info = redis.Redis(port=port).info("encoder")
    latencies.sort()
    print(f"requests {len(latencies)} errors {len(errors)} seconds {elapsed:.1f} "
          f"qps {len(latencies) / elapsed:.2f} "
          f"p50_ms {1000 * percentile(latencies, 0.5):.0f} p99_ms {1000 * percentile(latencies, 0.99):.0f} "
          f"decode_ms {info['decode_usec_per_request'] / 1000:.1f} "
          f"encode_ms {info['encode_usec_per_request'] / 1000:.1f} "
          f"search_ms {info['search_usec_per_request'] / 1000:.2f} "
          f"mean_batch {info.get('image_mean_batch', 0)}")
    if errors:
        print("first error:", errors[0])


if __name__ == "__main__":
    main()
