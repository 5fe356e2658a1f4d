"""Run hnswlib, FAISS (IndexHNSWFlat) and USearch on the benchmark data.

Every library gets the same M and efConstruction, builds with `--threads`
threads and searches single-threaded for each ef. The reported QPS comes
from one batch call over all queries on one thread, so no Python per-call
overhead is counted; `qps_cpu_per_call` also records a loop of one-query
calls, which includes that overhead.
Vectors are L2-normalised first and searched by inner product, which ranks
exactly as cosine. Prints one JSON object per line, like larder-ann-bench.
"""

import argparse
import json
import os
import sys
import time

import numpy as np


def read_matrix(path, dtype):
    with open(path, "rb") as handle:
        rows, columns = np.fromfile(handle, dtype="<u4", count=2)
        return np.fromfile(handle, dtype=dtype, count=int(rows) * int(columns)).reshape(int(rows), int(columns))


def resident_bytes():
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def emit(record):
    print(json.dumps(record, sort_keys=True), flush=True)


def recall(found, truth, k):
    hits = sum(len(set(row[:k]) & set(expected[:k])) for row, expected in zip(found, truth))
    return hits / (len(truth) * k)


def timed_build(name, build, rows, args):
    before = resident_bytes()
    started = time.perf_counter()
    cpu_started = time.process_time()
    index = build()
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    emit({"library": name, "kind": "build", "rows": rows, "m": args.m, "ef_construction": args.ef_construction,
          "threads": args.threads, "build_seconds": seconds, "build_cpu_seconds": cpu_seconds,
          "rss_bytes_per_vector": (resident_bytes() - before) / rows})
    return index


def sweep(name, search_one, search_batch, queries, truth, args):
    for ef in args.efs:
        # One query per call: includes the Python binding overhead of each call.
        found = []
        cpu_started = time.thread_time()
        for query in queries:
            found.append(search_one(query, ef))
        per_call_cpu_seconds = time.thread_time() - cpu_started
        # One batch call on one thread: the library's own search loop only.
        # The fastest of --repeat runs, as larder-ann-bench reports.
        cpu_seconds = seconds = float("inf")
        for _ in range(args.repeat):
            started = time.perf_counter()
            cpu_started = time.process_time()
            labels = search_batch(ef)
            cpu_seconds = min(cpu_seconds, time.process_time() - cpu_started)
            seconds = min(seconds, time.perf_counter() - started)
        emit({"library": name, "kind": "search", "ef": ef, "recall": recall(labels, truth, args.k),
              "recall_per_call": recall(found, truth, args.k), "qps": len(queries) / seconds,
              "qps_cpu": len(queries) / cpu_seconds, "qps_cpu_per_call": len(queries) / per_call_cpu_seconds})


def run_hnswlib(base, queries, truth, args):
    import hnswlib

    def build():
        index = hnswlib.Index(space="ip", dim=base.shape[1])
        index.init_index(max_elements=len(base), M=args.m, ef_construction=args.ef_construction, random_seed=42)
        index.set_num_threads(args.threads)
        index.add_items(base, np.arange(len(base)))
        return index

    index = timed_build("hnswlib", build, len(base), args)
    index.set_num_threads(1)

    def search_one(query, ef):
        index.set_ef(max(ef, args.k))
        labels, _ = index.knn_query(query[None, :], k=args.k)
        return labels[0]

    def search_batch(ef):
        index.set_ef(max(ef, args.k))
        labels, _ = index.knn_query(queries, k=args.k, num_threads=1)
        return labels

    sweep("hnswlib", search_one, search_batch, queries, truth, args)


def run_faiss(base, queries, truth, args):
    import faiss

    def build():
        faiss.omp_set_num_threads(args.threads)
        index = faiss.IndexHNSWFlat(base.shape[1], args.m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = args.ef_construction
        index.add(base)
        return index

    index = timed_build("faiss-hnsw", build, len(base), args)
    faiss.omp_set_num_threads(1)

    def search_one(query, ef):
        index.hnsw.efSearch = max(ef, args.k)
        _, labels = index.search(query[None, :], args.k)
        return labels[0]

    def search_batch(ef):
        index.hnsw.efSearch = max(ef, args.k)
        _, labels = index.search(queries, args.k)
        return labels

    sweep("faiss-hnsw", search_one, search_batch, queries, truth, args)


def run_usearch(base, queries, truth, args):
    from usearch.index import Index

    def build():
        index = Index(ndim=base.shape[1], metric="ip", dtype="f32", connectivity=args.m,
                      expansion_add=args.ef_construction)
        index.add(np.arange(len(base)), base, threads=args.threads)
        return index

    index = timed_build("usearch", build, len(base), args)

    def search_one(query, ef):
        index.expansion_search = max(ef, args.k)
        return index.search(query, args.k, threads=1).keys

    def search_batch(ef):
        index.expansion_search = max(ef, args.k)
        return index.search(queries, args.k, threads=1).keys

    sweep("usearch", search_one, search_batch, queries, truth, args)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", required=True)
    parser.add_argument("--m", type=int, default=16)
    parser.add_argument("--ef-construction", type=int, default=200)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--efs", default="10,20,40,80,120,200,400")
    parser.add_argument("--libraries", default="hnswlib,faiss,usearch")
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each batch search; the fastest is reported")
    args = parser.parse_args()
    args.efs = [int(value) for value in args.efs.split(",")]

    base = read_matrix(os.path.join(args.data, "base.fbin"), "<f4")
    queries = read_matrix(os.path.join(args.data, "queries.fbin"), "<f4")
    truth = read_matrix(os.path.join(args.data, "truth.ibin"), "<i4")
    base = np.ascontiguousarray(base / np.linalg.norm(base, axis=1, keepdims=True), dtype=np.float32)
    queries = np.ascontiguousarray(queries / np.linalg.norm(queries, axis=1, keepdims=True), dtype=np.float32)

    runners = {"hnswlib": run_hnswlib, "faiss": run_faiss, "usearch": run_usearch}
    for name in args.libraries.split(","):
        if name not in runners:
            sys.exit(f"unknown library {name}; choose from {', '.join(runners)}")
        runners[name](base, queries, truth, args)


if __name__ == "__main__":
    main()
