"""PDF files through pypdf: the text layer of each page, with page numbers for citations; pages without a
text layer (scans) are rendered with pypdfium2 and read by OCR when the Tesseract engine is installed; pages
with ruled tables are read through pdfplumber, which gives a table's cells where pypdf gives only lines."""

from __future__ import annotations

import io
from typing import Any

from assistant.errors import UnreadableDocument
from assistant.ingest.builder import TextBuilder
from assistant.ingest.decoding import one_line
from assistant.ingest.document import Document, RawFile
from assistant.ingest.ocr import INSTALL_HINT, PDF_DPI, is_blank, ocr_available, ocr_image
from assistant.tables.model import Table, infer_header_rows, rectangular
from assistant.tables.units import unit_note_in


def load_pdf(raw: RawFile) -> list[Document]:
    texts, title = _text_layer(raw.data)
    notes = _read_scanned_pages(raw.data, texts)
    page_tables = _tables_by_page(raw.data)
    builder = TextBuilder()
    pages: list[tuple[int, int]] = []
    for number, page_text in enumerate(texts, start=1):
        start = builder.length + (2 if builder.parts else 0)
        before = len(builder.parts)
        blocks = page_tables.get(number)
        if blocks:  # a page with ruled tables: its text and tables top to bottom
            for block in blocks:
                if isinstance(block, Table):
                    builder.table(block)
                else:
                    builder.paragraph(block)
        else:
            builder.paragraph(page_text)
        if len(builder.parts) > before:
            pages.append((start, number))
    return [
        Document(
            id=raw.rel,
            text=builder.text,
            source=raw.rel,
            title=title or raw.stem,
            pages=tuple(pages),
            tables=tuple(builder.tables),
            notes=notes,
        )
    ]


def _text_layer(data: bytes) -> tuple[list[str], str]:
    """Each page's text layer ("" for a page without one) and the document's title."""
    import logging

    from pypdf import PdfReader  # imported here: only PDF corpora need it

    # pypdf logs a warning for every flaw it works around; the skip reason is the one line that matters.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise UnreadableDocument("password-protected PDF")
            except UnreadableDocument:
                raise
            except Exception:
                raise UnreadableDocument("password-protected PDF") from None
        texts = [(page.extract_text() or "").strip() for page in reader.pages]
        title = ""
        if reader.metadata is not None and reader.metadata.title:
            title = str(reader.metadata.title)
    except (UnreadableDocument, FileNotFoundError, PermissionError, MemoryError):
        raise
    except Exception as exc:  # a damaged PDF makes pypdf raise almost anything (loops, limits, bad numbers)
        raise UnreadableDocument(f"corrupt PDF ({type(exc).__name__}: {one_line(str(exc))})") from None
    return texts, title


def _read_scanned_pages(data: bytes, texts: list[str]) -> tuple[str, ...]:
    """Fill in the pages without a text layer by OCR when the engine is installed; otherwise the notes that
    name them (a PDF of scans alone is refused with the install hint)."""
    empty = [i for i, text in enumerate(texts) if not text]
    if not empty:
        return ()
    ocr = ocr_available()
    scanned = _scanned_pages(data, empty, ocr=ocr)  # blank pages drop out here
    if ocr:
        for i, text in scanned.items():
            texts[i] = text
        return ()
    if scanned and len(empty) == len(texts):
        raise UnreadableDocument(f"scanned PDF: {INSTALL_HINT}")
    if not scanned:
        return ()
    many = len(scanned) > 1  # the pages with text are indexed, the scanned ones named
    numbers = ", ".join(str(i + 1) for i in sorted(scanned))
    which = f"pages {numbers} are" if many else f"page {numbers} is"
    return (f"{which} scanned: install tesseract-ocr to read {'them' if many else 'it'}",)


def _scanned_pages(data: bytes, indexes: list[int], *, ocr: bool) -> dict[int, str]:
    """The pages at the given (0-based) indexes that show something (a small rendering tells a blank page),
    each with its OCR text, rendered at PDF_DPI (or "" when ocr is False)."""
    import pypdfium2  # imported here: only PDFs with pages without text need the renderer

    try:
        document = pypdfium2.PdfDocument(data)
    except Exception as exc:  # pdfium refuses some files pypdf reads
        raise UnreadableDocument(f"scanned PDF that cannot be rendered ({one_line(str(exc))})") from None
    try:
        found: dict[int, str] = {}
        for i in indexes:
            try:
                page = document[i]
                try:
                    image = page.render(scale=0.25).to_pil()
                    if is_blank(image):
                        continue
                    if ocr:
                        image = page.render(scale=PDF_DPI / 72).to_pil()
                finally:
                    page.close()
            except Exception as exc:  # a damaged page (or one pdfium does not count) cannot be rendered
                raise UnreadableDocument(
                    f"scanned PDF whose page {i + 1} cannot be rendered ({one_line(str(exc))})"
                ) from None
            found[i] = ocr_image(image) if ocr else ""
        return found
    finally:
        document.close()


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
