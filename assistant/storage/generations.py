"""The on-disk index: generations of plain files (manifest, SQLite chunk table, vectors, BM25), swapped atomically.

Layout of an index directory:
    CURRENT            name of the live generation (replaced atomically with os.replace)
    gen-000007/        one complete, immutable generation
        manifest.json  model, dimension, chunker settings, format version, per-file and per-document checksums
        chunks.sqlite  documents and chunks (text, offsets, page), row i <-> vector row i
        vectors.npy    float32 (n_chunks x dimension), L2-normalised
        dense.faiss    only for approximate (HNSW/IVF) indexes; the flat index is rebuilt from vectors.npy
        bm25/          the lexical index (bm25s files)
    .lock              held by the process that is building
A build writes a new generation beside the live one and then flips CURRENT, so a build that dies part-way
leaves the previous generation live and intact.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import IndexCorrupt, IndexMismatch, IndexNotFound
from assistant.ingest.chunking import Chunk
from assistant.schema import DocumentOut, json_object
from assistant.storage.lexical import LexicalIndex
from assistant.tables.model import TablePiece
from assistant.text.checksums import file_sha256

FORMAT_VERSION = 2  # 2: chunks keep the table rows they hold (the `table` column)
# Files are hashed side by side at load (hashlib lets go of the GIL): see docs/scaling.md for the cost.
_HASH_THREADS = 4
_GENERATION = re.compile(r"gen-\d+")
_REBUILD = "rebuild with: python cli.py index --rebuild"


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """What the index knows of a document (no text)."""

    id: str
    source: str
    title: str
    checksum: str
    chunks: int
    metadata: dict[str, Any] = field(default_factory=dict)
    pages: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return json_object(DocumentOut.of(self))


@dataclass(slots=True)
class Generation:
    """One generation's content in memory, ready to be written."""

    manifest: dict[str, Any]
    documents: list[DocumentInfo]
    chunks: list[Chunk]  # in vector-row order
    chunk_ids: np.ndarray  # stable int64 id per row
    vectors: np.ndarray  # float32, rows aligned with chunks
    lexical: LexicalIndex
    dense_index: Any = None  # a FAISS index to save (approximate kinds only)
    # True when rows 0..n-1 are the previous generation's n rows, unchanged and in order (only additions)
    extends_previous: bool = False


def current_generation(index_dir: Path) -> Path | None:
    """The live generation's directory; None when CURRENT is absent or names no generation that exists."""
    try:
        name = (index_dir / "CURRENT").read_text().strip()
    except (OSError, UnicodeDecodeError):
        return None
    # Only a generation name: a damaged pointer must never lead outside the index directory.
    path = index_dir / name
    return path if _GENERATION.fullmatch(name) and path.is_dir() else None


