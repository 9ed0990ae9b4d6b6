"""Build or update an index from a corpus directory: embed only new or changed documents, drop deleted ones."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.embedding.model import Embedder
from assistant.errors import AssistantError, IndexBusy, IndexWriteFailed, UnreadableDocument
from assistant.ingest.chunking import Chunk, ChunkerSettings, chunk_document
from assistant.ingest.corpus import scan_corpus
from assistant.ingest.document import Document, Skipped, SourceFile
from assistant.ingest.limits import IngestLimits
from assistant.ingest.worker import source_loader
from assistant.storage.generations import (
    FORMAT_VERSION,
    DocumentInfo,
    Generation,
    PreviousGeneration,
    current_generation,
    remove_leftovers,
    verify_files,
    write_generation,
)
from assistant.storage.lexical import BM25Settings, LexicalIndex
from assistant.tables.model import TablePiece, table_head
from assistant.vectors.faiss_index import build_dense_index, choose_kind, extend_dense_index

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.vectors.base import SyncReport
from assistant.storage.changes import folder, safe_manifest
from assistant.storage.report import BuildReport, FileOutcome, FileProgress, Progress


@dataclass(slots=True)
class _Plan:
    keep: list[DocumentInfo] = field(default_factory=list)  # unchanged, reused as they are
    fresh: list[tuple[Document, bool]] = field(default_factory=list)  # (document, existed before)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)  # files that failed to load -> their checksum
    stats: dict[str, list[int]] = field(default_factory=dict)  # file -> [size, mtime_ns] when scanned
    status: dict[str, str] = field(default_factory=dict)  # file -> indexed / unchanged (else skipped)

    def outcomes(self) -> tuple[FileOutcome, ...]:
        """Every file of the corpus with what became of it (a file skipped twice shows its first reason)."""
        reasons: dict[str, str] = {}
        for s in self.skipped:
            reasons.setdefault(s.source, s.reason)
        names = sorted(set(self.status) | set(reasons))
        # an indexed file with a reason was read in part (its scanned pages without OCR)
        return tuple(FileOutcome(n, self.status.get(n, "skipped"), reasons.get(n, "")) for n in names)


def index_text(chunk_text: str, title: str, table: TablePiece | None = None) -> str:
    """What is embedded and BM25-indexed for a chunk: the document title gives every chunk its context, and
    a table piece after the first also carries its table's caption and header rows."""
    if table is not None and not chunk_text.startswith(head := table_head(table.table)):
        chunk_text = f"{head}\n{chunk_text}" if head else chunk_text
    return f"{title}\n{chunk_text}" if title else chunk_text


def _compatible(manifest: dict[str, Any] | None, model: str, dimension: int, chunker: ChunkerSettings) -> str:
    """Why the previous index cannot be reused ('' when it can)."""
    if manifest is None:
        return "no previous index"
    if manifest.get("format_version") != FORMAT_VERSION:
        return "index format changed"
    built = manifest.get("model")
    if not isinstance(built, dict) or built.get("name") != model or built.get("dimension") != dimension:
        return "model changed"
    if manifest.get("chunker") != chunker.to_dict():
        return "chunker settings changed"
    return ""


def _plan(
    corpus_dir: Path,
    prev: PreviousGeneration | None,
    limits: IngestLimits,
    on_file: FileProgress | None = None,
) -> _Plan:
    plan = _Plan()
    files, plan.skipped = scan_corpus(corpus_dir)
    plan.stats = {source.rel: list(source.stat) for source in files}
    prev_files = prev.manifest.get("files_in_corpus", {}) if prev else {}
    seen: dict[str, str] = {}
    with source_loader(limits, corpus_dir) as load:
        for number, source in enumerate(files):
            if on_file is not None:
                on_file(number, len(files), source.rel)
            _plan_file(plan, source, prev, prev_files.get(source.rel), seen, load)
    plan.skipped.sort(key=lambda s: s.source)  # reported in corpus order, whether found at scan or at load
    return plan


