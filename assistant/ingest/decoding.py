"""Bytes to text: encodings, invalid characters, file names, front matter and a fallback title."""

from __future__ import annotations

import codecs
import datetime
import re
import unicodedata
from typing import Any

from assistant.errors import UnreadableDocument

SURROGATE = re.compile("[\ud800-\udfff]")

# When the detector finds several encodings that decode the bytes equally cleanly (short Western text often
# fits a dozen 8-bit code pages), the Windows code page an office machine most likely wrote it in wins.
_PREFERRED = ("cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1257", "cp1255", "cp1256", "cp1258")
# Results within this much of the cleanest one count as equally clean.
_CHAOS_TOLERANCE = 0.02
# Above this share of disorder (charset-normalizer's mess ratio) no decoding is trusted.
_MAX_CHAOS = 0.2


def valid_text(text: str) -> str:
    """Text with lone surrogates replaced by U+FFFD: they come from undecodable bytes in a file name or bad
    escapes in JSON, and nothing downstream (SQLite, the tokenizer) can encode them."""
    return SURROGATE.sub("\ufffd", text)


def _escaped_char(ch: str) -> str:
    code = ord(ch)
    if ch == "\\":
        return "\\\\"
    if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, as os.fsdecode's surrogateescape keeps it
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x80:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def _needs_escape(ch: str) -> bool:
    if ch == "\\" or "\ud800" <= ch <= "\udfff":
        return True
    # control characters, line and paragraph separators, and the bidirectional overrides that reorder
    # what a terminal shows
    return (
        unicodedata.category(ch) in ("Cc", "Zl", "Zp")
        or "\u202a" <= ch <= "\u202e"
        or "\u2066" <= ch <= "\u2069"
    )


def escape_name(name: str) -> str:
    """A file name safe to print and to use as a document id: control characters, separators and bytes that
    are not UTF-8 become backslash escapes (a backslash doubles), so distinct names stay distinct and the
    escaping can be undone."""
    if not any(_needs_escape(ch) for ch in name):
        return name
    return "".join(_escaped_char(ch) if _needs_escape(ch) else ch for ch in name)


def printable(text: str) -> str:
    """A message on one line: control characters (a newline in a library's message) escaped."""
    return "".join(_escaped_char(ch) if ch != "\\" and _needs_escape(ch) else ch for ch in valid_text(text))


def decode_text(data: bytes) -> str:
    """Decode bytes as UTF-8 or UTF-16 with a byte-order mark, UTF-8, or the encoding charset-normalizer finds
    (GBK, Big5, Shift-JIS, EUC-KR, the Windows code pages, ...); refuse binary data and text whose encoding
    cannot be told with confidence (indexing mojibake would only mislead)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
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
    text = _detected(data)
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > 0.01 * min(len(text), 8192):
        raise UnreadableDocument("binary data, not text")
    return text


def _detected(data: bytes) -> str:
    from charset_normalizer import from_bytes  # imported here: only text that is not UTF-8 needs it

    # UTF-16 and UTF-32 without a byte-order mark fit any even-length CJK text (into Hangul soup); real
    # ones carry a BOM (handled above) or hold zero bytes (refused as binary)
    results = [
        r for r in from_bytes(data, threshold=_MAX_CHAOS) if not r.encoding.startswith(("utf_16", "utf_32"))
    ]
    if not results:
        if sum(1 for b in data[:8192] if b < 32 and b not in b"\t\n\r\f") > 0.01 * min(len(data), 8192):
            raise UnreadableDocument("binary data, not text")
        raise UnreadableDocument("not UTF-8, and no other encoding fits it with confidence")
    cleanest = min(r.chaos for r in results)
    close = [r for r in results if r.chaos <= cleanest + _CHAOS_TOLERANCE]
    rank = {encoding: i for i, encoding in enumerate(_PREFERRED)}
    head = data[:16384]  # enough to judge by, without decoding a large file once per candidate

    def score(item: tuple[int, Any]) -> tuple[int, int, int]:
        order, result = item
        sample = head.decode(result.encoding, errors="ignore")
        return (_mojibake(sample), rank.get(result.encoding, len(rank)), order)

    # the fewest marks of a wrong East Asian guess, then the likeliest code page, then the detector's order
    return str(min(enumerate(close), key=score)[1])


def _mojibake(text: str) -> int:
    """Signs that East Asian text was decoded with the wrong code page: a short text fits several, and the
    wrong ones give loose Hangul jamo, half-width katakana, Hangul syllables that Korean's own 2,350-syllable
    set (KS X 1001) lacks, Hangul run together with Chinese characters, or Hangul words longer than Korean
    writes them (it puts spaces between words)."""
    count = 0
    previous = ""
    run = 0
    for ch in text[:4000]:
        code = ord(ch)
        hangul = 0xAC00 <= code <= 0xD7A3
        run = run + 1 if hangul else 0
        if run > 8:
            count += 1
        if 0x3130 <= code <= 0x318F or 0xFF61 <= code <= 0xFF9F:
            count += 1
        elif hangul:
            try:
                ch.encode("euc-kr")
            except UnicodeEncodeError:
                count += 1
        han = 0x4E00 <= code <= 0x9FFF
        if (hangul and previous == "han") or (han and previous == "hangul"):
            count += 1
        previous = "hangul" if hangul else "han" if han else ""
    return count


_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.S)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split a leading `---` YAML block (Markdown front matter) from the body; keys are lower-cased, dates
    become ISO strings. A block that is not a YAML mapping is left in the body as text."""
    import yaml  # imported here: only files that start with front matter need it

    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        data = yaml.safe_load(match.group(1) or "")
    except yaml.YAMLError:
        return {}, text
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return {}, text
    meta = {str(key).strip().lower(): _plain(value) for key, value in data.items() if str(key).strip()}
    return meta, text[match.end() :]


def _plain(value: Any) -> Any:
    """A YAML value as JSON data: dates as ISO strings, mappings and lists kept, anything else as text."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def first_line_title(text: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:200]
    return ""


def one_line(text: str) -> str:
    """A message from a library on one line of at most 200 characters."""
    return " ".join(text.split())[:200]
