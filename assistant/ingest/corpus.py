"""Scan a corpus folder: the supported files under it, never following a link out of it, with checksums."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from assistant.errors import CorpusNotFound
from assistant.ingest.decoding import valid_text
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


def iter_files(root: Path) -> Iterator[tuple[Path, str | None]]:
    """Supported files under root, sorted, each with why it must be skipped (None when it can be read).

    A symlink is followed only to a file inside root, so nothing outside the corpus is ever read. A symlink
    to a directory inside root is not walked (its files are indexed by their own paths, once), so symlink
    loops end by themselves; a directory reached twice anyway (a bind mount) is walked once.
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
            supported = path.suffix.lower() in SUPPORTED
            try:
                if entry.is_symlink():
                    try:
                        target = path.resolve(strict=True)
                    except FileNotFoundError:
                        if supported:
                            yield path, "broken symlink"
                        continue
                    except (OSError, RuntimeError):  # RuntimeError: a symlink loop, before Python 3.13
                        if supported:
                            yield path, "symlink loop"
                        continue
                    if not _inside(target, base):
                        if supported or target.is_dir():
                            yield path, "symlink leads outside the corpus (not followed)"
                        continue
                    if target.is_dir():
                        continue
                if entry.is_dir():
                    yield from walk(path)
                elif supported and entry.is_file():
                    yield path, None
            except OSError as exc:
                if supported:
                    yield path, os_reason(exc)

    yield from walk(root)


def scan_corpus(root: Path) -> tuple[list[SourceFile], list[Skipped]]:
    """The supported files of a corpus directory with their checksums; unreadable ones are skipped."""
    if not root.is_dir():
        raise CorpusNotFound(f"corpus directory not found: {root}")
    files: list[SourceFile] = []
    skipped: list[Skipped] = []
    for path, reason in iter_files(root):
        rel = valid_text(path.relative_to(root).as_posix())  # a name in another encoding is still indexed
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