def read_manifest(index_dir: Path) -> dict[str, Any] | None:
    gen = current_generation(index_dir)
    if gen is None:
        return None
    try:
        manifest = json.loads((gen / "manifest.json").read_text())
    except (OSError, ValueError, RecursionError):
        manifest = None
    if not isinstance(manifest, dict):
        raise IndexCorrupt(f"index manifest in {gen} is unreadable; {_REBUILD}")
    return manifest


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_generation(index_dir: Path, gen: Generation) -> Path:
    """Write a complete generation and make it live; the previous one stays until this one is complete."""
    index_dir.mkdir(parents=True, exist_ok=True)
    tmp = index_dir / f".tmp-{uuid.uuid4().hex[:12]}"
    tmp.mkdir()
    try:
        np.save(tmp / "vectors.npy", np.ascontiguousarray(gen.vectors, dtype=np.float32))
        _write_sqlite(tmp / "chunks.sqlite", gen)
        gen.lexical.save(tmp / "bm25")
        if gen.dense_index is not None:
            import faiss  # slow import: only approximate indexes are saved as FAISS files

            faiss.write_index(gen.dense_index, str(tmp / "dense.faiss"))
        files = sorted(p for p in tmp.rglob("*") if p.is_file())
        manifest = dict(gen.manifest)
        manifest["format_version"] = FORMAT_VERSION
        manifest["files"] = {
            p.relative_to(tmp).as_posix(): {"bytes": p.stat().st_size, "sha256": file_sha256(p)}
            for p in files
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
        for p in [*files, tmp / "manifest.json"]:
            _fsync_file(p)
        previous = current_generation(index_dir)
        number = 1 + max(
            (int(p.name[4:]) for p in index_dir.glob("gen-*") if p.name[4:].isdigit()), default=0
        )
        final = index_dir / f"gen-{number:06d}"
        os.rename(tmp, final)
        pointer_tmp = index_dir / "CURRENT.tmp"
        pointer_tmp.write_text(final.name + "\n")
        _fsync_file(pointer_tmp)
        os.replace(pointer_tmp, index_dir / "CURRENT")
        dir_fd = os.open(index_dir, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _remove_old(index_dir, keep={final.name, previous.name if previous else ""})
    return final


def remove_leftovers(index_dir: Path) -> None:
    """Drop what killed builds left behind: temporary directories, and generations other than the live one
    and the one before it. Call with the build lock held."""
    live = current_generation(index_dir)
    if live is None:
        return  # nothing is known to be good; the next complete build sorts it out
    number = int(live.name[4:])
    older = [(int(p.name[4:]), p.name) for p in index_dir.glob("gen-*") if _GENERATION.fullmatch(p.name)]
    previous = max((g for g in older if g[0] < number), default=(0, ""))
    _remove_old(index_dir, keep={live.name, previous[1]})


def _remove_old(index_dir: Path, keep: set[str]) -> None:
    """Drop generations other than the live and the previous one, and leftovers of dead builds."""
    for path in index_dir.iterdir():
        if (path.name.startswith("gen-") and path.name not in keep) or path.name.startswith(".tmp-"):
            shutil.rmtree(path, ignore_errors=True)


def _write_sqlite(path: Path, gen: Generation) -> None:
    con = sqlite3.connect(path)
    try:
        con.executescript(
            """
            PRAGMA journal_mode=OFF;
            PRAGMA synchronous=OFF;
            CREATE TABLE documents (row INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, source TEXT, title TEXT,
                checksum TEXT, chunks INTEGER, metadata TEXT, pages TEXT);
            CREATE TABLE chunks (row INTEGER PRIMARY KEY, id INTEGER UNIQUE NOT NULL, key TEXT NOT NULL,
                doc_row INTEGER NOT NULL, start INTEGER, end INTEGER, page INTEGER, text TEXT, tbl TEXT);
            """
        )
        doc_rows = {d.id: i for i, d in enumerate(gen.documents)}
        con.executemany(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?)",
            (
                (
                    i,
                    d.id,
                    d.source,
                    d.title,
                    d.checksum,
                    d.chunks,
                    json.dumps(d.metadata, default=str),
                    json.dumps(list(d.pages)),
                )
                for i, d in enumerate(gen.documents)
            ),
        )
        con.executemany(
            "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?)",
            (
                (row, int(cid), c.id, doc_rows[c.doc_id], c.start, c.end, c.page, c.text, _piece_json(c))
                for row, (c, cid) in enumerate(zip(gen.chunks, gen.chunk_ids, strict=True))
            ),
        )
        con.execute("CREATE INDEX chunks_doc ON chunks(doc_row)")
        con.commit()
    finally:
        con.close()


def _piece_json(chunk: Chunk) -> str | None:
    return json.dumps(chunk.table.to_json()) if chunk.table is not None else None


def _piece(stored: str | None) -> TablePiece | None:
    """The table piece of a stored chunk; a damaged one reads as plain text rather than failing a search."""
    if not stored:
        return None
    try:
        return TablePiece.from_json(json.loads(stored))
    except (ValueError, KeyError, TypeError, IndexError):
        return None


@dataclass(frozen=True, slots=True)
class StoredChunk:
    """A chunk read back from the index, with its row and stable integer id."""

    row: int
    id: int
    chunk: Chunk


class IndexReader:
    """A loaded generation, shared read-only between threads: vectors, FAISS, BM25 and the chunk table."""

    def __init__(self, path: Path, manifest: dict[str, Any]) -> None:
        self.path = path
        self.manifest = manifest
        self._lock = threading.Lock()
        try:
            self.vectors = np.load(path / "vectors.npy", mmap_mode="r")
            self._con = sqlite3.connect(
                f"file:{path / 'chunks.sqlite'}?mode=ro", uri=True, check_same_thread=False
            )
            rows = self._con.execute(
                "SELECT row, id, source, title, checksum, chunks, metadata, pages FROM documents ORDER BY row"
            ).fetchall()
            self.documents = [
                DocumentInfo(r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), tuple(json.loads(r[7])))
                for r in rows
            ]
            by_row = self._con.execute("SELECT doc_row, id FROM chunks ORDER BY row").fetchall()
            self.doc_of_row = np.array([r[0] for r in by_row], dtype=np.int32)
            self.ids_of_row = np.array([r[1] for r in by_row], dtype=np.int64)  # stable chunk ids
            self.lexical = LexicalIndex.load(path / "bm25")
        except (OSError, ValueError, sqlite3.Error, KeyError) as exc:
            raise IndexCorrupt(
                f"index in {path} is damaged ({type(exc).__name__}); rebuild with: python cli.py index --rebuild"
            ) from None
        n = len(self.doc_of_row)
        if self.vectors.shape[0] != n or self.lexical.size != n or manifest.get("chunks") != n:
            raise IndexCorrupt(
                f"index in {path} is inconsistent ({self.vectors.shape[0]} vectors, {n} chunks); "
                "rebuild with: python cli.py index --rebuild"
            )
        self.doc_index = {d.id: i for i, d in enumerate(self.documents)}
        self._dense: Any = None

    @property
    def dense(self) -> Any:
        """The FAISS index, loaded on first use: when Milvus does the dense search, it is never loaded."""
        if self._dense is None:
            with self._lock:
                if self._dense is None:
                    self._dense = self._load_dense()
        return self._dense

    def _load_dense(self) -> Any:
        import faiss  # slow import, but every search needs it

        try:
            if (self.path / "dense.faiss").is_file():
                return faiss.read_index(str(self.path / "dense.faiss"))
            # inner product equals cosine similarity on normalised vectors
            index = faiss.IndexFlatIP(int(self.manifest["model"]["dimension"]))
            if len(self.vectors):
                index.add(np.ascontiguousarray(self.vectors, dtype=np.float32))
        except (KeyError, TypeError, ValueError, RuntimeError, AssertionError) as exc:
            raise IndexCorrupt(
                f"index in {self.path} is damaged ({type(exc).__name__}); {_REBUILD}"
            ) from None
        return index

    @property
    def size(self) -> int:
        return len(self.doc_of_row)

    def chunks(self, rows: Sequence[int]) -> dict[int, StoredChunk]:
        """The chunks at the given rows."""
        if not rows:
            return {}
        wanted = sorted({int(r) for r in rows})
        out: dict[int, StoredChunk] = {}
        with self._lock:
            for start in range(0, len(wanted), 500):
                part = wanted[start : start + 500]
                marks = ",".join("?" * len(part))
                for row, cid, key, doc_row, s, e, page, text, tbl in self._con.execute(
                    f"SELECT row, id, key, doc_row, start, end, page, text, tbl FROM chunks WHERE row IN ({marks})",
                    part,
                ):
                    doc = self.documents[doc_row]
                    out[row] = StoredChunk(row, cid, Chunk(key, doc.id, s, e, text, page, _piece(tbl)))
        return out

    def rows_of_documents(self, doc_rows: Iterable[int]) -> np.ndarray:
        wanted = np.fromiter(doc_rows, dtype=np.int32)
        return np.nonzero(np.isin(self.doc_of_row, wanted))[0]

    def close(self) -> None:
        with self._lock:
            self._con.close()


