"""Growing the HNSW index on an update that only adds documents, against rebuilding it.

    python -m bench.hnsw_update --vectors CHUNKS.npy [--query-vectors QUERIES.npy] [--sizes 100k] [--added 1000]

indexing.build_index grows the previous generation's `hnsw` index by the new rows when an update only
adds documents (dense.extend_dense_index), and builds it afresh otherwise. For each size N this builds an
index over N vectors, saves it, and then, side by side on the same N + added vectors, times growing the
saved index (reading it included) against building a new one, and reports recall@10 of both against
exact search. The vectors come as in bench/scale.py: CHUNKS.npy holds real embeddings (scale.py's
--cache file), copied with noise up to N + added; QUERIES.npy holds real query embeddings.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.vectors.faiss_index import build_dense_index, extend_dense_index, search
from bench.scale import make_collection, parse_size, recall_at


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--vectors", type=Path, required=True, help="real document vectors (.npy, unit rows)")
    parser.add_argument("--query-vectors", type=Path, help="real query vectors (.npy, unit rows)")
    parser.add_argument("--sizes", default="100k", help="index sizes before the update, e.g. 100k,300k")
    parser.add_argument("--added", type=int, default=1000, help="vectors the update adds")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=2, help="FAISS (OpenMP) threads for the builds")
    args = parser.parse_args(argv)

    import faiss

    faiss.omp_set_num_threads(args.threads)
    sources = np.ascontiguousarray(np.load(args.vectors), dtype=np.float32)
    claims = np.load(args.query_vectors).astype(np.float32) if args.query_vectors else None
    sizes = sorted(parse_size(s) for s in args.sizes.split(",") if s.strip())
    collection = make_collection(
        sources, claims, max(sizes) + args.added, queries=args.queries, cosine=0.9, noise="data", seed=0
    )
    print(
        f"FAISS {faiss.__version__}, {args.threads} threads for builds; {args.added} vectors added per update"
    )
    print(
        f"{'size':>10} {'rebuild s':>10} {'grow s':>8} {'ratio':>7} {'R@10 rebuilt':>13} {'R@10 grown':>11}"
    )
    for n in sizes:
        before, after = collection.vectors[:n], collection.vectors[: n + args.added]
        queries = collection.queries
        truth = np.argsort(-(queries @ after.T), axis=1, kind="stable")[:, :10]
        with tempfile.TemporaryDirectory(prefix="hnsw-update-") as tmp:
            path = Path(tmp) / "dense.faiss"
            index = build_dense_index(before, "hnsw")
            assert index is not None  # only flat gives None
            faiss.write_index(index, str(path))
            started = time.perf_counter()
            grown = extend_dense_index(path, after)
            grow_s = time.perf_counter() - started
        assert grown is not None and grown.ntotal == len(after)
        started = time.perf_counter()
        rebuilt = build_dense_index(after, "hnsw")
        rebuild_s = time.perf_counter() - started
        faiss.omp_set_num_threads(1)  # searched as vectorstore.FaissStore searches
        recall_rebuilt = recall_at(search(rebuilt, queries, 10)[1], truth, 10)
        recall_grown = recall_at(search(grown, queries, 10)[1], truth, 10)
        faiss.omp_set_num_threads(args.threads)
        print(
            f"{n:>10,} {rebuild_s:>10.1f} {grow_s:>8.2f} {rebuild_s / grow_s:>6.0f}x "
            f"{recall_rebuilt:>13.3f} {recall_grown:>11.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
