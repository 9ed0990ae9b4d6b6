"""Load files into Documents, skipping (and naming) the ones that cannot be read."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from assistant.errors import UnreadableDocument
from assistant.ingest.corpus import os_reason, scan_corpus
from assistant.ingest.decoding import SURROGATE, valid_text
from assistant.ingest.document import Document, RawFile, Skipped
from assistant.ingest.formats import LOADERS

# Above this a file is refused rather than read into memory whole.
MAX_FILE_BYTES = 200 * 1024 * 1024


def load_file(path: Path, rel: str | None = None) -> list[Document]:
    """Load one file; raises UnreadableDocument with the reason when it cannot be used."""
    rel = rel if rel is not None else path.name
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise UnreadableDocument(f"unsupported file type {path.suffix or '(none)'}")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnreadableDocument(os_reason(exc)) from None
    if size == 0:
        raise UnreadableDocument("empty file")
    if size > MAX_FILE_BYTES:
        raise UnreadableDocument(f"file too large ({size // (1024 * 1024)} MB)")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableDocument(os_reason(exc)) from None
    try:
        docs = loader(RawFile(data, rel))
    except OSError as exc:
        raise UnreadableDocument(os_reason(exc)) from None
    docs = [_valid_document(d) for d in docs if d.text.strip()]
    if not docs:
        raise UnreadableDocument("no text found")
    return docs


def _valid_document(doc: Document) -> Document:
    """The document with lone surrogates replaced (same length, so offsets and pages still hold)."""
    fields = (doc.id, doc.text, doc.title, doc.source)
    if not any(SURROGATE.search(f) for f in fields):
        return doc
    return replace(
        doc,
        id=valid_text(doc.id),
        text=valid_text(doc.text),
        title=valid_text(doc.title),
        source=valid_text(doc.source),
    )


def load_corpus(root: Path) -> tuple[list[Document], list[Skipped]]:
    """Every readable document under root, and the files that were skipped with their reasons."""
    files, skipped = scan_corpus(root)
    docs: list[Document] = []
    for source in files:
        try:
            docs.extend(load_file(source.path, source.rel))
        except UnreadableDocument as exc:
            skipped.append(Skipped(source.rel, exc.message))
    return docs, skipped
