"""Where the dense side searches: FAISS inside the process (the default), or an external engine (Milvus).

Retrieval needs two things from a vector store: the best rows for a query vector (optionally among the rows a
filter allows) and the similarity of given rows (BM25 candidates to fuse). Rows are those of the open index
generation. This module holds the interface and the helpers every store shares; the FAISS store is in
faiss_store.py, the Milvus store in milvus.py, and the switch between them in the package's __init__.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from assistant.errors import AssistantError
from assistant.storage.generations import IndexReader

STORES = ("faiss", "milvus")
DEFAULT_COLLECTION = "assistant"


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


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What a sync sent: chunks upserted, ids deleted, chunks the collection already held."""

    added: int
    removed: int
    unchanged: int

    def summary(self) -> str:
        return f"vector store: {self.added} added, {self.removed} removed, {self.unchanged} unchanged"


def check_store(kind: str) -> str:
    if kind not in STORES:
        raise VectorStoreError(f"unknown vector store {kind!r}; choose one of {', '.join(STORES)}")
    return kind
