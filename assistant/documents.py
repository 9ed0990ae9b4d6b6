"""Load files of each supported type into Documents, skipping (and naming) the ones that cannot be read."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import CorpusNotFound, UnreadableDocument

SUPPORTED = (".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".jsonl")
# Above this a file is refused rather than read into memory whole.
MAX_FILE_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Document:
    """One document's text and what to cite it by. `pages` maps character offsets to page numbers."""

    id: str
    text: str
    source: str
    title: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    # (start offset, page number) for each page, in order; empty for unpaged formats.
    pages: tuple[tuple[int, int], ...] = ()

    @property
    def checksum(self) -> str:
        payload = json.dumps([self.text, self.title, self.metadata, self.pages], sort_keys=True, default=str)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def sections(self) -> list[tuple[int, int, int | None]]:
        """(start, end, page) spans that chunks must not cross: one per page, or the whole text."""
        if not self.pages:
            return [(0, len(self.text), None)]
        bounds = [start for start, _ in self.pages] + [len(self.text)]
        return [(bounds[i], bounds[i + 1], page) for i, (_, page) in enumerate(self.pages)]


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file left out of the collection, and why."""

    source: str
    reason: str


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file in the corpus with the checksum of its bytes (lets an update skip parsing unchanged files)."""

    path: Path
    rel: str
    checksum: str


# --- text decoding -------------------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """Decode bytes as UTF-8 (with or without BOM) or UTF-16 with BOM; refuse binary data."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UnreadableDocument(f"invalid UTF-16 text ({exc.reason})") from None
    if b"\x00" in data[:8192]:
        raise UnreadableDocument("binary data, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Latin-1 decodes anything; accept it only when the result looks like text.
    text = data.decode("latin-1")
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > 0.01 * min(len(text), 8192):
        raise UnreadableDocument("binary data, not text")
    return text


_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n", re.S)


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split a leading `---` block of `key: value` lines (as in Markdown front matter) from the body."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    meta: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            meta[key.strip().lower()] = value.strip().strip("\"'")
    return meta, text[match.end() :]


def _first_line_title(text: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:200]
    return ""


# --- loaders, one per type -----------------------------------------------------------------------------


def _load_plain(path: Path, rel: str) -> list[Document]:
    meta, body = split_front_matter(decode_text(path.read_bytes()))
    title = meta.pop("title", "") or _first_line_title(body) or path.stem
    return [Document(id=rel, text=body, source=rel, title=title, metadata=meta)]


def _load_html(path: Path, rel: str) -> list[Document]:
    from selectolax.lexbor import LexborHTMLParser as HTMLParser  # imported here: only HTML corpora need it

    tree = HTMLParser(decode_text(path.read_bytes()))
    title_node = tree.css_first("title")
    title = title_node.text(strip=True) if title_node else ""
    for node in tree.css("script, style, noscript, template, head, svg"):
        node.decompose()
    body = tree.body or tree.root
    text = body.text(separator="\n", strip=True) if body is not None else ""
    text = re.sub(r"\n{3,}", "\n\n", text)
    return [Document(id=rel, text=text, source=rel, title=title or _first_line_title(text) or path.stem)]


def _load_pdf(path: Path, rel: str) -> list[Document]:
    from pypdf import PdfReader  # imported here: only PDF corpora need it
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
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
    except UnreadableDocument:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise UnreadableDocument(f"corrupt PDF ({type(exc).__name__}: {exc})") from None
    text = "".join(parts)
    return [Document(id=rel, text=text, source=rel, title=title or path.stem, pages=tuple(pages))]


def _load_docx(path: Path, rel: str) -> list[Document]:
    import zipfile

    import docx  # imported here: only DOCX corpora need it

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UnreadableDocument(f"not a valid .docx ({type(exc).__name__})") from None
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


def _load_jsonl(path: Path, rel: str) -> list[Document]:
    docs: list[Document] = []
    text = decode_text(path.read_bytes())
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UnreadableDocument(f"line {lineno}: invalid JSON ({exc.msg})") from None
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
        docs.append(Document(id=str(doc_id), text=body, source=rel, title=title, metadata=metadata))
    return docs


LOADERS = {
    ".txt": _load_plain,
    ".md": _load_plain,
    ".html": _load_html,
    ".htm": _load_html,
    ".pdf": _load_pdf,
    ".docx": _load_docx,
    ".jsonl": _load_jsonl,
}


def load_file(path: Path, rel: str | None = None) -> list[Document]:
    """Load one file; raises UnreadableDocument with the reason when it cannot be used."""
    rel = rel if rel is not None else path.name
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise UnreadableDocument(f"unsupported file type {path.suffix or '(none)'}")
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise UnreadableDocument("file disappeared while reading") from None
    except OSError as exc:
        raise UnreadableDocument(f"cannot read ({exc.strerror})") from None
    if size == 0:
        raise UnreadableDocument("empty file")
    if size > MAX_FILE_BYTES:
        raise UnreadableDocument(f"file too large ({size // (1024 * 1024)} MB)")
    try:
        docs = loader(path, rel)
    except FileNotFoundError:
        raise UnreadableDocument("file disappeared while reading") from None
    except PermissionError:
        raise UnreadableDocument("permission denied") from None
    except IsADirectoryError:
        raise UnreadableDocument("is a directory") from None
    docs = [d for d in docs if d.text.strip()]
    if not docs:
        raise UnreadableDocument("no text found")
    return docs


def iter_files(root: Path) -> Iterator[Path]:
    """Supported files under root, sorted, following directory symlinks once (loops are not followed)."""
    seen: set[tuple[int, int]] = set()

    def walk(directory: Path) -> Iterator[Path]:
        try:
            st = directory.stat()
        except OSError:
            return
        key = (st.st_dev, st.st_ino)
        if key in seen:
            return
        seen.add(key)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                if entry.is_dir():
                    yield from walk(path)
                elif entry.is_file() and path.suffix.lower() in SUPPORTED:
                    yield path
                elif entry.is_symlink() and not path.exists():
                    yield path  # a dangling link: reported as unreadable rather than ignored
            except OSError:
                continue

    yield from walk(root)


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def scan_corpus(root: Path) -> tuple[list[SourceFile], list[Skipped]]:
    """The supported files of a corpus directory with their checksums; unreadable ones are skipped."""
    if not root.is_dir():
        raise CorpusNotFound(f"corpus directory not found: {root}")
    files: list[SourceFile] = []
    skipped: list[Skipped] = []
    for path in iter_files(root):
        rel = path.relative_to(root).as_posix()
        try:
            files.append(SourceFile(path=path, rel=rel, checksum=file_checksum(path)))
        except FileNotFoundError:
            skipped.append(Skipped(rel, "file disappeared while reading"))
        except OSError as exc:
            skipped.append(Skipped(rel, f"cannot read ({exc.strerror or exc})"))
    return files, skipped


def load_corpus(root: Path) -> tuple[list[Document], list[Skipped]]:
    """Every readable document under root, and the files that were skipped with their reasons."""
    files, skipped = scan_corpus(root)
    docs: list[Document] = []
    for source in files:
        try:
            docs.extend(load_file(source.path, source.rel))
        except UnreadableDocument as exc:
            skipped.append(Skipped(source.rel, exc.message))
    return docs, skipped
