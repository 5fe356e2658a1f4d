"""Turn encoder embeddings into an ANN benchmark data directory.

Reads one JSON array per line (the output of `larder encode --recipes FILE`),
keeps the last QUERIES rows as held-out queries and the rest as the base,
and writes base.fbin, queries.fbin and truth.ibin (exact top-k by cosine) in
the layout of generate_data.py, so benchmarks/ann/run.sh can run on them:

  larder encode --recipes recipes.jsonl > embeddings.jsonl
  python3 benchmarks/ann/embeddings_data.py --embeddings embeddings.jsonl --out DIR
  DATA=DIR SECTION=ann-recipes benchmarks/ann/run.sh
"""

import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate_data import ground_truth, write_matrix  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embeddings", required=True, help="JSON lines, one vector per line")
    parser.add_argument("--out", required=True, help="output directory")
    parser.add_argument("--queries", type=int, default=1_000, help="rows from the end used as queries")
    parser.add_argument("--k", type=int, default=100, help="ground-truth neighbours per query")
    args = parser.parse_args()

    with open(args.embeddings) as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    matrix = np.asarray(rows, dtype=np.float32)
    if matrix.ndim != 2 or len(matrix) <= args.queries:
        sys.exit(f"{args.embeddings}: need more than {args.queries} vectors of one length, got shape {matrix.shape}")
    base, queries = matrix[:-args.queries], matrix[-args.queries:]
    os.makedirs(args.out, exist_ok=True)
    write_matrix(os.path.join(args.out, "base.fbin"), base)
    write_matrix(os.path.join(args.out, "queries.fbin"), queries)
    write_matrix(os.path.join(args.out, "truth.ibin"), ground_truth(base, queries, args.k))
    print(f"{len(base)} x {base.shape[1]} base, {len(queries)} queries -> {args.out}")


if __name__ == "__main__":
    main()
