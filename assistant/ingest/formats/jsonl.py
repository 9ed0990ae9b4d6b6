"""JSON Lines: one document per line, with `_id` or `id`, `text`, `title` and metadata."""

from __future__ import annotations

import json

from assistant.errors import UnreadableDocument
from assistant.ingest.decoding import decode_text
from assistant.ingest.document import Document, RawFile


def load_jsonl(raw: RawFile) -> list[Document]:
    docs: list[Document] = []
    text = decode_text(raw.data)
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UnreadableDocument(f"line {lineno}: invalid JSON ({exc.msg})") from None
        except RecursionError:
            raise UnreadableDocument(f"line {lineno}: invalid JSON (nested too deeply)") from None
        except ValueError:  # Python refuses to convert integers of more than 4,300 digits
            raise UnreadableDocument(f"line {lineno}: invalid JSON (a number too long)") from None
        if not isinstance(record, dict):
            raise UnreadableDocument(f"line {lineno}: expected a JSON object")
        doc_id = record.pop("_id", None)
        if doc_id is None:
            doc_id = record.pop("id", None)
        if doc_id is None:
            raise UnreadableDocument(f"line {lineno}: no '_id' or 'id' field")
        body = record.pop("text", "")
        title = record.pop("title", "") or ""
        if not isinstance(body, str) or not isinstance(title, str):
            raise UnreadableDocument(f"line {lineno}: 'text' and 'title' must be strings")
        metadata = record.pop("metadata", {})
        metadata = dict(metadata) if isinstance(metadata, dict) else {"metadata": metadata}
        metadata.update(record)
        docs.append(Document(id=str(doc_id), text=body, source=raw.rel, title=title, metadata=metadata))
    return docs
