"""Split documents into sentence-aligned chunks of bounded token length that keep their character offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.ingest.document import Document
from assistant.tables.model import PlacedTable, TablePiece, piece_of, row_offsets
from assistant.text.sentences import sentence_spans

if TYPE_CHECKING:
    from assistant.config import Settings


@dataclass(frozen=True, slots=True)
class Chunk:
    """A passage of a document: `text == document.text[start:end]`."""

    id: str
    doc_id: str
    start: int
    end: int
    text: str
    page: int | None = None
    # the table rows this chunk holds, with the table's header and caption (None for prose)
    table: TablePiece | None = None


# The hard cap on a chunk's characters, whatever its token count: a run without spaces (or of spaces) is
# cut there, so one word of megabytes never becomes one chunk (nor one answer of megabytes).
MAX_CHUNK_CHARS = 4_000


@dataclass(frozen=True, slots=True)
class ChunkerSettings:
    max_tokens: int = 200
    overlap_tokens: int = 40
    max_chars: int = MAX_CHUNK_CHARS

    @classmethod
    def from_settings(cls, settings: Settings) -> ChunkerSettings:
        return cls(settings.chunk_tokens, settings.chunk_overlap, settings.max_chunk_chars)

    def to_dict(self) -> dict[str, int]:
        out = {"max_tokens": self.max_tokens, "overlap_tokens": self.overlap_tokens}
        if self.max_chars != MAX_CHUNK_CHARS:  # only when set, so indexes built before the cap still match
            out["max_chars"] = self.max_chars
        return out


_TOKEN = re.compile(r"\w+|[^\w\s]")
# Words that belong to the number before them: never split a long sentence between the two.
_NUMBER_TAIL = re.compile(
    r"(?:hundred|thousand|million|billion|trillion|percent|per|bn|mn|yuan|dollars?|euros?|%)\b", re.I
)


def estimate_tokens(text: str) -> int:
    """Approximate WordPiece token count: long words split into several pieces, punctuation is one each."""
    total = 0
    for piece in _TOKEN.findall(text):
        total += 1 if len(piece) <= 6 or not piece.isalpha() else 1 + (len(piece) - 3) // 6
        if piece[:1].isdigit():
            total += len(piece) // 4
    return total


def _split_long(text: str, start: int, end: int, max_tokens: int) -> list[tuple[int, int]]:
    """Split one over-long sentence at spaces into pieces of at most max_tokens, never inside a number."""
    pieces: list[tuple[int, int]] = []
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[start:end])]
    piece_start = start + words[0][0]
    tokens = 0
    for i, (ws, we) in enumerate(words):
        word = text[start + ws : start + we]
        cost = estimate_tokens(word)
        glued = i > 0 and any(ch.isdigit() for ch in text[start + words[i - 1][0] : start + words[i - 1][1]])
        glued = glued and bool(_NUMBER_TAIL.match(word))
        if tokens + cost > max_tokens and tokens > 0 and not glued:
            prev_end = start + words[i - 1][1]
            pieces.append((piece_start, prev_end))
            piece_start = start + ws
            tokens = 0
        tokens += cost
    pieces.append((piece_start, start + words[-1][1]))
    return pieces


def chunk_document(doc: Document, settings: ChunkerSettings | None = None) -> list[Chunk]:
    """Pack whole sentences into chunks of at most max_tokens, repeating up to overlap_tokens between chunks.

    A table is chunked apart from the prose around it, split only between body rows; every piece keeps
    the table's caption and header rows in its TablePiece.
    """
    settings = settings or ChunkerSettings()
    chunks: list[Chunk] = []
    for sec_start, sec_end, page in doc.sections():
        cursor = sec_start
        for number, placed in enumerate(doc.tables):
            if placed.end <= sec_start or placed.start >= sec_end:
                continue
            chunks.extend(_prose_chunks(doc, cursor, max(cursor, placed.start), page, settings))
            chunks.extend(_table_chunks(doc, placed, number, page, settings))
            cursor = max(cursor, placed.end)
        chunks.extend(_prose_chunks(doc, cursor, sec_end, page, settings))
    return chunks


def _prose_chunks(
    doc: Document, start: int, end: int, page: int | None, settings: ChunkerSettings
) -> list[Chunk]:
    units: list[tuple[int, int, int]] = []
    for s, e in sentence_spans(doc.text, start, end):
        cost = estimate_tokens(doc.text[s:e])
        if cost <= settings.max_tokens:
            units.append((s, e, cost))
        else:
            units.extend(
                (ps, pe, estimate_tokens(doc.text[ps:pe]))
                for ps, pe in _split_long(doc.text, s, e, settings.max_tokens)
            )
    return [
        Chunk(f"{doc.id}#{cs}-{ce}", doc.id, cs, ce, doc.text[cs:ce], page)
        for s, e in _pack(units, settings)
        for cs, ce in cap_span(doc.text, s, e, settings.max_chars)
    ]


def _table_chunks(
    doc: Document, placed: PlacedTable, number: int, page: int | None, settings: ChunkerSettings
) -> list[Chunk]:
    """Pieces of whole body rows of at most max_tokens (a longer row stays whole), no overlap; the first piece
    starts with the caption and header lines. Each piece's TablePiece keeps the headers and section in force."""
    table = placed.table
    if placed.end - placed.start > settings.max_chars * 4:
        # a table too large to keep in pieces of whole rows (a hostile file, or a cell of megabytes) is
        # chunked as text, capped like any prose
        return _prose_chunks(doc, placed.start, placed.end, page, settings)
    rows = row_offsets(table)
    if not rows:  # a table of headers only
        return [_table_chunk(doc, placed.start, placed.end, page, piece_of(table, 0, 0, number))]
    chunks = []
    i = 0
    while i < len(rows):
        j, tokens = i, 0
        while j < len(rows):
            cost = estimate_tokens(doc.text[placed.start + rows[j][0] : placed.start + rows[j][1]])
            if j > i and tokens + cost > settings.max_tokens:
                break
            tokens += cost
            j += 1
        start = placed.start if i == 0 else placed.start + rows[i][0]
        end = placed.start + rows[j - 1][1]
        chunks.append(_table_chunk(doc, start, end, page, piece_of(table, i, j, number)))
        i = j
    return chunks


def _table_chunk(doc: Document, start: int, end: int, page: int | None, piece: TablePiece) -> Chunk:
    return Chunk(f"{doc.id}#{start}-{end}", doc.id, start, end, doc.text[start:end], page, piece)


def cap_span(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """text[start:end] cut into spans of at most max_chars, at the last space before each cut when there is one."""
    spans: list[tuple[int, int]] = []
    while end - start > max_chars:
        cut = start + max_chars
        space = text.rfind(" ", start + max_chars // 2, cut)
        cut = space if space > start else cut
        spans.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        spans.append((start, end))
    return spans


def _pack(units: list[tuple[int, int, int]], settings: ChunkerSettings) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(units):
        j, tokens = i, 0
        while j < len(units) and (j == i or tokens + units[j][2] <= settings.max_tokens):
            tokens += units[j][2]
            j += 1
        spans.append((units[i][0], units[j - 1][1]))
        if j >= len(units):
            break
        # Start the next chunk with the trailing sentences that fit in the overlap budget.
        # The budget leaves room for the next sentence, so every chunk adds new text.
        budget = min(settings.overlap_tokens, settings.max_tokens - units[j][2])
        back, overlap = j, 0
        while back - 1 > i and overlap + units[back - 1][2] <= budget:
            back -= 1
            overlap += units[back][2]
        i = back
    return spans
