"""Load files of each supported type into Documents, skipping (and naming) the ones that cannot be read."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
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
    # (size, mtime_ns) taken before the checksum: a file with the same stat later need not be read again
    stat: tuple[int, int] = (0, 0)


# --- text decoding -------------------------------------------------------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_text(text: str) -> str:
    """Text with lone surrogates replaced by U+FFFD: they come from undecodable bytes in a file name or bad
    escapes in JSON, and nothing downstream (SQLite, the tokenizer) can encode them."""
    return _SURROGATE.sub("\ufffd", text)


def decode_text(data: bytes) -> str:
    """Decode bytes as UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252; refuse binary data."""
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
    # Windows-1252 (Latin-1 plus curly quotes, dashes and the euro sign) is the usual 8-bit text; Latin-1
    # decodes anything. Accept either only when the result looks like text.
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
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
    import logging

    from pypdf import PdfReader  # imported here: only PDF corpora need it

    # pypdf logs a warning for every flaw it works around; the skip reason is the one line that matters.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
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
    except (UnreadableDocument, FileNotFoundError, PermissionError):
        raise
    except Exception as exc:  # a damaged PDF makes pypdf raise almost anything (loops, limits, bad numbers)
        raise UnreadableDocument(f"corrupt PDF ({type(exc).__name__}: {_one_line(str(exc))})") from None
    text = "".join(parts)
    return [Document(id=rel, text=text, source=rel, title=title or path.stem, pages=tuple(pages))]


def _load_docx(path: Path, rel: str) -> list[Document]:
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
    except OSError as exc:
        raise UnreadableDocument(os_reason(exc)) from None
    if size == 0:
        raise UnreadableDocument("empty file")
    if size > MAX_FILE_BYTES:
        raise UnreadableDocument(f"file too large ({size // (1024 * 1024)} MB)")
    try:
        docs = loader(path, rel)
    except OSError as exc:
        raise UnreadableDocument(os_reason(exc)) from None
    docs = [_valid_document(d) for d in docs if d.text.strip()]
    if not docs:
        raise UnreadableDocument("no text found")
    return docs


def os_reason(exc: OSError) -> str:
    """Why a file could not be read, in a few words."""
    if isinstance(exc, FileNotFoundError):
        return "file disappeared while reading"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    return f"cannot read ({exc.strerror or exc})"


def _one_line(text: str) -> str:
    return " ".join(text.split())[:200]


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _valid_document(doc: Document) -> Document:
    """The document with lone surrogates replaced (same length, so offsets and pages still hold)."""
    fields = (doc.id, doc.text, doc.title, doc.source)
    if not any(_SURROGATE.search(f) for f in fields):
        return doc
    return replace(
        doc,
        id=valid_text(doc.id),
        text=valid_text(doc.text),
        title=valid_text(doc.title),
        source=valid_text(doc.source),
    )


def iter_files(root: Path) -> Iterator[tuple[Path, str | None]]:
    """Supported files under root, sorted, each with why it must be skipped (None when it can be read).

    A symlink is followed only to a file inside root, so nothing outside the corpus is ever read. A symlink
    to a directory inside root is not walked (its files are indexed by their own paths, once), so symlink
    loops end by themselves; a directory reached twice anyway (a bind mount) is walked once.
    """
    base = root.resolve()
    seen: set[tuple[int, int]] = set()

    def walk(directory: Path) -> Iterator[tuple[Path, str | None]]:
        try:
            st = directory.stat()
            key = (st.st_dev, st.st_ino)
            if key in seen:
                return
            seen.add(key)
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            yield directory, f"cannot list directory ({os_reason(exc)})"
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            supported = path.suffix.lower() in SUPPORTED
            try:
                if entry.is_symlink():
                    try:
                        target = path.resolve(strict=True)
                    except FileNotFoundError:
                        if supported:
                            yield path, "broken symlink"
                        continue
                    except (OSError, RuntimeError):  # RuntimeError: a symlink loop, before Python 3.13
                        if supported:
                            yield path, "symlink loop"
                        continue
                    if not _inside(target, base):
                        if supported or target.is_dir():
                            yield path, "symlink leads outside the corpus (not followed)"
                        continue
                    if target.is_dir():
                        continue
                if entry.is_dir():
                    yield from walk(path)
                elif supported and entry.is_file():
                    yield path, None
            except OSError as exc:
                if supported:
                    yield path, os_reason(exc)

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
    for path, reason in iter_files(root):
        rel = valid_text(path.relative_to(root).as_posix())  # a name in another encoding is still indexed
        if reason is not None:
            skipped.append(Skipped(rel, reason))
            continue
        try:
            st = path.stat()
            stat = (st.st_size, st.st_mtime_ns)
            files.append(SourceFile(path=path, rel=rel, checksum=file_checksum(path), stat=stat))
        except OSError as exc:
            skipped.append(Skipped(rel, os_reason(exc)))
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
