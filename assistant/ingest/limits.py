"""Limits on what one corpus file may cost to read, and the cheap checks made before a reader parses it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.errors import UnreadableDocument

if TYPE_CHECKING:
    from assistant.config import Settings

MB = 1024 * 1024
# Formats stored as zip archives: their members are inflated by the reader, so their size is checked first.
ZIP_SUFFIXES = (".docx", ".xlsx", ".pptx", ".odt", ".epub")


@dataclass(frozen=True, slots=True)
class IngestLimits:
    """What one file may cost; a file over any limit is skipped and named with the limit it broke.

    The defaults are Settings' defaults (see config.py and the README's Reliability section).
    """

    max_file_bytes: int = 200 * MB  # stored size
    max_unpacked_bytes: int = 256 * MB  # the members of a zip-based file (.docx), summed, before extracting
    max_text_chars: int = 64_000_000  # text extracted from one file
    max_pdf_pages: int = 2_000
    max_html_depth: int = 1_000  # nesting of HTML elements (parsing is quadratic in it)
    # Parse each file in a worker process that is killed after parse_timeout seconds or when it uses more
    # than parse_memory_mb of address space; off, files are parsed in the calling process without limits.
    isolate: bool = False
    parse_timeout: float = 120.0
    parse_memory_mb: int = 2_048

    @classmethod
    def from_settings(cls, settings: Settings) -> IngestLimits:
        return cls(
            max_file_bytes=settings.max_file_mb * MB,
            max_unpacked_bytes=settings.max_unpacked_mb * MB,
            max_text_chars=settings.max_text_chars,
            max_pdf_pages=settings.max_pdf_pages,
            max_html_depth=settings.max_html_depth,
            isolate=settings.parse_worker,
            parse_timeout=settings.parse_timeout,
            parse_memory_mb=settings.parse_memory_mb,
        )


TEXT_SUFFIXES = (".txt", ".md", ".jsonl", ".html", ".htm")


def check_size(size: int, suffix: str, limits: IngestLimits) -> None:
    """Refuse, by its stored size alone, a text file over the text limit: it is not even read."""
    if suffix in TEXT_SUFFIXES and size > limits.max_text_chars:
        # Text formats hold about a character per byte: refuse before reading and decoding.
        raise UnreadableDocument(f"over {limits.max_text_chars:,} bytes of text (limit: max_text_chars)")


def check_before_parsing(data: bytes, suffix: str, limits: IngestLimits) -> None:
    """Refuse, without parsing, a file whose parse would break a limit; UnreadableDocument says which."""
    check_size(len(data), suffix, limits)
    if suffix in ZIP_SUFFIXES:
        check_unpacked_size(data, limits.max_unpacked_bytes)
    if suffix in (".html", ".htm"):
        check_html_depth(data, limits.max_html_depth)
    if suffix == ".pdf":
        check_pdf_pages(data, limits.max_pdf_pages)


def check_pdf_pages(data: bytes, limit: int) -> None:
    """Refuse a PDF of more than `limit` pages, counted from its page tree before any text is extracted."""
    import io
    import logging

    from pypdf import PdfReader  # imported here: only PDF corpora need it

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        pages = len(PdfReader(io.BytesIO(data)).pages)
    except Exception:  # a damaged PDF: the reader names what is wrong with it
        return
    if pages > limit:
        raise UnreadableDocument(
            f"PDF of {pages:,} pages, over the limit of {limit:,} (limit: max_pdf_pages)"
        )


def check_unpacked_size(data: bytes, limit: int) -> None:
    """Refuse a zip archive whose members inflate to more than `limit` bytes, by its directory, before extracting.

    The directory's sizes are what zipfile holds each member to when it extracts (it stops there and fails
    the CRC check), so a member that lies about its size cannot inflate beyond what is counted here.
    """
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except Exception:  # BadZipFile, or whatever a damaged directory makes zipfile raise: the reader says
        return
    if total > limit:
        raise UnreadableDocument(
            f"unpacks to {total // MB:,} MB, over the limit of {limit // MB:,} MB (limit: max_unpacked_mb)"
        )


# Elements whose end tag may be left out (the parser closes them itself) or that have none: they never nest.
_NO_NESTING = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
        "p",
        "li",
        "dt",
        "dd",
        "tr",
        "td",
        "th",
        "thead",
        "tbody",
        "tfoot",
        "option",
        "optgroup",
        "colgroup",
        "caption",
        "rp",
        "rt",
        "rb",
        "rtc",
    ]
)
# [^<>] rather than [^>]: a "<a" never closed by ">" stops at the next "<", so the scan stays linear.
_TAG = re.compile(rb"<(/?)([A-Za-z][A-Za-z0-9-]{0,40})[^<>]*?(/?)>")


def html_depth(data: bytes) -> int:
    """The deepest nesting of HTML elements, counted from the tags alone in one pass (an upper bound)."""
    depth = deepest = 0
    for match in _TAG.finditer(data):
        name = match.group(2).lower().decode("ascii")
        if name in _NO_NESTING or match.group(3):
            continue
        if match.group(1):
            depth = max(0, depth - 1)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def check_html_depth(data: bytes, limit: int) -> None:
    depth = html_depth(data)
    if depth > limit:
        raise UnreadableDocument(
            f"HTML nested {depth:,} elements deep, over the limit of {limit:,} (limit: max_html_depth)"
        )


def check_text(total_chars: int, limits: IngestLimits) -> None:
    """Refuse a file whose readers extracted more text than the limit."""
    if total_chars > limits.max_text_chars:
        raise UnreadableDocument(
            f"{total_chars:,} characters of text, over the limit of {limits.max_text_chars:,} "
            "(limit: max_text_chars)"
        )
