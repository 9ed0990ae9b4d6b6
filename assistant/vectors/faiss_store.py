"""The default vector store: the FAISS index the reader loaded, searched inside the process."""

from __future__ import annotations

import numpy as np

from assistant.storage.generations import IndexReader
from assistant.vectors import faiss_index as dense
from assistant.vectors.base import exact_search, no_hits, top_k

# Below this many allowed rows a filtered FAISS search scores the rows directly (exact and cheap).
_DIRECT_LIMIT = 200_000


class FaissStore:
    """The in-process FAISS index that the reader loaded: exact for small filters, FAISS for the rest."""

    name = "faiss"

    def __init__(self, reader: IndexReader) -> None:
        self.reader = reader
        _ = reader.dense  # load it now: a damaged dense.faiss is reported when the index opens

    def scores(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return np.asarray(self.reader.vectors[rows] @ query, dtype=np.float32)

    def search(
        self, query: np.ndarray, k: int, *, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        reader = self.reader
        if reader.size == 0 or k <= 0 or (allowed is not None and len(allowed) == 0):
            return no_hits()
        if allowed is not None and len(allowed) <= _DIRECT_LIMIT:
            return top_k(allowed, self.scores(query, allowed), k)
        import faiss  # slow import, but the reader has loaded the index already

        # One query is too small a job to share between threads, and OpenMP workers that spin-wait for a
        # core another process holds made a 0.4 ms search take ~50 ms on a busy 2-core machine. OpenMP
        # keeps this setting per thread, so other threads (an index build) still use every core.
        faiss.omp_set_num_threads(1)
        want = min(k, reader.size if allowed is None else len(allowed))
        # dense.search widens HNSW's efSearch to k: past it FAISS returns k rows but misses many of the best
        scores, idx = dense.search(reader.dense, query[None, :], want, allowed=allowed)
        keep = idx[0] >= 0
        rows, found = idx[0][keep].astype(np.int64), np.asarray(scores[0][keep], dtype=np.float32)
        if allowed is not None and len(rows) < want:
            # An approximate (HNSW) index can run out of candidates under a selective filter.
            return exact_search(reader, query, k, allowed)
        return rows, found
