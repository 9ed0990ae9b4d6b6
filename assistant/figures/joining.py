"""Spans that join figures or take a word more: time spans, ratios, "ago", eras, lists dated "respectively"."""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import replace

from assistant.figures import vocabulary as vocab
from assistant.figures.model import TIME_OF_DAY, Figure
from assistant.figures.patterns import DAY, DAY_FIRST
from assistant.figures.values import words_value
from assistant.text.sentences import sentence_spans

# "the 1530s and 1540s", "the 1950s through the 1970s", "the 18th and 19th centuries"
_TIME_JOIN = re.compile(r"\s*(?:[-–]|and|to|through|until)\s+(?:the\s+)?", re.IGNORECASE)


# between two dates of one span: "24 August – 3 October 1572", "12 to 15 June", "between 1 and 3 May"
_DATE_JOIN = re.compile(r"\s*(?:[-–—]|to|until|till|through|and)\s*", re.IGNORECASE)


_BETWEEN = re.compile(r"(?i:\bbetween\s+(?:the\s+)?)\Z")


_CENTURIES = re.compile(r"[\s-]+(?i:centuries)\b")


_PLUS_MINUS = re.compile(r"\s*±\s*")


_AGO = re.compile(r"\s+ago\b")


_ERA_AFTER = re.compile(r"\s+(?P<era>BCE|BC|CE|AD)\b")


_ERA_BEFORE = re.compile(r"\b(?:AD|CE)\s+\Z")


def joined(text: str, figures: list[Figure]) -> list[Figure]:
    """Figures that read as one span: two times joined ("the 1530s and 1540s", "between about 1964 and 1973",
    "the 18th and 19th centuries"), a measurement with its error ("356 ± 47 tonnes"), a time back from now
    ("1.7 billion years ago"), two dates of one span ("24 August – 3 October 1572", "12 to 15 June 2021") and
    a year of an era ("800 CE", "AD 0–1250")."""
    out: list[Figure] = []
    for f in figures:
        last = out[-1] if out else None
        if last is not None and (two := _two_times(text, last, f) or _two_dates(text, last, f)) is not None:
            out[-1] = two
        elif (
            last is not None
            and last.unit is None
            and last.range_to is None
            and last.kind == "number"
            and _PLUS_MINUS.fullmatch(text, last.end, f.start)
        ):
            out[-1] = replace(f, text=text[last.start : f.end], start=last.start, value=last.value)
        else:
            out.append(f)
    return [_era(text, _ago(text, f)) for f in out]


# "one in five", "1 in 10", "two out of three": a share, read as a percentage of the whole
_RATIO_BEFORE = re.compile(
    rf"(?<![\w.,])(?P<a>\d{{1,3}}|(?i:{vocab.alternation(vocab.SMALL)}))\s+(?P<by>in|out\s+of)\s+(?:every\s+)?\Z"
)


_RATIO_WHOLE = re.compile(r"\d{1,3}(?:,\d{3})+(?![\d.])|\d+(?![\d,.]\d)|[A-Za-z]+")


def ratios(text: str, figures: list[Figure]) -> list[Figure]:
    """A part "in"/"out of" a whole ("one in five bird species") as one percent figure ("one in five", 20.0);
    the part, when it was read as a figure of its own, joins it. "In" reads as a share only in the idiom's
    forms (one in any whole, or any part in 2 to 10 or a power of ten): "ranked 3 in 50 states" is not one."""
    out: list[Figure] = []
    for f in figures:
        before = _RATIO_BEFORE.search(text, max(0, f.start - 24), f.start)
        whole = _RATIO_WHOLE.match(text, f.start) if before and f.kind in ("number", "count") else None
        part = _number_value(before.group("a")) if before else None
        if before is None or whole is None or part is None or f.value is None or not 0 < part < f.value:
            out.append(f)
            continue
        idiom = part == 1 or f.value <= 10 or math.log10(f.value).is_integer()
        if before.group("by") == "in" and not idiom:
            out.append(f)
            continue
        start, qualifier = before.start(), None
        if out and out[-1].end > start:  # the part was read as a figure ("Around 1", "Two")
            start, qualifier = min(start, out[-1].start), out.pop().qualifier
        end = whole.end()
        share = 100 * part / f.value
        out.append(Figure(text[start:end], start, end, share, "percent", "percent", qualifier=qualifier))
    return out


def _number_value(token: str) -> float | None:
    return float(token) if token.isdigit() else words_value(token) or None


def _two_times(text: str, a: Figure, b: Figure) -> Figure | None:
    """One span for two decades, two centuries or (after "between") two years joined by "and", "to" or "through"."""
    if _TIME_JOIN.fullmatch(text, a.end, b.start) is None or a.range_to is not None or b.range_to is not None:
        return None
    between = _BETWEEN.search(text, max(0, a.start - 16), a.start)
    start = between.start() if between else a.start
    end, value, unit = b.end, a.value, a.unit
    if a.kind == b.kind == "ordinal" and (centuries := _CENTURIES.match(text, b.end)):
        end, unit = centuries.end(), "century"
        value = None if a.value is None else (a.value - 1) * 100
        upper = None if b.value is None else (b.value - 1) * 100
    elif a.kind == b.kind == "year" and (
        (a.unit is not None and a.unit == b.unit) or (between and a.unit is None and b.unit is None)
    ):
        upper = b.value
    else:
        return None
    return Figure(text[start:end], start, end, value, unit, "year", qualifier=a.qualifier, range_to=upper)


