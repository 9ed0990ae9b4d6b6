"""PDF files: the text layer of each page through pypdf, with page numbers for citations; pages with ruled
tables are read through pdfplumber, which gives a table's cells where pypdf gives only its text lines."""

from __future__ import annotations

import io
from typing import Any

from assistant.errors import UnreadableDocument
from assistant.ingest.builder import TextBuilder
from assistant.ingest.decoding import one_line
from assistant.ingest.document import Document, RawFile
from assistant.tables.model import Table, infer_header_rows, rectangular
from assistant.tables.units import unit_note_in


def load_pdf(raw: RawFile) -> list[Document]:
    import logging

    from pypdf import PdfReader  # imported here: only PDF corpora need it

    # pypdf logs a warning for every flaw it works around; the skip reason is the one line that matters.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(raw.data))
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise UnreadableDocument("password-protected PDF")
            except UnreadableDocument:
                raise
            except Exception:
                raise UnreadableDocument("password-protected PDF") from None
        page_tables = _tables_by_page(raw.data)
        builder = TextBuilder()
        pages: list[tuple[int, int]] = []
        for number, page in enumerate(reader.pages, start=1):
            start = builder.length + (2 if builder.parts else 0)
            before = len(builder.parts)
            blocks = page_tables.get(number)
            if blocks:
                for block in blocks:
                    if isinstance(block, Table):
                        builder.table(block)
                    else:
                        builder.paragraph(block)
            else:
                builder.paragraph(page.extract_text() or "")
            if len(builder.parts) > before:
                pages.append((start, number))
        title = ""
        if reader.metadata is not None and reader.metadata.title:
            title = str(reader.metadata.title)
    except (UnreadableDocument, FileNotFoundError, PermissionError):
        raise
    except Exception as exc:  # a damaged PDF makes pypdf raise almost anything (loops, limits, bad numbers)
        raise UnreadableDocument(f"corrupt PDF ({type(exc).__name__}: {one_line(str(exc))})") from None
    return [
        Document(
            id=raw.rel,
            text=builder.text,
            source=raw.rel,
            title=title or raw.stem,
            pages=tuple(pages),
            tables=tuple(builder.tables),
        )
    ]


def _tables_by_page(data: bytes) -> dict[int, list[str | Table]]:
    """For each page with a ruled table: its text above, between and below the tables, and the tables, top
    to bottom. A PDF pdfplumber cannot read is read as text alone."""
    try:
        import pdfplumber  # imported here: only PDF corpora need it
    except ImportError:  # pragma: no cover - a declared dependency
        return {}
    out: dict[int, list[str | Table]] = {}
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                found = [t for t in page.find_tables() if len(t.rows) >= 2]
                if found:
                    out[number] = _page_blocks(page, found)
    except Exception:  # pdfminer raises many kinds of errors on damaged files; pypdf's reading stands
        return {}
    return out


def _page_blocks(page: Any, found: list[Any]) -> list[str | Table]:
    found.sort(key=lambda t: t.bbox[1])
    blocks: list[str | Table] = []
    top = page.bbox[1]
    previous = ""
    for table in found:
        _, t_top, _, t_bottom = table.bbox
        above = _text(page, top, t_top)
        if above:
            blocks.append(above)
            previous = above.rsplit("\n", 1)[-1]
        rows = [[c or "" for c in row] for row in table.extract()]
        grid = rectangular(rows)
        if grid:
            note = unit_note_in(previous) if len(previous) <= 80 else ""
            blocks.append(Table(grid, infer_header_rows(grid), note, note))
        top = t_bottom
    below = _text(page, top, page.bbox[3])
    if below:
        blocks.append(below)
    return blocks


def _text(page: Any, top: float, bottom: float) -> str:
    if bottom - top < 1:
        return ""
    box = (page.bbox[0], top, page.bbox[2], bottom)
    return str(page.crop(box).extract_text() or "").strip()
