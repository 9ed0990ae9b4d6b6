"""What ingestion produces: a Document to index, a file Skipped with its reason, a SourceFile seen in a scan."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.tables.model import PlacedTable


@dataclass(frozen=True, slots=True)
class Document:
    """One document's text and what to cite it by. `pages` maps character offsets to page numbers."""

    id: str
    text: str
    source: str
    title: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    # (start offset, page number) for each page, in order; empty for unpaged formats.
    pages: tuple[tuple[int, int], ...] = ()
    # the tables in the text, in order, each with the span of its text
    tables: tuple[PlacedTable, ...] = ()
    # what of the file was left out, for the build report ("pages 2, 3 are scanned: install ..."); not text
    notes: tuple[str, ...] = ()

    @property
    def checksum(self) -> str:
        fields: list[Any] = [self.text, self.title, self.metadata, self.pages]
        if self.tables:  # only when present, so documents without tables keep the checksums they had
            fields.append(self.tables)
        payload = json.dumps(fields, sort_keys=True, default=str)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def sections(self) -> list[tuple[int, int, int | None]]:
        """(start, end, page) spans that chunks must not cross: one per page, or the whole text."""
        if not self.pages:
            return [(0, len(self.text), None)]
        bounds = [start for start, _ in self.pages] + [len(self.text)]
        return [(bounds[i], bounds[i + 1], page) for i, (_, page) in enumerate(self.pages)]


@dataclass(frozen=True, slots=True)
class RawFile:
    """A file's bytes as read from the corpus, with its corpus-relative name: what a format reader parses."""

    data: bytes
    rel: str

    @property
    def stem(self) -> str:
        """The file name without folder or suffix: the title of last resort."""
        return Path(self.rel).stem


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file left out of the collection, and why."""

    source: str
    reason: str


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file in the corpus with the checksum of its bytes (lets an update skip parsing unchanged files)."""

    path: Path
    rel: str
    checksum: str
    # (size, mtime_ns) taken before the checksum: a file with the same stat later need not be read again
    stat: tuple[int, int] = (0, 0)
    # (device, inode) the scan saw: the file later opened for reading must be this one (not a swapped link)
    inode: tuple[int, int] | None = None