def _two_dates(text: str, a: Figure, b: Figure) -> Figure | None:
    """One date span for two dates, or a day and a date ("12 to 15 June 2021"), joined by a dash, "to",
    "until", "through" or (after "between") "and". Its value is the year the span starts in (the first date's
    year, else the second's), and range_to the year it ends in when that differs."""
    join = _DATE_JOIN.fullmatch(text, a.end, b.start)
    if join is None or b.kind != "date" or b.unit == TIME_OF_DAY or a.range_to is not None:
        return None
    between = _BETWEEN.search(text, max(0, a.start - 16), a.start)
    if join.group().strip().lower() == "and" and between is None:
        return None
    day_first = DAY_FIRST.match(b.text)
    a_day = a.kind == "number" and a.unit is None and DAY.fullmatch(a.text) is not None
    if not (a.kind == "date" and a.unit != TIME_OF_DAY) and not (a_day and day_first):
        return None
    start = between.start() if between else a.start
    value = a.value if a.kind == "date" and a.value is not None else b.value
    upper = b.value if b.value is not None and value is not None and b.value != value else None
    return Figure(
        text[start : b.end], start, b.end, value, None, "date", qualifier=a.qualifier, range_to=upper
    )


def _ago(text: str, f: Figure) -> Figure:
    m = _AGO.match(text, f.end) if f.kind == "duration" else None
    return replace(f, text=text[f.start : m.end()], end=m.end()) if m else f


def _era(text: str, f: Figure) -> Figure:
    if f.kind not in ("number", "year") or f.unit not in (None, "century", "decade"):
        return f
    if after := _ERA_AFTER.match(text, f.end):  # "300 BC", "the 2nd century BCE"
        bc = after.group("era").startswith("B") and f.value is not None
        value = -f.value if bc and f.value is not None else f.value
        return replace(f, text=text[f.start : after.end()], end=after.end(), kind="year", value=value)
    if f.unit is None and (before := _ERA_BEFORE.search(text, max(0, f.start - 4), f.start)):
        return replace(f, text=text[before.start() : f.end], start=before.start(), kind="year")
    return f


_LIST_SEPARATOR = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+", re.IGNORECASE)


_FISCAL = re.compile(r"(?i:\bfiscal(?:\s+years?)?\s+)\Z")


def _runs(text: str, figures: list[Figure]) -> list[list[int]]:
    """Indexes of figures listed one after another ("$2.5 million, $2.6 million and $2.4 million")."""
    runs: list[list[int]] = []
    for i, f in enumerate(figures):
        if runs and (
            _list_kind(figures[runs[-1][-1]]) == _list_kind(f)
            and _LIST_SEPARATOR.fullmatch(text, figures[runs[-1][-1]].end, f.start) is not None
        ):
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def _list_kind(f: Figure) -> str:
    return "time" if f.kind in ("year", "date") else f.kind


def respectively(text: str, figures: list[Figure]) -> list[Figure]:
    """Dates a list of amounts by a list of as many years after it: "$2.5 million, $2.6 million and $2.4
    million during fiscal 2019, 2018 and 2017" gives the $2.6 million to fiscal 2018."""
    out = list(figures)
    runs = [r for r in _runs(text, figures) if len(r) > 1]
    for amounts, years in itertools.pairwise(runs):
        if (
            len(amounts) != len(years)
            or figures[amounts[0]].kind in ("year", "date")
            or any(figures[y].kind not in ("year", "date") or figures[y].range_to is not None for y in years)
            or len(sentence_spans(text, figures[amounts[-1]].end, figures[years[0]].start)) > 1
        ):
            continue
        fiscal = "fiscal " if _FISCAL.search(text, 0, figures[years[0]].start) else ""
        for a, y in zip(amounts, years, strict=True):
            out[a] = replace(out[a], period=f"{fiscal}{figures[y].text}")
    return out


_PART_OF = re.compile(r"\s+(?:out\s+)?of\s+(?:the\s+|a\s+|all\s+)?(?:total\s+)?\Z", re.IGNORECASE)


def is_part_of(text: str, part: Figure, whole: Figure) -> bool:
    """Whether one figure is a part of the next: the 39 of "39 of the 43 previous players"."""
    return part.end <= whole.start and _PART_OF.match(text, part.end, whole.start) is not None


def share_counted_nouns(text: str, figures: list[Figure]) -> list[Figure]:
    """ "39 of the 43 previous players": the 39 counts players too, though the noun follows the 43."""
    out = list(figures)
    for i in range(len(out) - 1, 0, -1):
        part, whole = out[i - 1], out[i]
        if (
            part.kind == "number"
            and part.unit is None
            and part.range_to is None
            and whole.kind == "count"
            and is_part_of(text, part, whole)
        ):
            out[i - 1] = replace(part, kind="count", unit=whole.unit)
    return out