def _plan_file(
    plan: _Plan,
    source: SourceFile,
    prev: PreviousGeneration | None,
    before: dict[str, Any] | None,
    seen: dict[str, str],
    load: Callable[[SourceFile], list[Document]],
) -> None:
    # a file read only in part (scanned pages without OCR) is read again: the engine may be there now
    if prev is not None and before and before["sha256"] == source.checksum and not before.get("notes"):
        # Unchanged bytes: reuse the documents without parsing the file again (a file none of whose
        # documents can be reused is parsed again, so that the report says why).
        docs_info = [prev.documents[d] for d in before["documents"] if d in prev.documents]
        ids = [d.id for d in docs_info if d.id not in seen]
        if ids:
            plan.keep.extend(d for d in docs_info if d.id not in seen)
            seen.update((d, source.rel) for d in ids)
            plan.files[source.rel] = {"sha256": source.checksum, "documents": ids}
            plan.status[source.rel] = "unchanged"
            return
    try:
        docs = load(source)
    except UnreadableDocument as exc:
        plan.skipped.append(Skipped(source.rel, exc.message))
        plan.unreadable[source.rel] = source.checksum
        return
    ids = []
    fresh = False
    for doc in docs:
        if doc.id in seen:
            plan.skipped.append(
                Skipped(source.rel, f"duplicate document id {doc.id!r} (also in {seen[doc.id]})")
            )
            continue
        seen[doc.id] = source.rel
        ids.append(doc.id)
        old = prev.documents.get(doc.id) if prev else None
        if old is not None and old.checksum == doc.checksum:
            plan.keep.append(old)
        else:
            plan.fresh.append((doc, old is not None))
            fresh = True
    plan.files[source.rel] = {"sha256": source.checksum, "documents": ids}
    notes = [note for doc in docs for note in doc.notes]
    if notes:
        plan.files[source.rel]["notes"] = notes
        plan.skipped.extend(Skipped(source.rel, note) for note in notes)
    if ids:
        plan.status[source.rel] = "indexed" if fresh else "unchanged"


def build_index(
    corpus_dir: Path,
    index_dir: Path,
    embedder: Embedder,
    *,
    chunker: ChunkerSettings | None = None,
    bm25: BM25Settings | None = None,
    rebuild: bool = False,
    ann: str = "auto",
    ann_threshold: int = 200_000,
    progress: Progress | None = None,
    limits: IngestLimits | None = None,
    on_file: FileProgress | None = None,
) -> BuildReport:
    """Bring the index in index_dir up to date with corpus_dir; holds a lock so only one build runs at a time."""
    from filelock import FileLock, Timeout

    started = time.perf_counter()
    chunker = chunker or ChunkerSettings()
    bm25 = bm25 or BM25Settings()
    lock = FileLock(str(index_dir / ".lock"))
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        lock.acquire(timeout=0)
    except Timeout:
        raise IndexBusy(
            f"another process is building the index in {index_dir}; try again when it has finished"
        ) from None
    except OSError as exc:
        raise IndexWriteFailed(
            f"cannot write to the index folder {index_dir} ({_why(exc)}); make it writable, "
            "or choose another with --index"
        ) from None
    try:
        return _build_locked(
            corpus_dir,
            index_dir,
            embedder,
            chunker,
            bm25,
            rebuild,
            ann,
            ann_threshold,
            progress,
            started,
            limits or IngestLimits(),
            on_file,
        )
    finally:
        lock.release()


def build_with_settings(
    corpus_dir: Path,
    index_dir: Path,
    embedder: Embedder,
    settings: Settings,
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
    on_file: FileProgress | None = None,
) -> BuildReport:
    """build_index with the chunker, BM25 and dense-index choices of the settings: the one place settings
    reach build_index (update_index, and the benchmarks, which build into folders of their own)."""
    return build_index(
        corpus_dir,
        index_dir,
        embedder,
        chunker=ChunkerSettings.from_settings(settings),
        bm25=BM25Settings.from_settings(settings),
        rebuild=rebuild,
        ann=settings.ann,
        ann_threshold=settings.ann_threshold,
        progress=progress,
        limits=IngestLimits.from_settings(settings),
        on_file=on_file,
    )


