"""Plain text and Markdown files, with optional YAML front matter."""

from __future__ import annotations

from assistant.ingest.decoding import decode_text, first_line_title, split_front_matter
from assistant.ingest.document import Document, RawFile


def load_plain(raw: RawFile) -> list[Document]:
    meta, body = split_front_matter(decode_text(raw.data))
    title = meta.pop("title", None)
    title = str(title).strip() if title is not None else ""
    return [
        Document(
            id=raw.rel,
            text=body,
            source=raw.rel,
            title=title or first_line_title(body) or raw.stem,
            metadata=meta,
        )
    ]
