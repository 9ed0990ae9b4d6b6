"""Scan a corpus folder: every file under it, readable or with why not, never following a link out of it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from assistant.errors import CorpusNotFound
from assistant.ingest.decoding import escape_name
from assistant.ingest.document import Skipped, SourceFile
from assistant.ingest.formats import SUPPORTED
from assistant.text.checksums import file_sha256


def os_reason(exc: OSError) -> str:
    """Why a file could not be read, in a few words."""
    if isinstance(exc, FileNotFoundError):
        return "file disappeared while reading"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    return f"cannot read ({exc.strerror or exc})"


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def unsupported(path: Path) -> str:
    """The skip reason of a file type no reader handles."""
    return f"unsupported type {path.suffix.lower() or '(no extension)'}"


def iter_files(root: Path) -> Iterator[tuple[Path, str | None]]:
    """Every file under root, sorted, each with why it must be skipped (None when it can be read).

    Names starting with a dot (.git, .DS_Store) are passed over. A symlink is followed only to a file inside
    root, so nothing outside the corpus is ever read. A symlink to a directory inside root is not walked
    (its files are indexed by their own paths, once), so symlink loops end by themselves; a directory
    reached twice anyway (a bind mount) is walked once. Pipes, sockets and devices are never opened.
    """
    base = root.resolve()
    seen: set[tuple[int, int]] = set()

    def walk(directory: Path) -> Iterator[tuple[Path, str | None]]:
        try:
            st = directory.stat()
            key = (st.st_dev, st.st_ino)
            if key in seen:
                return
            seen.add(key)
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            yield directory, f"cannot list directory ({os_reason(exc)})"
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                if entry.is_symlink():
                    try:
                        target = path.resolve(strict=True)
                    except FileNotFoundError:
                        yield path, "broken symlink"
                        continue
                    except (OSError, RuntimeError):  # RuntimeError: a symlink loop, before Python 3.13
                        yield path, "symlink loop"
                        continue
                    if not _inside(target, base):
                        yield path, "symlink leads outside the corpus (not followed)"
                        continue
                    if target.is_dir():
                        continue
                if entry.is_dir():
                    yield from walk(path)
                elif not entry.is_file():
                    yield path, "not a regular file"
                elif path.suffix.lower() not in SUPPORTED:
                    yield path, unsupported(path)
                else:
                    yield path, None
            except OSError as exc:
                yield path, os_reason(exc)

    yield from walk(root)


def corpus_name(path: Path, root: Path) -> str:
    """How a corpus file is named in reports and document ids: its path under root, escaped."""
    return escape_name(path.relative_to(root).as_posix())


def scan_corpus(root: Path) -> tuple[list[SourceFile], list[Skipped]]:
    """The supported files of a corpus directory with their checksums; unreadable ones are skipped."""
    if not root.is_dir():
        raise CorpusNotFound(f"corpus directory not found: {root}")
    files: list[SourceFile] = []
    skipped: list[Skipped] = []
    for path, reason in iter_files(root):
        rel = corpus_name(path, root)
        if reason is not None:
            skipped.append(Skipped(rel, reason))
            continue
        try:
            st = path.stat()
            stat = (st.st_size, st.st_mtime_ns)
            inode = (st.st_dev, st.st_ino)
            files.append(SourceFile(path=path, rel=rel, checksum=file_sha256(path), stat=stat, inode=inode))
        except OSError as exc:
            skipped.append(Skipped(rel, os_reason(exc)))
    return files, skipped
