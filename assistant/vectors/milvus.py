"""The Milvus vector store: a collection holding a generation's vectors, keyed by stable chunk id.

Milvus keys its vectors by the stable chunk id instead of the row, so an index update only sends the new
chunks and deletes the removed ids; `sync_milvus` brings a collection to exactly one generation's chunks.
A server (http://host:19530) or Milvus Lite (a path ending in .db) behind the same calls; see
docs/vector-stores.md. Imported only when the milvus store is configured: it pulls in pymilvus.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import numpy as np

from assistant.storage.generations import IndexReader, PreviousGeneration, current_generation, read_manifest
from assistant.vectors import faiss_index as dense
from assistant.vectors.base import SyncReport, VectorStoreError, exact_search, no_hits, top_k

# With no URI, Milvus Lite keeps its files beside the index generations (a build never removes them).
LITE_FILE = "milvus.db"
# Milvus answers at most this many hits per search (its topk limit).
_MAX_TOPK = 16_384
# Allowed sets up to this size go to Milvus as one `id in [...]` filter; larger ones are searched deeper.
_ID_FILTER_LIMIT = 16_384
# The collection property naming the generation the collection holds ("" while a sync is under way).
_GENERATION_KEY = "assistant.generation"
_UPSERT_BYTES = 4 << 20  # per upsert request, well under gRPC's message limits
_HNSW = {"M": 32, "efConstruction": 64}  # as the FAISS HNSW kinds are built (dense.py)
_HNSW_EF = dense.EF_SEARCH["hnsw"]  # the search depth FAISS uses for the same graph

logger = logging.getLogger(__name__)


class IdMap:
    """Stable chunk ids <-> rows of one generation."""

    def __init__(self, ids_of_row: np.ndarray) -> None:
        self.ids_of_row = np.asarray(ids_of_row, dtype=np.int64)
        self._order = np.argsort(self.ids_of_row, kind="stable")
        self._sorted = self.ids_of_row[self._order]

    @classmethod
    def of(cls, reader: Any) -> IdMap:
        """From the reader's `ids_of_row`, or read from its chunk table."""
        ids = getattr(reader, "ids_of_row", None)
        return cls(ids if ids is not None else read_chunk_ids(Path(reader.path)))

    def rows(self, ids: np.ndarray) -> np.ndarray:
        """The row of each id; -1 for ids this generation does not hold."""
        ids = np.asarray(ids, dtype=np.int64)
        if len(self._sorted) == 0:
            return np.full(len(ids), -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self._sorted, ids), len(self._sorted) - 1)
        return np.where(self._sorted[pos] == ids, self._order[pos], -1).astype(np.int64)


def read_chunk_ids(generation: Path) -> np.ndarray:
    """The stable chunk id of every row of a generation, in row order."""
    con = sqlite3.connect(f"file:{generation / 'chunks.sqlite'}?mode=ro", uri=True)
    try:
        return np.fromiter((r[0] for r in con.execute("SELECT id FROM chunks ORDER BY row")), dtype=np.int64)
    finally:
        con.close()


def generation_key(manifest: dict[str, Any]) -> str:
    """What identifies a generation's ids and vectors: the checksums of its chunk table and vectors file."""
    files = manifest.get("files") or {}
    parts = [str((files.get(name) or {}).get("sha256", "")) for name in ("vectors.npy", "chunks.sqlite")]
    return "-".join(p[:16] for p in parts)


