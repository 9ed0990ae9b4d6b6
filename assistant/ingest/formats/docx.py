"""Word documents through python-docx: paragraphs, then table rows."""

from __future__ import annotations

from pathlib import Path

from assistant.errors import UnreadableDocument
from assistant.ingest.document import Document


def load_docx(path: Path, rel: str) -> list[Document]:
    import zipfile

    import docx  # imported here: only DOCX corpora need it

    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (FileNotFoundError, PermissionError):
        raise
    except Exception:  # BadZipFile, or whatever a damaged directory makes zipfile raise
        raise UnreadableDocument("not a valid .docx (not a zip archive)") from None
    if "[Content_Types].xml" not in names:
        raise UnreadableDocument("not a valid .docx (a zip archive with no Word document in it)")
    try:
        document = docx.Document(str(path))
    except (FileNotFoundError, PermissionError):
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
    title = document.core_properties.title or (paragraphs[0][:200] if paragraphs else path.stem)
    return [Document(id=rel, text=text, source=rel, title=title)]
