"""Generate the seeded clustered data set of the ANN benchmark.

Model: `clusters` centres are drawn from N(0, I_d). Each point picks a
centre with probability proportional to the weight 1/sqrt(rank + 1), so
cluster sizes differ as in real embeddings, and adds Gaussian noise with
standard deviation `spread` per component. Queries are fresh draws from the
same mixture, never members of the base set. The metric is cosine, so the
ground truth is the top-k inner product of L2-normalised vectors.

Files (little-endian, the .fbin/.ibin layout of big-ann-benchmarks):
  base.fbin, queries.fbin: uint32 rows, uint32 dim, then rows*dim float32
  truth.ibin:              uint32 rows, uint32 k,   then rows*k int32 base row ids
"""

import argparse
import os
import sys
import time

import numpy as np


def write_matrix(path, matrix):
    with open(path, "wb") as handle:
        np.array(matrix.shape, dtype="<u4").tofile(handle)
        matrix.astype(matrix.dtype.newbyteorder("<")).tofile(handle)


def mixture(rng, centres, weights, count, spread, chunk=100_000):
    parts = []
    for start in range(0, count, chunk):
        rows = min(chunk, count - start)
        labels = rng.choice(len(centres), size=rows, p=weights)
        noise = rng.standard_normal((rows, centres.shape[1]), dtype=np.float32) * spread
        parts.append(centres[labels] + noise)
    return np.concatenate(parts).astype(np.float32)


def normalise(matrix):
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


def ground_truth(base, queries, k, chunk=4096):
    unit_base = normalise(base)
    unit_queries = normalise(queries)
    truth = np.empty((len(queries), k), dtype=np.int32)
    for start in range(0, len(queries), 256):
        scores = np.full((min(256, len(queries) - start), k), -np.inf, dtype=np.float32)
        ids = np.zeros(scores.shape, dtype=np.int64)
        block = unit_queries[start:start + 256]
        for base_start in range(0, len(base), chunk * 16):
            part = block @ unit_base[base_start:base_start + chunk * 16].T
            top = np.argpartition(-part, k - 1, axis=1)[:, :k]
            top_scores = np.take_along_axis(part, top, axis=1)
            merged_scores = np.concatenate([scores, top_scores], axis=1)
            merged_ids = np.concatenate([ids, top + base_start], axis=1)
            order = np.argsort(-merged_scores, axis=1)[:, :k]
            scores = np.take_along_axis(merged_scores, order, axis=1)
            ids = np.take_along_axis(merged_ids, order, axis=1)
        truth[start:start + len(block)] = ids
    return truth


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="output directory")
    parser.add_argument("--count", type=int, default=100_000, help="base vectors")
    parser.add_argument("--dim", type=int, default=128, help="components per vector")
    parser.add_argument("--queries", type=int, default=1_000, help="query vectors")
    parser.add_argument("--clusters", type=int, default=0, help="mixture components (default count/1000, at least 10)")
    parser.add_argument("--spread", type=float, default=0.6, help="per-component noise standard deviation")
    parser.add_argument("--k", type=int, default=10, help="ground-truth neighbours per query")
    parser.add_argument("--seed", type=int, default=2024, help="seed of the PCG64 generator")
    args = parser.parse_args()

    started = time.time()
    rng = np.random.Generator(np.random.PCG64(args.seed))
    clusters = args.clusters or max(10, args.count // 1000)
    centres = rng.standard_normal((clusters, args.dim), dtype=np.float32)
    weights = 1.0 / np.sqrt(np.arange(1, clusters + 1))
    weights /= weights.sum()

    base = mixture(rng, centres, weights, args.count, args.spread)
    queries = mixture(rng, centres, weights, args.queries, args.spread)
    truth = ground_truth(base, queries, args.k)

    os.makedirs(args.out, exist_ok=True)
    write_matrix(os.path.join(args.out, "base.fbin"), base)
    write_matrix(os.path.join(args.out, "queries.fbin"), queries)
    write_matrix(os.path.join(args.out, "truth.ibin"), truth)
    print(f"generated {args.count} x {args.dim} base, {args.queries} queries, {clusters} clusters "
          f"in {time.time() - started:.1f} s -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
