"""Sentences: one splitter for every stage (chunking, figure context, answer sentences)."""

from __future__ import annotations

import re

from assistant.text.words import word_list

# Words that end with a period without ending a sentence. Single capitals ("J. Smith") and dotted
# acronyms ("U.S.", "e.g.") are recognised by pattern instead.
ABBREVIATIONS = frozenset(
    word_list(
        "mr mrs ms dr prof sr jr st mt no nos vol vols fig figs eq eqs approx est dept univ inc ltd co corp "
        "plc llc jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat "
        "sun etc vs cf al ca gen gov sen rep rev col lt sgt capt cmdr adm pp ed eds op art sec ch para ave "
        "blvd rd"
    )
)
_ACRONYM = re.compile(r"(?:[A-Za-z]\.){2,}|[A-Z]\.")
# A sentence ends at . ! ? (plus closing quotes/brackets) followed by space, or at a blank line. The
# lookbehind starts a match only at the first mark of a run, which keeps a text of 50,000 dots linear.
_BOUNDARY = re.compile(r"(?<![.!?])[.!?]+[\"'”’)\]]*(?=\s)|\n[ \t]*\n")
_VISIBLE = re.compile(r"\S")


def _is_abbreviation(text: str, end: int) -> bool:
    """True when the period at text[end-1] closes an abbreviation or initial rather than a sentence."""
    start = end - 1
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in "(\"'“":
        start -= 1
    word = text[start:end]
    if _ACRONYM.fullmatch(word.lstrip("(\"'“")):
        return True
    return word[:-1].lower().rstrip(".") in ABBREVIATIONS


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences in text[start:end], whitespace trimmed, in order."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _BOUNDARY.finditer(text, start, end):
        stop = match.end()
        if "\n" not in match.group():
            # Continue the sentence after an abbreviation or before a lower-case word ("approx. five").
            # Look at the next visible character only: slicing the rest of the text here made long
            # documents quadratic.
            after = _VISIBLE.search(text, stop, end)
            if (
                text[match.start()] == "."
                and match.end() - match.start() == 1
                and _is_abbreviation(text, stop)
            ):
                continue
            if after is not None and after.group().islower():
                continue
        _append_trimmed(text, cursor, stop, spans)
        cursor = stop
    _append_trimmed(text, cursor, end, spans)
    return spans


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """Spans that tile the text, one per sentence: each runs from its sentence's start to the next one's."""
    spans = sentence_spans(text)
    if not spans:
        return [(0, len(text))]
    starts = [0] + [s for s, _ in spans[1:]]
    ends = [s for s, _ in spans[1:]] + [len(text)]
    return list(zip(starts, ends, strict=True))
