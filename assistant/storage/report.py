"""What a build reports: each file's outcome, the counts, and the progress callbacks it takes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.ingest.document import Skipped

if TYPE_CHECKING:
    pass


# Called with (chunks embedded so far, chunks to embed in all).
Progress = Callable[[int, int], None]


# Called before each file is parsed with (files parsed so far, files to parse in all, the file's name).
FileProgress = Callable[[int, int, str], None]


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """What an index run did with one corpus file: "indexed", "unchanged" or "skipped", with the reason it
    was skipped (or, for a file read in part, what was left out)."""

    source: str
    status: str
    reason: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"source": self.source, "status": self.status, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What an index run did; `files` accounts for every file of the corpus, in corpus order."""

    added: int
    updated: int
    removed: int
    unchanged: int
    skipped: tuple[Skipped, ...]
    documents: int
    chunks: int
    embedded: int
    seconds: float
    written: bool
    note: str = ""
    files: tuple[FileOutcome, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The report as data: what `index --json` prints."""
        return {
            "written": self.written,
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "documents": self.documents,
            "chunks": self.chunks,
            "embedded": self.embedded,
            "seconds": round(self.seconds, 3),
            "note": self.note,
            "files": [f.to_dict() for f in self.files],
            "skipped": [{"source": s.source, "reason": s.reason} for s in self.skipped],
        }

    def summary(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.removed} removed, {self.unchanged} unchanged; "
            f"{self.documents} documents, {self.chunks} chunks ({self.embedded} embedded) in {self.seconds:.1f} s; "
            f"{len(self.skipped)} skipped"
        )
