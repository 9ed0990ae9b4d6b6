"""Bytes to text: encodings, invalid characters, front matter and a fallback title."""

from __future__ import annotations

import re

from assistant.errors import UnreadableDocument

SURROGATE = re.compile("[\ud800-\udfff]")


def valid_text(text: str) -> str:
    """Text with lone surrogates replaced by U+FFFD: they come from undecodable bytes in a file name or bad
    escapes in JSON, and nothing downstream (SQLite, the tokenizer) can encode them."""
    return SURROGATE.sub("\ufffd", text)


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


def first_line_title(text: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:200]
    return ""


def one_line(text: str) -> str:
    """A message from a library on one line of at most 200 characters."""
    return " ".join(text.split())[:200]
