"""The readers of each supported file type, by suffix; each turns a file into Documents."""

from __future__ import annotations

from collections.abc import Callable

from assistant.ingest.document import Document, RawFile
from assistant.ingest.formats import docx, html, jsonl, markdown, pdf, tabular, text

Reader = Callable[[RawFile], list[Document]]

LOADERS: dict[str, Reader] = {
    ".txt": text.load_plain,
    ".md": markdown.load_markdown,
    ".html": html.load_html,
    ".htm": html.load_html,
    ".pdf": pdf.load_pdf,
    ".docx": docx.load_docx,
    ".jsonl": jsonl.load_jsonl,
    ".csv": tabular.load_csv,
    ".xlsx": tabular.load_xlsx,
}
SUPPORTED = tuple(LOADERS)