def fingerprints(vectors: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each vector: a rebuild can give an old id another chunk, so ids alone cannot tell."""
    out = np.empty(len(vectors), dtype=np.int64)
    for start in range(0, len(vectors), 65_536):
        block = np.ascontiguousarray(vectors[start : start + 65_536], dtype=np.float32)
        for i, row in enumerate(block):
            digest = hashlib.blake2b(row.tobytes(), digest_size=8).digest()
            out[start + i] = int.from_bytes(digest, "little", signed=True)
    return out


def display_uri(uri: str) -> str:
    """The URI without credentials (http://user:password@host:19530), for messages."""
    scheme, netloc, path, query, fragment = urlsplit(uri)
    return urlunsplit((scheme, netloc.rpartition("@")[2], path, query, fragment))


def connect_milvus(uri: str) -> Any:
    """A client for a Milvus server (http://host:19530) or an embedded Milvus Lite (a path ending in .db)."""
    try:
        from pymilvus import MilvusClient  # slow import (~0.7 s): only the milvus store needs it
    except ImportError:
        raise VectorStoreError(
            "the milvus vector store needs pymilvus; run: pip install pymilvus milvus-lite"
        ) from None
    try:
        return MilvusClient(uri=uri)
    except _failures() as exc:
        hint = ""
        if uri.endswith(".db"):
            hint = "; Milvus Lite serves one process at a time (for several, use a Milvus server)"
        raise VectorStoreError(f"cannot reach Milvus at {display_uri(uri)}: {_reason(exc)}{hint}") from None


def _failures() -> tuple[type[BaseException], ...]:
    """What a Milvus call raises when the server or the request fails (not a bug of ours)."""
    import grpc
    from pymilvus.exceptions import MilvusException

    return (MilvusException, grpc.RpcError, OSError)


def _reason(exc: BaseException) -> str:
    return (str(getattr(exc, "message", "") or exc).splitlines() or [type(exc).__name__])[0][:200]


class MilvusStore:
    """A Milvus collection holding the generation's vectors, keyed by stable chunk id (metric: inner product)."""

    name = "milvus"

    def __init__(self, uri: str, collection: str, reader: IndexReader, *, client: Any = None) -> None:
        self.uri = uri
        self.collection = collection
        self.reader = reader
        self.ids = IdMap.of(reader)
        self._client = client if client is not None else connect_milvus(uri)
        self._warned = False
        try:
            if not self._client.has_collection(collection):
                raise VectorStoreError(
                    f"Milvus at {display_uri(uri)} has no collection {collection!r}; fill it with: python cli.py index"
                )
            _ensure_loaded(self._client, collection)
            properties = self._client.describe_collection(collection).get("properties") or {}
            self._hnsw = _index_type(self._client, collection) != "FLAT"
        except _failures() as exc:
            raise self._error(exc) from None
        # False while another generation is synced: searches stay correct (see search), but slower.
        self.synced = properties.get(_GENERATION_KEY) == generation_key(reader.manifest)

    def _error(self, exc: BaseException) -> VectorStoreError:
        return VectorStoreError(f"Milvus at {display_uri(self.uri)} failed: {_reason(exc)}")

    def scores(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        # The generation's vectors.npy holds the very vectors synced to Milvus: a few candidate rows are read
        # from the memory map rather than fetched over the network on every query.
        return np.asarray(self.reader.vectors[rows] @ query, dtype=np.float32)

    def search(
        self, query: np.ndarray, k: int, *, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        size = self.reader.size
        if size == 0 or k <= 0 or (allowed is not None and len(allowed) == 0):
            return no_hits()
        need = min(k, size if allowed is None else len(allowed))
        if need > _MAX_TOPK:
            return exact_search(
                self.reader, query, k, allowed
            )  # deeper than Milvus answers: rare, exact, local
        try:
            if allowed is None:
                rows, scores = self._deep(query, need, None)
            elif len(allowed) <= _ID_FILTER_LIMIT:
                rows, scores = self._among(query, need, allowed)
            else:
                rows, scores = self._deep(query, need, allowed)
        except _failures() as exc:
            raise self._error(exc) from None
        if len(rows) < need:
            # The collection lacks rows of this generation (it holds another one, or a sync is under way).
            if not self._warned:
                self._warned = True
                logger.warning(
                    "Milvus collection %r does not hold index generation %s; scoring locally until "
                    "python cli.py index syncs it",
                    self.collection,
                    self.reader.path.name,
                )
            return exact_search(self.reader, query, k, allowed)
        return rows, scores

    def _query(self, query: np.ndarray, limit: int, expr: str = "") -> tuple[np.ndarray, np.ndarray, int]:
        """(rows, scores, hits) of one Milvus search: ids this generation does not hold are dropped from the
        rows; hits counts them all (fewer than limit: nothing more matches)."""
        params: dict[str, Any] = {"metric_type": "IP"}
        if self._hnsw:
            params["params"] = {"ef": max(_HNSW_EF, limit)}  # HNSW needs ef >= limit
        result = self._client.search(
            self.collection,
            data=[np.asarray(query, dtype=np.float32).tolist()],
            limit=limit,
            filter=expr,
            output_fields=["id"],
            search_params=params,
        )
        hits = result[0] if result else []
        ids = np.fromiter((h["id"] for h in hits), dtype=np.int64, count=len(hits))
        scores = np.fromiter((h["distance"] for h in hits), dtype=np.float32, count=len(hits))
        rows = self.ids.rows(ids)
        known = rows >= 0
        return rows[known], scores[known], len(hits)

    def _among(self, query: np.ndarray, need: int, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The best rows among a small allowed set: the set goes to Milvus as a filter on id."""
        ids = self.ids.ids_of_row[np.asarray(allowed, dtype=np.int64)]
        rows, scores, _ = self._query(query, need, f"id in [{','.join(str(int(i)) for i in ids)}]")
        return top_k(rows, scores, need)

    def _deep(
        self, query: np.ndarray, need: int, allowed: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Search unfiltered, deeper until `need` hits pass the filter (and ids of other generations drop)."""
        size = self.reader.size
        mask = None
        limit = need
        if allowed is not None:
            mask = np.zeros(size, dtype=bool)
            mask[allowed] = True
            # twice the depth at which the allowed share of the collection is expected to give `need` hits
            limit = max(2 * need, -(-2 * need * size // len(allowed)))
        limit = min(limit, _MAX_TOPK)
        while True:
            rows, scores, total = self._query(query, limit)
            if mask is not None:
                rows, scores = rows[mask[rows]], scores[mask[rows]]
            if len(rows) >= need or total < limit or limit >= _MAX_TOPK:
                break
            limit = min(_MAX_TOPK, 4 * limit)
        if len(rows) < need and allowed is not None:
            # The filter is too selective for the deepest search Milvus answers: filter on id, part by part.
            parts = [
                self._among(query, need, allowed[i : i + _ID_FILTER_LIMIT])
                for i in range(0, len(allowed), _ID_FILTER_LIMIT)
            ]
            rows = np.concatenate([p[0] for p in parts])
            scores = np.concatenate([p[1] for p in parts])
        return top_k(rows, scores, need)

    def close(self) -> None:
        self._client.close()


def _ensure_loaded(client: Any, collection: str) -> None:
    """A server releases collections (on restart, or by hand); searches need it loaded."""
    state = client.get_load_state(collection).get("state")
    if "NotLoad" in str(state):
        client.load_collection(collection)


def _index_type(client: Any, collection: str) -> str:
    return str(client.describe_index(collection, "vector").get("index_type", "")).upper()


class _Generation(Protocol):
    path: Path
    manifest: dict[str, Any]
    vectors: np.ndarray


def _milvus_index(manifest: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The Milvus index matching the FAISS kind the build chose: exact, or HNSW for large collections."""
    return ("HNSW", dict(_HNSW)) if str(manifest.get("dense", "flat")).startswith("hnsw") else ("FLAT", {})


def sync_milvus(reader: _Generation, uri: str, collection: str, *, client: Any = None) -> SyncReport:
    """Make the collection hold exactly the generation's chunks: upsert what it lacks, delete what is gone.

    Idempotent: a collection already marked with this generation is left alone. The collection is created
    (or recreated, when its dimension or fields differ) with the manifest's dimension and metric IP.
    """
    client = client if client is not None else connect_milvus(uri)
    manifest = reader.manifest
    dimension = int(manifest["model"]["dimension"])
    target = generation_key(manifest)
    index_type, index_params = _milvus_index(manifest)
    removed = _prepare(client, collection, dimension, index_type, index_params)
    n = len(reader.vectors)
    properties = client.describe_collection(collection).get("properties") or {}
    if properties.get(_GENERATION_KEY) == target and _count(client, collection) == n:
        return SyncReport(0, removed, n)
    client.alter_collection_properties(collection, properties={_GENERATION_KEY: ""})  # a sync is under way
    ids = IdMap.of(reader).ids_of_row
    prints = fingerprints(reader.vectors)
    held_ids, held_prints = _held(client, collection)
    rows = IdMap(ids).rows(held_ids)
    same = np.zeros(n, dtype=bool)
    known = rows >= 0
    same[rows[known]] = held_prints[known] == prints[rows[known]]
    changed = np.nonzero(~same)[0]
    gone = held_ids[~known].tolist()
    step = max(1, _UPSERT_BYTES // (4 * dimension + 16))
    for start in range(0, len(changed), step):
        part = changed[start : start + step]
        vectors = np.asarray(reader.vectors[part], dtype=np.float32)
        client.upsert(
            collection,
            [
                {"id": int(ids[r]), "fp": int(prints[r]), "vector": v}
                for r, v in zip(part.tolist(), vectors, strict=True)
            ],
        )
    for start in range(0, len(gone), _ID_FILTER_LIMIT):
        client.delete(collection, ids=gone[start : start + _ID_FILTER_LIMIT])
    if len(changed) or gone:
        # Seal what was written: a server indexes sealed segments, and Milvus Lite searched 50,000 unflushed
        # 384-dimensional vectors in ~4 s a query against ~80 ms once flushed.
        client.flush(collection)
    client.alter_collection_properties(collection, properties={_GENERATION_KEY: target})
    return SyncReport(len(changed), removed + len(gone), n - len(changed))


def _prepare(
    client: Any, collection: str, dimension: int, index_type: str, index_params: dict[str, Any]
) -> int:
    """Create the collection, or recreate it when its fields differ; returns how many rows were dropped."""
    dropped = 0
    if client.has_collection(collection):
        fields = {f["name"]: f for f in client.describe_collection(collection).get("fields", [])}
        vector = fields.get("vector", {})
        if set(fields) == {"id", "fp", "vector"} and int(vector.get("params", {}).get("dim", 0)) == dimension:
            _ensure_loaded(client, collection)
            if _index_type(client, collection) != index_type:
                client.release_collection(collection)
                client.drop_index(collection, "vector")
                client.create_index(collection, _index_spec(client, index_type, index_params))
                client.load_collection(collection)
            return 0
        _ensure_loaded(client, collection)
        dropped = _count(client, collection)
        client.drop_collection(collection)
    from pymilvus import DataType, MilvusClient  # slow import: only the milvus store needs it

    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.INT64, is_primary=True)  # the stable chunk id
    schema.add_field("fp", DataType.INT64)  # fingerprint of the vector, to tell a reused id's new vector
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dimension)
    client.create_collection(
        collection,
        schema=schema,
        index_params=_index_spec(client, index_type, index_params),
        # a search right after a sync must see all of it (a server's default is bounded staleness)
        consistency_level="Strong",
        properties={_GENERATION_KEY: ""},
    )
    return dropped


def _index_spec(client: Any, index_type: str, params: dict[str, Any]) -> Any:
    spec = client.prepare_index_params()
    # inner product equals cosine similarity on normalised vectors
    spec.add_index(field_name="vector", index_type=index_type, metric_type="IP", params=params)
    return spec


def _count(client: Any, collection: str) -> int:
    rows = client.query(collection, filter="", output_fields=["count(*)"])
    return int(rows[0]["count(*)"]) if rows else 0


def _quiet_lite_iterator(record: logging.LogRecord) -> bool:
    # Milvus Lite hands iterators no server timestamp, so pymilvus uses the client's clock and warns on every
    # sync. Harmless: the iterator only has to see what the collection held before the sync wrote to it.
    return "mvccTs" not in record.getMessage()


def _held(client: Any, collection: str) -> tuple[np.ndarray, np.ndarray]:
    """(ids, vector fingerprints) of everything in the collection."""
    logging.getLogger("pymilvus.client.iterator.query_iterator").addFilter(_quiet_lite_iterator)
    ids: list[int] = []
    prints: list[int] = []
    iterator = client.query_iterator(
        collection, batch_size=8192, filter="id >= 0", output_fields=["id", "fp"]
    )
    try:
        while batch := iterator.next():
            ids.extend(int(r["id"]) for r in batch)
            prints.extend(int(r["fp"]) for r in batch)
    finally:
        iterator.close()
    return np.array(ids, dtype=np.int64), np.array(prints, dtype=np.int64)


def default_milvus_uri(index_dir: Path) -> str:
    """Milvus Lite in a folder beside the index's generations."""
    return str(index_dir / LITE_FILE)


def sync_live_generation(index_dir: Path, uri: str, collection: str) -> SyncReport | None:
    """Sync the collection with the live generation of index_dir (Milvus Lite beside it when uri is empty);
    the caller holds the index's build lock (vectorstore.sync_index)."""
    generation = current_generation(index_dir)
    manifest = read_manifest(index_dir)
    if generation is None or manifest is None:
        return None
    live = PreviousGeneration(generation, manifest)  # cheap: the manifest, the chunk table, a memory map
    target = uri or default_milvus_uri(index_dir)
    try:
        return sync_milvus(live, target, collection)
    except _failures() as exc:
        raise VectorStoreError(f"syncing Milvus at {display_uri(target)} failed: {_reason(exc)}") from None
    finally:
        live.close()
