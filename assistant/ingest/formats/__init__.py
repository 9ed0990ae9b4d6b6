"""The readers of each supported file type, by suffix; each turns a file into Documents."""

from __future__ import annotations

from collections.abc import Callable

from assistant.ingest.document import Document, RawFile
from assistant.ingest.formats import docx, html, image, jsonl, markdown, pdf, pptx, rst, tabular, text

Reader = Callable[[RawFile], list[Document]]

LOADERS: dict[str, Reader] = {
    ".txt": text.load_plain,
    ".md": markdown.load_markdown,
    ".rst": rst.load_rst,
    ".html": html.load_html,
    ".htm": html.load_html,
    ".pdf": pdf.load_pdf,
    ".docx": docx.load_docx,
    ".pptx": pptx.load_pptx,
    ".jsonl": jsonl.load_jsonl,
    ".csv": tabular.load_csv,
    ".xlsx": tabular.load_xlsx,
    # images are read by OCR when the Tesseract engine is installed, and skipped with the hint otherwise
    **dict.fromkeys(image.IMAGE_SUFFIXES, image.load_image),
}
SUPPORTED = tuple(LOADERS)