def check_compatible(manifest: dict[str, Any], *, model: str, dimension: int | None, path: Path) -> None:
    """Fail with the fix when an index was built with another format, model or dimension."""
    rebuild = "rebuild with: python cli.py index --rebuild"
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise IndexMismatch(
            f"index in {path} has format version {version}, this program reads {FORMAT_VERSION}; {rebuild}"
        )
    built = manifest.get("model")
    built = built if isinstance(built, dict) else {}
    if built.get("name") != model:
        raise IndexMismatch(
            f"index in {path} was built with model {built.get('name')!r}, not {model!r}; {rebuild}"
        )
    if dimension is not None and built.get("dimension") != dimension:
        raise IndexMismatch(
            f"index in {path} has dimension {built.get('dimension')}, the model gives {dimension}; {rebuild}"
        )


def verify_files(gen: Path, manifest: dict[str, Any]) -> None:
    """Detect truncated or altered files: the sizes of all, then the checksums of all, whatever their size.

    A large index used to be checked by size only, and one edited row of chunks.sqlite changed an answer
    undetected. Hashing costs about a second per 400-800 MB (docs/scaling.md); the files are read anyway
    (the flat FAISS index copies every vector), so the page cache is warm for the first queries.
    """
    from concurrent.futures import ThreadPoolExecutor

    try:
        files = {str(rel): (int(f["bytes"]), str(f["sha256"])) for rel, f in manifest["files"].items()}
    except (KeyError, TypeError, ValueError, AttributeError):
        raise IndexCorrupt(f"index manifest in {gen} is damaged; {_REBUILD}") from None
    for rel, (size, _) in files.items():
        path = gen / rel
        if not _inside(path, gen) or not path.is_file() or path.stat().st_size != size:
            raise IndexCorrupt(f"index file {path} is missing or truncated; {_REBUILD}")
    # largest first, so the longest hash starts at once
    order = sorted(files, key=lambda rel: -files[rel][0])
    with ThreadPoolExecutor(max_workers=min(_HASH_THREADS, len(order) or 1)) as pool:
        digests = dict(zip(order, pool.map(lambda rel: file_sha256(gen / rel), order), strict=True))
    for rel in order:
        if digests[rel] != files[rel][1]:
            raise IndexCorrupt(f"index file {gen / rel} is corrupted; {_REBUILD}")


