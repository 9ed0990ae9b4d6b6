"""Whether an index is behind its corpus: files added, changed or removed since it was built, read from stats first."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import AssistantError
from assistant.ingest.corpus import corpus_name, iter_files
from assistant.storage.generations import (
    read_manifest,
)
from assistant.text.checksums import file_sha256

if TYPE_CHECKING:
    pass


@dataclass(frozen=True, slots=True)
class CorpusChanges:
    """The corpus files that differ from what the live index was built from (paths relative to the corpus)."""

    new: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.new or self.changed or self.removed)

    def summary(self) -> str:
        return f"{len(self.new)} new, {len(self.changed)} changed, {len(self.removed)} removed"


def corpus_changes(corpus_dir: Path, index_dir: Path) -> CorpusChanges:
    """What changed in corpus_dir since the live index was built from it, by file checksum, without parsing
    or embedding anything. A file that failed to load then and has not changed since is no change. Nothing
    is reported for an index built from another folder (or by a version that did not record its folder):
    it is not this corpus's index to update. Nor without a readable manifest: opening the index says what is
    wrong with it."""
    manifest = safe_manifest(index_dir)
    if manifest is None or manifest.get("corpus") != folder(corpus_dir, index_dir) or not corpus_dir.is_dir():
        return CorpusChanges()
    indexed: dict[str, dict[str, Any]] = manifest.get("files_in_corpus", {})
    unreadable: dict[str, str] = manifest.get("unreadable_in_corpus", {})
    stats: dict[str, list[int]] = manifest.get("stats_in_corpus", {})
    new, changed, present = [], [], set()
    for path, reason in iter_files(corpus_dir):
        rel = corpus_name(path, corpus_dir)
        if reason is not None:
            continue
        present.add(rel)
        try:
            st = path.stat()
            if stats.get(rel) == [st.st_size, st.st_mtime_ns]:
                continue  # same size and modification time as when indexed: not read again
            checksum = file_sha256(path)
        except OSError:
            continue  # unreadable now: the next build names it
        before = indexed.get(rel)
        if before is not None:
            if before.get("sha256") != checksum:
                changed.append(rel)
        elif unreadable.get(rel) != checksum:
            new.append(rel)
    removed = sorted(set(indexed) - present)
    return CorpusChanges(tuple(new), tuple(changed), tuple(removed))


def built_from(index_dir: Path) -> Path | None:
    """The corpus folder the live index in index_dir was built from, as its manifest records it (None when
    there is no readable manifest or it records no folder)."""
    manifest = safe_manifest(index_dir)
    folder = manifest.get("corpus") if manifest is not None else None
    if not isinstance(folder, str):
        return None
    return Path(os.path.normpath(index_dir.resolve() / folder))


def safe_manifest(index_dir: Path) -> dict[str, Any] | None:
    try:
        return read_manifest(index_dir)
    except AssistantError:
        return None  # a damaged index is rebuilt from scratch


def folder(corpus_dir: Path, index_dir: Path) -> str:
    """How the manifest names the corpus folder an index was built from: relative to the index folder, so
    moving a project with its corpus/ and index/ keeps the two together."""
    return os.path.relpath(corpus_dir.resolve(), index_dir.resolve())
