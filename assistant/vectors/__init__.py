"""Where the dense side searches: FAISS inside the process (the default) or Milvus; the switch between them.

The stores import the base module, never this one, so there is no cycle; Milvus (and pymilvus) are imported
only when configured.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.storage.generations import IndexReader
from assistant.vectors.base import DEFAULT_COLLECTION, SyncReport, VectorStore, VectorStoreError, check_store

_LOCK_TIMEOUT = 600.0  # seconds a sync waits for a build of the same index to finish

__all__ = ["SyncReport", "VectorStore", "VectorStoreError", "open_vector_store", "sync_index"]


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

    from assistant.vectors.milvus import sync_live_generation  # pymilvus only when Milvus is configured

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
        from assistant.vectors.faiss_store import FaissStore

        return FaissStore(reader)
    from assistant.vectors.milvus import (  # pymilvus only when Milvus is configured
        MilvusStore,
        default_milvus_uri,
    )

    return MilvusStore(uri or default_milvus_uri(reader.path.parent), collection, reader, client=client)
