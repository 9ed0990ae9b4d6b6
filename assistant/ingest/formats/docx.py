"""Word documents through python-docx: paragraphs, then table rows."""

from __future__ import annotations

import io

from assistant.errors import UnreadableDocument
from assistant.ingest.document import Document, RawFile


def load_docx(raw: RawFile) -> list[Document]:
    import zipfile

    import docx  # imported here: only DOCX corpora need it

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
    paragraphs = [p.text.strip() for p in document.paragraphs if p.text and p.text.strip()]
    for table in document.tables:
        for row in table.rows:
            cells = [cell.text.strip() for cell in row.cells if cell.text.strip()]
            if cells:
                paragraphs.append(" | ".join(cells))
    text = "\n\n".join(paragraphs)
    title = document.core_properties.title or (paragraphs[0][:200] if paragraphs else raw.stem)
    return [Document(id=raw.rel, text=text, source=raw.rel, title=title)]
