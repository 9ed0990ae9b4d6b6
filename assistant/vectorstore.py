"""Where the dense side searches: FAISS inside the process (the default), or an external engine (Milvus).

Retrieval needs two things from a vector store: the best rows for a query vector (optionally among the rows a
filter allows) and the similarity of given rows (BM25 candidates to fuse). Rows are those of the open index
generation. This module holds the interface, the FAISS store, and the switch between stores; the Milvus
store and its sync live in milvus.py, imported only when Milvus is configured.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from assistant import dense
from assistant.errors import AssistantError
from assistant.store import IndexReader

STORES = ("faiss", "milvus")
DEFAULT_COLLECTION = "assistant"
# Below this many allowed rows a filtered FAISS search scores the rows directly (exact and cheap).
_DIRECT_LIMIT = 200_000
_LOCK_TIMEOUT = 600.0  # seconds a sync waits for a build of the same index to finish


class VectorStoreError(AssistantError):
    """The configured vector store cannot be used (unknown kind, server unreachable, collection missing)."""

    code = "vector_store_unavailable"
    status = 503


class VectorStore(Protocol):
    """The dense side of retrieval over one index generation; rows are that generation's vector rows."""

    name: str

    def search(
        self, query: np.ndarray, k: int, *, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(rows, scores), best first: min(k, rows in the index) hits, or with a filter min(k, len(allowed))."""
        ...

    def scores(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The query's similarity to each of the given rows."""
        ...


def no_hits() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)


def top_k(rows: np.ndarray, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(-scores, kind="stable")[:k]
    return rows[order].astype(np.int64), np.asarray(scores[order], dtype=np.float32)


def exact_search(
    reader: IndexReader, query: np.ndarray, k: int, allowed: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """The k best rows by scoring every candidate against the generation's own vectors."""
    rows = np.arange(reader.size, dtype=np.int64) if allowed is None else np.asarray(allowed, dtype=np.int64)
    return top_k(rows, np.asarray(reader.vectors[rows] @ query, dtype=np.float32), k)


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


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What a sync sent: chunks upserted, ids deleted, chunks the collection already held."""

    added: int
    removed: int
    unchanged: int

    def summary(self) -> str:
        return f"vector store: {self.added} added, {self.removed} removed, {self.unchanged} unchanged"


def sync_index(
    index_dir: Path, *, store: str, uri: str = "", collection: str = DEFAULT_COLLECTION
) -> SyncReport | None:
    """Sync the configured store with the live generation of index_dir (None for FAISS, which needs none).

    Holds the index's build lock, so a sync never races a build or another sync: whichever runs last
    leaves the collection holding the generation that is live.
    """
    if check_store(store) == "faiss":
        return None
    from filelock import FileLock, Timeout

    from assistant.milvus import sync_live_generation  # pymilvus only when Milvus is configured

    lock = FileLock(str(index_dir / ".lock"))  # the lock build_index holds
    try:
        lock.acquire(timeout=_LOCK_TIMEOUT)
    except Timeout:
        raise VectorStoreError(
            f"the index in {index_dir} is being built; sync again when it has finished"
        ) from None
    try:
        return sync_live_generation(index_dir, uri, collection)
    finally:
        lock.release()


def check_store(kind: str) -> str:
    if kind not in STORES:
        raise VectorStoreError(f"unknown vector store {kind!r}; choose one of {', '.join(STORES)}")
    return kind


def open_vector_store(
    reader: IndexReader,
    *,
    kind: str = "faiss",
    uri: str = "",
    collection: str = DEFAULT_COLLECTION,
    client: Any = None,
) -> VectorStore:
    """The configured store over an open generation: "faiss" (in process) or "milvus" (uri; default Lite)."""
    if check_store(kind) == "faiss":
        return FaissStore(reader)
    from assistant.milvus import MilvusStore, default_milvus_uri  # pymilvus only when Milvus is configured

    return MilvusStore(uri or default_milvus_uri(reader.path.parent), collection, reader, client=client)
