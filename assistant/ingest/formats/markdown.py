"""Markdown files: the text as written, with each pipe table kept as a table in place."""

from __future__ import annotations

import re

from assistant.ingest.builder import TextBuilder
from assistant.ingest.decoding import decode_text, first_line_title, split_front_matter
from assistant.ingest.document import Document, RawFile
from assistant.tables.model import PlacedTable, Table, infer_header_rows, rectangular
from assistant.tables.units import unit_note_in

# the line under a pipe table's header: | --- | :---: | ---: |
_DELIMITER = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_CAPTION = re.compile(r"^\s*(?:#{1,6}\s+|\*\*|_|Table\b)", re.IGNORECASE)


def load_markdown(raw: RawFile) -> list[Document]:
    meta, body = split_front_matter(decode_text(raw.data))
    title = meta.pop("title", None)  # YAML may give a number or a date
    title = (str(title).strip() if title is not None else "") or first_line_title(body) or raw.stem
    text, tables = _with_tables(body)
    return [Document(id=raw.rel, text=text, source=raw.rel, title=title, metadata=meta, tables=tables)]


def split_cells(line: str) -> list[str]:
    """The cells of a pipe-table line; an escaped pipe (\\|) stays inside its cell."""
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    return [c.replace("\\|", "|").strip() for c in re.split(r"(?<!\\)\|", line)]


def _with_tables(body: str) -> tuple[str, tuple[PlacedTable, ...]]:
    """The text with each pipe table read as a table; a text without one comes back unchanged."""
    lines = body.split("\n")
    found: list[tuple[int, int]] = []  # (header line, end line) of each table
    i = 0
    while i + 1 < len(lines):
        if "|" in lines[i] and _DELIMITER.match(lines[i + 1]) and lines[i + 1].count("-") >= 3:
            end = i + 2
            while end < len(lines) and "|" in lines[end] and lines[end].strip():
                end += 1
            found.append((i, end))
            i = end
        else:
            i += 1
    if not found:
        return body, ()
    builder = TextBuilder()
    cursor = 0
    for start, end in found:
        before = lines[cursor:start]
        caption = ""
        while before and not before[-1].strip():
            before.pop()
        if before and _CAPTION.match(before[-1]) and len(before[-1]) <= 120:
            caption = before.pop().strip().lstrip("#").strip().strip("*_").strip()
        builder.paragraph("\n".join(before))
        rows = [split_cells(lines[start])] + [split_cells(x) for x in lines[start + 2 : end]]
        grid = rectangular(rows)
        if grid:
            builder.table(Table(grid, infer_header_rows(grid, 1), caption, unit_note_in(caption)))
        cursor = end
    builder.paragraph("\n".join(lines[cursor:]))
    return builder.text, tuple(builder.tables)
