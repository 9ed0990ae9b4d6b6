"""Split documents into sentence-aligned chunks of bounded token length that keep their character offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.ingest.document import Document
from assistant.tables.model import PlacedTable, TablePiece, piece_of, row_offsets


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


@dataclass(frozen=True, slots=True)
class ChunkerSettings:
    max_tokens: int = 200
    overlap_tokens: int = 40

    def to_dict(self) -> dict[str, int]:
        return {"max_tokens": self.max_tokens, "overlap_tokens": self.overlap_tokens}


# Words that end with a period without ending a sentence. Single capitals ("J. Smith") and dotted
# acronyms ("U.S.", "e.g.") are recognised by pattern instead.
ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "mt",
        "no",
        "nos",
        "vol",
        "vols",
        "fig",
        "figs",
        "eq",
        "eqs",
        "approx",
        "est",
        "dept",
        "univ",
        "inc",
        "ltd",
        "co",
        "corp",
        "plc",
        "llc",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mon",
        "tue",
        "tues",
        "wed",
        "thu",
        "thur",
        "thurs",
        "fri",
        "sat",
        "sun",
        "etc",
        "vs",
        "cf",
        "al",
        "ca",
        "gen",
        "gov",
        "sen",
        "rep",
        "rev",
        "col",
        "lt",
        "sgt",
        "capt",
        "cmdr",
        "adm",
        "pp",
        "ed",
        "eds",
        "op",
        "art",
        "sec",
        "ch",
        "para",
        "ave",
        "blvd",
        "rd",
    ]
)
_ACRONYM = re.compile(r"(?:[A-Za-z]\.){2,}|[A-Z]\.")
# A sentence ends at . ! ? (plus closing quotes/brackets) followed by space, or at a blank line.
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s)|\n[ \t]*\n")
_TOKEN = re.compile(r"\w+|[^\w\s]")
_VISIBLE = re.compile(r"\S")
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


def _is_abbreviation(text: str, end: int) -> bool:
    """True when the period at text[end-1] closes an abbreviation or initial rather than a sentence."""
    start = end - 1
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in "(\"'“":
        start -= 1
    word = text[start:end]
    if _ACRONYM.fullmatch(word.lstrip("(\"'“")):
        return True
    return word[:-1].lower().rstrip(".") in ABBREVIATIONS


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences in text[start:end], whitespace trimmed, in order."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _BOUNDARY.finditer(text, start, end):
        stop = match.end()
        if "\n" not in match.group():
            # Continue the sentence after an abbreviation or before a lower-case word ("approx. five").
            # Look at the next visible character only: slicing the rest of the text here made long
            # documents quadratic.
            after = _VISIBLE.search(text, stop, end)
            if (
                text[match.start()] == "."
                and match.end() - match.start() == 1
                and _is_abbreviation(text, stop)
            ):
                continue
            if after is not None and after.group().islower():
                continue
        _append_trimmed(text, cursor, stop, spans)
        cursor = stop
    _append_trimmed(text, cursor, end, spans)
    return spans


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


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
    return [Chunk(f"{doc.id}#{s}-{e}", doc.id, s, e, doc.text[s:e], page) for s, e in _pack(units, settings)]


def _table_chunks(
    doc: Document, placed: PlacedTable, number: int, page: int | None, settings: ChunkerSettings
) -> list[Chunk]:
    """Pieces of whole body rows of at most max_tokens (a longer row stays whole), no overlap; the first piece
    starts with the caption and header lines. Each piece's TablePiece keeps the headers and section in force."""
    table = placed.table
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