def update_index(
    settings: Settings,
    embedder: Embedder,
    *,
    corpus_dir: Path | None = None,
    rebuild: bool = False,
    progress: Progress | None = None,
    on_file: FileProgress | None = None,
) -> tuple[BuildReport, SyncReport | None]:
    """Everything an index run does under the given settings: build, the query model's export, the store sync.

    The CLI, the chat and the server all build through here, so they build alike.
    """
    from assistant.vectors import sync_index  # the stores pull in their clients lazily

    report = build_with_settings(
        corpus_dir or settings.corpus_dir,
        settings.index_dir,
        embedder,
        settings,
        rebuild=rebuild,
        progress=progress,
        on_file=on_file,
    )
    from assistant.embedding.export import ensure_query_export, remove_export_leftovers

    if settings.query_backend != "torch":
        ensure_query_export(settings.index_dir, embedder)  # imports torch: only when building
    else:
        remove_export_leftovers(settings.index_dir)  # what an export killed earlier left behind
    # also when nothing changed: the first run after switching to Milvus fills the collection
    synced = sync_index(
        settings.index_dir,
        store=settings.vector_store,
        uri=settings.milvus_uri,
        collection=settings.milvus_collection,
    )
    return report, synced


def _build_locked(
    corpus_dir: Path,
    index_dir: Path,
    embedder: Embedder,
    chunker: ChunkerSettings,
    bm25: BM25Settings,
    rebuild: bool,
    ann: str,
    ann_threshold: int,
    progress: Progress | None,
    started: float,
    limits: IngestLimits,
    on_file: FileProgress | None,
) -> BuildReport:
    remove_leftovers(index_dir)
    manifest = None if rebuild else safe_manifest(index_dir)
    dimension = embedder.dimension
    why = "rebuild requested" if rebuild else _compatible(manifest, embedder.name, dimension, chunker)
    if why == "no previous index" and (index_dir / "CURRENT").exists():
        why = "previous index damaged"
    prev = None
    if not why and manifest is not None:
        prev = _previous(index_dir, manifest)
        why = "" if prev is not None else "previous index damaged"
    try:
        plan = _plan(corpus_dir, prev, limits, on_file)
        kept_ids = {d.id for d in plan.keep} | {d.id for d, _ in plan.fresh}
        removed = [d for d in (prev.documents if prev else {}) if d not in kept_ids]
        updated = sum(1 for _, existed in plan.fresh if existed)
        added = len(plan.fresh) - updated
        if (
            prev is not None
            and not plan.fresh
            and not removed
            and plan.files == prev.manifest.get("files_in_corpus")
            and plan.unreadable == prev.manifest.get("unreadable_in_corpus", {})
            and "corpus" in prev.manifest  # written once into an index built before it was recorded
            # New BM25 parameters only re-index the lexical side: every vector is reused.
            and prev.manifest.get("lexical") == bm25.to_dict()
        ):
            return BuildReport(
                0,
                0,
                0,
                len(plan.keep),
                tuple(plan.skipped),
                len(plan.keep),
                int(prev.manifest.get("chunks", 0)),
                0,
                time.perf_counter() - started,
                False,
                files=plan.outcomes(),
            )
        gen = _assemble(plan, prev, embedder, chunker, bm25, dimension, progress)
    finally:
        if prev is not None:
            prev.close()
    kind = choose_kind(ann, len(gen.chunks), ann_threshold)
    grown = None
    if prev is not None and gen.extends_previous and kind == "hnsw" == prev.manifest.get("dense"):
        grown = extend_dense_index(prev.path / "dense.faiss", gen.vectors)
    gen.dense_index = grown if grown is not None else build_dense_index(gen.vectors, kind)
    gen.manifest.update(
        {
            "model": {"name": embedder.name, "dimension": dimension},
            "chunker": chunker.to_dict(),
            "lexical": bm25.to_dict(),
            "dense": kind,
            "dense_update": "extended" if grown is not None else "built",
            "files_in_corpus": plan.files,
            "unreadable_in_corpus": plan.unreadable,
            "stats_in_corpus": plan.stats,
            "corpus": folder(corpus_dir, index_dir),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
    )
    try:
        write_generation(index_dir, gen)
    except (OSError, sqlite3.Error) as exc:  # write_generation removed what it had written
        raise IndexWriteFailed(
            f"could not write the new index in {index_dir} ({_why(exc)}); the previous index still "
            "answers; free space (or make the folder writable) and run: python cli.py index"
        ) from None
    return BuildReport(
        added,
        updated,
        len(removed),
        len(plan.keep),
        tuple(plan.skipped),
        len(gen.documents),
        len(gen.chunks),
        int(gen.manifest["embedded"]),
        time.perf_counter() - started,
        True,
        why if why != "no previous index" else "",
        plan.outcomes(),
    )


def _why(exc: OSError | sqlite3.Error) -> str:
    """An OS or SQLite error in a few words: 'no space left on device', 'read-only file system'."""
    if isinstance(exc, OSError):
        return (exc.strerror or str(exc)).lower()
    message = str(exc)
    return "no space left on device" if "full" in message else message


def _previous(index_dir: Path, manifest: dict[str, Any]) -> PreviousGeneration | None:
    """The live generation to reuse, or None when its files are damaged (its chunks must not be copied)."""
    gen = current_generation(index_dir)
    if gen is None:
        return None
    try:
        verify_files(gen, manifest)
        return PreviousGeneration(gen, manifest)
    except (AssistantError, OSError, ValueError, sqlite3.Error):
        return None


def _assemble(
    plan: _Plan,
    prev: PreviousGeneration | None,
    embedder: Embedder,
    chunker: ChunkerSettings,
    bm25: BM25Settings,
    dimension: int,
    progress: Progress | None,
) -> Generation:
    documents: list[DocumentInfo] = []
    chunks: list[Chunk] = []
    ids: list[int] = []
    titles: list[str] = []
    reused_rows: list[int] = []
    next_id = int(prev.manifest.get("next_chunk_id", 0)) if prev else 0
    kept = [(info, prev.chunks_of(info.id)) for info in plan.keep] if prev is not None else []
    # Unchanged documents keep their previous order (by vector row), so that an update that only adds
    # documents leaves rows 0..n-1 as they were and the dense index can grow instead of being rebuilt.
    kept.sort(key=lambda pair: pair[1][0][2] if pair[1] else -1)
    for info, stored in kept:
        for chunk, cid, row in stored:
            chunks.append(chunk)
            ids.append(cid)
            titles.append(info.title)
            reused_rows.append(row)
        documents.append(info)
    fresh_chunks: list[Chunk] = []
    for doc, _ in plan.fresh:
        doc_chunks = chunk_document(doc, chunker)
        fresh_chunks.extend(doc_chunks)
        documents.append(
            DocumentInfo(
                doc.id,
                doc.source,
                doc.title,
                doc.checksum,
                len(doc_chunks),
                doc.metadata,
                tuple(p for _, p in doc.pages),
            )
        )
        titles.extend(doc.title for _ in doc_chunks)
    texts = [index_text(c.text, t, c.table) for c, t in zip(fresh_chunks, titles[len(chunks) :], strict=True)]
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, len(texts))

    if progress is not None:
        progress(0, len(texts))
    fresh_vectors = embedder.embed(texts, progress=step) if texts else np.zeros((0, dimension), np.float32)
    old_vectors = (
        np.asarray(prev.vectors[reused_rows])
        if prev is not None and reused_rows
        else np.zeros((0, dimension), np.float32)
    )
    vectors = np.vstack([old_vectors, fresh_vectors]).astype(np.float32)
    chunks.extend(fresh_chunks)
    ids.extend(range(next_id, next_id + len(fresh_chunks)))
    lexical = LexicalIndex.build(
        [index_text(c.text, t, c.table) for c, t in zip(chunks, titles, strict=True)], bm25=bm25
    )
    manifest = {
        "chunks": len(chunks),
        "documents": {d.id: d.checksum for d in documents},
        "next_chunk_id": next_id + len(fresh_chunks),
        "embedded": len(texts),
    }
    extends = prev is not None and reused_rows == list(range(len(prev.vectors)))
    return Generation(
        manifest, documents, chunks, np.array(ids, dtype=np.int64), vectors, lexical, extends_previous=extends
    )
