"""Plain text and Markdown files, with optional front matter."""

from __future__ import annotations

from pathlib import Path

from assistant.ingest.decoding import decode_text, first_line_title, split_front_matter
from assistant.ingest.document import Document


def load_plain(path: Path, rel: str) -> list[Document]:
    meta, body = split_front_matter(decode_text(path.read_bytes()))
    title = meta.pop("title", "") or first_line_title(body) or path.stem
    return [Document(id=rel, text=body, source=rel, title=title, metadata=meta)]
