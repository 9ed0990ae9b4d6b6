"""Word documents through python-docx: paragraphs and tables in the order they stand."""

from __future__ import annotations

import io
from typing import Any

from assistant.errors import UnreadableDocument
from assistant.ingest.builder import TextBuilder
from assistant.ingest.document import Document, RawFile
from assistant.tables.model import Table, infer_header_rows, rectangular
from assistant.tables.units import unit_note_in


def load_docx(raw: RawFile) -> list[Document]:
    import zipfile

    import docx  # imported here: only DOCX corpora need it
    from docx.table import Table as DocxTable

    try:
        with zipfile.ZipFile(io.BytesIO(raw.data)) as archive:
            names = set(archive.namelist())
    except (FileNotFoundError, PermissionError, MemoryError):  # MemoryError: the worker names the limit
        raise
    except Exception:  # BadZipFile, or whatever a damaged directory makes zipfile raise
        raise UnreadableDocument("not a valid .docx (not a zip archive)") from None
    if "[Content_Types].xml" not in names:
        raise UnreadableDocument("not a valid .docx (a zip archive with no Word document in it)")
    try:
        document = docx.Document(io.BytesIO(raw.data))
    except (FileNotFoundError, PermissionError, MemoryError):  # MemoryError: the worker names the limit
        raise
    except Exception as exc:  # python-docx raises assorted errors for packages that are not Word files
        raise UnreadableDocument(f"not a valid .docx ({type(exc).__name__})") from None
    builder = TextBuilder()
    first = ""
    previous = ""
    for block in document.iter_inner_content():
        if isinstance(block, DocxTable):
            table = _read_table(block, previous)
            builder.table(table)
            previous = ""
            continue
        text = block.text.strip() if block.text else ""
        if text:
            builder.paragraph(text)
            first = first or text
            previous = text
    title = document.core_properties.title or (first[:200] if first else raw.stem)
    return [
        Document(id=raw.rel, text=builder.text, source=raw.rel, title=title, tables=tuple(builder.tables))
    ]


def _read_table(block: Any, previous: str) -> Table:
    """A Word table as a Table: merged cells repeat their text in each slot (python-docx gives the merged
    cell for every grid column and row it covers), empty cells stay so that columns keep their place."""
    rows = [[cell.text for cell in row.cells] for row in block.rows]
    grid = rectangular(rows)
    header = 0
    for row in block.rows:
        props = row._tr.trPr  # a row marked "repeat as header row" (w:tblHeader)
        if props is None or not any(el.tag.endswith("}tblHeader") for el in props):
            break
        header += 1
    note = unit_note_in(previous) if len(previous) <= 80 else ""
    caption = previous if note and previous else ""
    return Table(grid, infer_header_rows(grid, header if header < len(grid) else 0), caption, note)
