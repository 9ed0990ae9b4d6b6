"""PDF files through pypdf: the text layer of each page, with page numbers for citations."""

from __future__ import annotations

import io

from assistant.errors import UnreadableDocument
from assistant.ingest.decoding import one_line
from assistant.ingest.document import Document, RawFile


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
        parts: list[str] = []
        pages: list[tuple[int, int]] = []
        offset = 0
        for number, page in enumerate(reader.pages, start=1):
            page_text = (page.extract_text() or "").strip()
            if not page_text:
                continue
            if parts:
                parts.append("\n\n")
                offset += 2
            pages.append((offset, number))
            parts.append(page_text)
            offset += len(page_text)
        title = ""
        if reader.metadata is not None and reader.metadata.title:
            title = str(reader.metadata.title)
    except (UnreadableDocument, FileNotFoundError, PermissionError, MemoryError):
        raise
    except Exception as exc:  # a damaged PDF makes pypdf raise almost anything (loops, limits, bad numbers)
        raise UnreadableDocument(f"corrupt PDF ({type(exc).__name__}: {one_line(str(exc))})") from None
    text = "".join(parts)
    return [Document(id=raw.rel, text=text, source=raw.rel, title=title or raw.stem, pages=tuple(pages))]
