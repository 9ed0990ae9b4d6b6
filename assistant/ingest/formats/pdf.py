"""PDF files through pypdf: the text layer of each page, with page numbers for citations; pages without a
text layer (scans) are rendered with pypdfium2 and read by OCR when the Tesseract engine is installed."""

from __future__ import annotations

import io

from assistant.errors import UnreadableDocument
from assistant.ingest.decoding import one_line
from assistant.ingest.document import Document, RawFile
from assistant.ingest.ocr import INSTALL_HINT, PDF_DPI, is_blank, ocr_available, ocr_image


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
        texts = [(page.extract_text() or "").strip() for page in reader.pages]
        title = ""
        if reader.metadata is not None and reader.metadata.title:
            title = str(reader.metadata.title)
    except (UnreadableDocument, FileNotFoundError, PermissionError, MemoryError):
        raise
    except Exception as exc:  # a damaged PDF makes pypdf raise almost anything (loops, limits, bad numbers)
        raise UnreadableDocument(f"corrupt PDF ({type(exc).__name__}: {one_line(str(exc))})") from None
    notes: tuple[str, ...] = ()
    empty = [i for i, text in enumerate(texts) if not text]
    if empty:
        ocr = ocr_available()
        scanned = _scanned_pages(raw.data, empty, ocr=ocr)  # blank pages drop out here
        if ocr:
            for i, text in scanned.items():
                texts[i] = text
        elif scanned and len(empty) == len(texts):
            raise UnreadableDocument(f"scanned PDF: {INSTALL_HINT}")
        elif scanned:  # the pages with text are indexed, the scanned ones named
            many = len(scanned) > 1
            numbers = ", ".join(str(i + 1) for i in sorted(scanned))
            which = f"pages {numbers} are" if many else f"page {numbers} is"
            notes = (f"{which} scanned: install tesseract-ocr to read {'them' if many else 'it'}",)
    parts: list[str] = []
    pages: list[tuple[int, int]] = []
    offset = 0
    for number, page_text in enumerate(texts, start=1):
        if not page_text:
            continue
        if parts:
            parts.append("\n\n")
            offset += 2
        pages.append((offset, number))
        parts.append(page_text)
        offset += len(page_text)
    text = "".join(parts)
    return [
        Document(
            id=raw.rel, text=text, source=raw.rel, title=title or raw.stem, pages=tuple(pages), notes=notes
        )
    ]


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