def _inside(path: Path, directory: Path) -> bool:
    return directory.resolve() in path.resolve().parents


def open_index(
    index_dir: Path, *, model: str, dimension: int | None = None, verify: bool = True
) -> IndexReader:
    """Open the live generation of an index directory, checking it matches the model and is intact."""
    gen = current_generation(index_dir)
    if gen is None:
        if (index_dir / "CURRENT").exists():
            raise IndexCorrupt(f"index in {index_dir} points to a generation that is missing; {_REBUILD}")
        raise IndexNotFound(f"no index in {index_dir}; build one with: python cli.py index")
    manifest = read_manifest(index_dir)
    assert manifest is not None
    check_compatible(manifest, model=model, dimension=dimension, path=index_dir)
    if verify:
        verify_files(gen, manifest)
    return IndexReader(gen, manifest)


class PreviousGeneration:
    """The live generation read cheaply (no FAISS, no BM25) so an update can reuse unchanged chunks."""

    def __init__(self, path: Path, manifest: dict[str, Any]) -> None:
        self.path = path
        self.manifest = manifest
        self.vectors = np.load(path / "vectors.npy", mmap_mode="r")
        self._con = sqlite3.connect(f"file:{path / 'chunks.sqlite'}?mode=ro", uri=True)
        self.documents = {
            r[0]: DocumentInfo(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), tuple(json.loads(r[6])))
            for r in self._con.execute(
                "SELECT id, source, title, checksum, chunks, metadata, pages FROM documents"
            )
        }

    def chunks_of(self, doc_id: str) -> list[tuple[Chunk, int, int]]:
        """(chunk, stable id, vector row) of one document, in document order."""
        rows = self._con.execute(
            "SELECT c.row, c.id, c.key, c.start, c.end, c.page, c.text, c.tbl FROM chunks c JOIN documents d "
            "ON c.doc_row = d.row WHERE d.id = ? ORDER BY c.row",
            (doc_id,),
        ).fetchall()
        return [
            (Chunk(key, doc_id, s, e, text, page, _piece(tbl)), cid, row)
            for row, cid, key, s, e, page, text, tbl in rows
        ]

    def close(self) -> None:
        self._con.close()
