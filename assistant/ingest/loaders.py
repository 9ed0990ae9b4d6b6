"""Load files into Documents, skipping (and naming) the ones that cannot be read."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from assistant.errors import UnreadableDocument
from assistant.ingest.corpus import os_reason, scan_corpus
from assistant.ingest.decoding import SURROGATE, valid_text
from assistant.ingest.document import Document, RawFile, Skipped
from assistant.ingest.formats import LOADERS
from assistant.ingest.limits import IngestLimits, check_before_parsing, check_size, check_text

# Above this a file is refused rather than read into memory whole (the default of IngestLimits).
MAX_FILE_BYTES = IngestLimits().max_file_bytes
# Never follow a link at open (the scan checked links; a file swapped for one since is refused), never block
# on a FIFO, never leak the descriptor into a child process.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | os.O_CLOEXEC


def load_file(
    path: Path,
    rel: str | None = None,
    *,
    root: Path | None = None,
    expect: tuple[int, int] | None = None,
    limits: IngestLimits | None = None,
) -> list[Document]:
    """Load one file; raises UnreadableDocument with the reason when it cannot be used.

    With `root`, the file opened must lie inside it; with `expect`, it must be the (device, inode) the
    scan saw: a file swapped for a link or another file after the scan is refused, not read.
    """
    rel = rel if rel is not None else path.name
    limits = limits or IngestLimits()
    suffix = path.suffix.lower()
    loader = LOADERS.get(suffix)
    if loader is None:
        raise UnreadableDocument(f"unsupported file type {path.suffix or '(none)'}")
    data = read_corpus_file(
        path,
        root=root,
        expect=expect,
        max_bytes=limits.max_file_bytes,
        check_size=lambda size: check_size(size, suffix, limits),
    )
    check_before_parsing(data, suffix, limits)
    try:
        docs = loader(RawFile(data, rel))
    except OSError as exc:
        raise UnreadableDocument(os_reason(exc)) from None
    except MemoryError:
        raise UnreadableDocument("ran out of memory while parsing (limit: parse_memory_mb)") from None
    del data
    check_text(sum(len(d.text) for d in docs), limits)
    docs = [_valid_document(d) for d in docs if d.text.strip()]
    if not docs:
        raise UnreadableDocument("no text found")
    return docs


def read_corpus_file(
    path: Path,
    *,
    root: Path | None = None,
    expect: tuple[int, int] | None = None,
    max_bytes: int,
    check_size: Callable[[int], None] | None = None,
) -> bytes:
    """The bytes of a corpus file, read from one descriptor that was checked after it was opened."""
    try:
        fd = _open_no_follow(path, root)
    except OSError as exc:
        raise UnreadableDocument(os_reason(exc)) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnreadableDocument("not a regular file")
        if expect is not None and (st.st_dev, st.st_ino) != expect:
            raise UnreadableDocument("replaced by another file while indexing (not read)")
        if root is not None and not _fd_inside(fd, root):
            raise UnreadableDocument("leads outside the corpus (not read)")
        if st.st_size == 0:
            raise UnreadableDocument("empty file")
        if st.st_size > max_bytes:
            raise UnreadableDocument(f"file too large ({st.st_size // (1024 * 1024)} MB; limit: max_file_mb)")
        if check_size is not None:
            check_size(st.st_size)  # refuse by size before reading a byte
        return _read_all(fd, st.st_size, max_bytes)
    except OSError as exc:
        raise UnreadableDocument(os_reason(exc)) from None
    finally:
        os.close(fd)


def _open_no_follow(path: Path, root: Path | None) -> int:
    try:
        return os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
    # A link: the scan accepts one only to a file inside the corpus; open its target, again without
    # following, and the checks after opening hold whatever the link says now.
    target = path.resolve(strict=True)
    if root is not None and not _inside(target, root.resolve()):
        raise UnreadableDocument("symlink leads outside the corpus (not followed)")
    return os.open(target, _OPEN_FLAGS)


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _fd_inside(fd: int, root: Path) -> bool:
    """Whether the file open on fd has a name inside root (by the kernel's record where it has one)."""
    proc = Path(f"/proc/self/fd/{fd}")
    try:
        actual = Path(os.readlink(proc))
    except OSError:
        return True  # no /proc: the no-follow open and the inode check are the guard
    return _inside(actual, root.resolve())


def _read_all(fd: int, size: int, max_bytes: int) -> bytes:
    """Read to the end of fd, refusing a file that grew past max_bytes while being read."""
    parts: list[bytes] = []
    total = 0
    while True:
        block = os.read(fd, max(1 << 20, min(size - total, 1 << 26)))
        if not block:
            break
        total += len(block)
        if total > max_bytes:
            raise UnreadableDocument("file too large (grew while read; limit: max_file_mb)")
        parts.append(block)
    if not total:
        raise UnreadableDocument("empty file")
    return b"".join(parts)


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
            docs.extend(load_file(source.path, source.rel, root=root, expect=source.inode))
        except UnreadableDocument as exc:
            skipped.append(Skipped(source.rel, exc.message))
    return docs, skipped
