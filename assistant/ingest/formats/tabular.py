"""Files whose content is tables: CSV (one table) and XLSX workbooks (every sheet a table)."""

from __future__ import annotations

import io

from assistant.errors import UnreadableDocument
from assistant.ingest.builder import TextBuilder
from assistant.ingest.decoding import decode_text, one_line
from assistant.ingest.document import Document, RawFile
from assistant.tables.model import Table, infer_header_rows, rectangular
from assistant.tables.units import unit_note_in


def load_csv(raw: RawFile) -> list[Document]:
    import csv  # the standard library's reader handles quoting and embedded newlines

    text = decode_text(raw.data)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    except csv.Error as exc:
        raise UnreadableDocument(f"invalid CSV ({one_line(str(exc))})") from None
    builder = TextBuilder()
    builder.table(_table(rows, raw.stem))
    if not builder.tables:
        raise UnreadableDocument("empty CSV")
    return [Document(raw.rel, builder.text, raw.rel, raw.stem, tables=tuple(builder.tables))]


def load_xlsx(raw: RawFile) -> list[Document]:
    import zipfile

    from openpyxl import load_workbook  # imported here: only spreadsheet corpora need it

    try:
        book = load_workbook(io.BytesIO(raw.data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UnreadableDocument(f"not a valid .xlsx ({type(exc).__name__})") from None
    builder = TextBuilder()
    try:
        for sheet in book.worksheets:
            rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            builder.table(_table(rows, sheet.title))
    finally:
        book.close()
    title = (book.properties.title if book.properties else None) or raw.stem
    return [Document(raw.rel, builder.text, raw.rel, title, tables=tuple(builder.tables))]


def _cell_text(value: object) -> str:
    """A cell value as it reads: integers without ".0", floats without binary noise."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.10g}"
    return str(value)


def _table(rows: list[list[str]], name: str) -> Table:
    """A sheet as a Table: a first row with one cell (a title) becomes the caption; a unit note stays with it."""
    grid = rectangular(rows)
    caption = name
    if len(grid) > 1 and sum(1 for c in grid[0] if c) == 1 and grid[0][0]:
        caption = grid[0][0]
        grid = grid[1:]
    return Table(grid, infer_header_rows(grid), caption, unit_note_in(caption))
