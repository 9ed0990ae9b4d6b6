"""A figure's context in its sentence: the currency of "¥", the change it describes and its period."""

from __future__ import annotations

import bisect
import re
from dataclasses import replace

from assistant.figures.model import Figure
from assistant.text.patterns import MONTH, YEAR
from assistant.text.sentences import sentence_bounds

_CHINA = re.compile(r"China|Chinese|yuan|RMB|renminbi|CNY|Beijing|Shanghai", re.I)


_YOY = re.compile(
    r"(?i:year[-\s]on[-\s]year|year[-\s]over[-\s]year|\byoy\b|\by/y\b|from\s+a\s+year\s+(?:earlier|ago)"
    r"|compared\s+with\s+(?:the\s+same\s+period\s+(?:of\s+)?)?last\s+year)"
)


_UP = (
    "increase|increases|increased|increasing|rise|rises|rose|risen|rising|grew|grow|grows|growth|grown|growing|"
    "(?<!made )(?<!make )(?<!makes )(?<!set )(?<!took )(?<!take )(?<!takes )up|gained|jump|jumped|"
    "climbed|surge|surged|soared|expanded|added"
)


_DOWN = (
    "decrease|decreases|decreased|decreasing|decline|declines|declined|declining|fell|fall|falls|fallen|falling|"
    "drop|drops|dropped|down|shrank|shrunk|contracted|contraction|reduced|reduction|plunged|slumped|slid|cut"
)


_CHANGE_BEFORE = re.compile(
    rf"(?i:\b(?:(?P<up>{_UP})|(?P<down>{_DOWN})|changed?|changes)(?:\s+rate)?(?:\s+(?:by|of))?\s*)\Z"
)


_CHANGE_AFTER = re.compile(
    r"(?i:\s*(?:,\s*)?(?:(?P<yoy>year[-\s]on[-\s]year|year[-\s]over[-\s]year|yoy|y/y)\s*)?"
    r"(?P<w>(?P<up>increase|rise|growth|gain|jump|higher)|decrease|decline|drop|fall|reduction|lower)?)(?![\w-])"
)


_OR_BEFORE = re.compile(r"\s*,?\s*or\s*\Z")


_TIME = (
    rf"(?:the\s+)?(?:first|second|third|fourth|last)\s+(?:half|quarter|three\s+quarters|nine\s+months|six\s+months)"
    rf"\s+of\s+(?:{YEAR}|this\s+year|last\s+year|the\s+year)"
    rf"|(?:the\s+)?(?:end|beginning|start|middle|close)\s+of\s+(?:(?:{MONTH}\.?\s+)?{YEAR}|this\s+year"
    rf"|last\s+year|the\s+year|{MONTH})"
)


_PLAIN_TIME = (
    rf"(?:{MONTH}\.?\s+\d{{1,2}},?\s+|\d{{1,2}}\s+{MONTH}\.?,?\s+|{MONTH}\.?,?\s+)?{YEAR}(?:/\d{{2}})?"
    rf"|(?:(?i:fiscal)(?:\s+year)?|FY)\s*'?(?:{YEAR}|\d{{2}})(?!\d)|[QH][1-4]\s+{YEAR}"
)


_PLAIN_TIME_RE = re.compile(_PLAIN_TIME)


_PERIOD = re.compile(
    r"(?:\b(?P<prep>(?i:as\s+of|as\s+at|by|in|during|for|since|until|through|at|throughout|over(?=\s+the\s+past)))"
    rf"\s+(?P<time>{_TIME}|{_PLAIN_TIME}|{MONTH}|this\s+year|last\s+year|the\s+past\s+year|recent\s+years)"
    rf"|\b(?P<bare>(?i:last\s+year|this\s+year))|\((?P<paren>{YEAR}(?:/\d{{2}})?):)(?![\w])"
    r"(?!\s+(?i:dollars|yuan|euros|prices)\b)"
)


_PREPS_DROPPED = frozenset({"in", "during", "for", "at"})  # "in 2021" -> "2021"; "by 2025" keeps its "by"


def _paren_owner(text: str, lo: int, hi: int) -> list[int]:
    """For each position of text[lo:hi], the index of the innermost enclosing "(" that is closed, else -1."""
    closes: dict[int, int] = {}
    stack = []
    for i in range(lo, hi):
        if text[i] == "(":
            stack.append(i)
        elif text[i] == ")" and stack:
            closes[stack.pop()] = i
    owner, open_at = [], [-1]
    for i in range(lo, hi):
        if i in closes:
            open_at.append(i)
        owner.append(open_at[-1])
        if text[i] == ")" and len(open_at) > 1 and closes[open_at[-1]] == i:
            open_at.pop()
    return owner


def _periods(text: str, lo: int, hi: int, owner: list[int]) -> dict[int, list[tuple[int, int, str]]]:
    """The sentence's periods, grouped by the parenthesis they stand in (-1: none), in order."""
    found: dict[int, list[tuple[int, int, str]]] = {}
    for m in _PERIOD.finditer(text, lo, hi):
        if m.group("paren"):
            label = m.group("paren")
        elif m.group("bare"):
            label = " ".join(m.group("bare").lower().split())
        else:
            prep, time = " ".join(m.group("prep").lower().split()), " ".join(m.group("time").split())
            plain = prep in _PREPS_DROPPED and _PLAIN_TIME_RE.fullmatch(time)
            label = time if plain else f"{prep} {time}"
        found.setdefault(owner[m.start() - lo], []).append((m.start(), m.end(), label))
    return found


def _nearest_period(figure: Figure, periods: list[tuple[int, int, str]]) -> str | None:
    """The label of the period nearest the figure (periods are sorted and do not overlap)."""
    after = bisect.bisect_left(periods, figure.end, key=lambda p: p[0])
    before = bisect.bisect_right(periods, figure.start, key=lambda p: p[1]) - 1
    candidates = [(periods[i][0] - figure.end, periods[i][2]) for i in (after,) if i < len(periods)]
    candidates += [(figure.start - periods[i][1], periods[i][2]) for i in (before,) if i >= 0]
    return min(candidates)[1] if candidates else None


def _change(pre: str, post: str, previous: str | None) -> str | None:
    """The change a figure describes, from the words right before it (after the previous figure) and after."""
    before = _CHANGE_BEFORE.search(pre[-60:])
    after = _CHANGE_AFTER.match(post)
    if before is not None:
        word = "increase" if before.group("up") else "decrease" if before.group("down") else "change"
    elif after is not None and after.group("w"):
        word = "increase" if after.group("up") else "decrease"
    elif previous and _OR_BEFORE.fullmatch(pre):
        return previous  # "increased by $12.3 million, or 8%": the 8% is the same change
    else:
        return None
    clause = re.split(r"[,;]", pre[-60:])[-1]  # a "year-on-year" before a comma belongs to an earlier figure
    yoy = _YOY.search(clause) is not None or (after is not None and after.group("yoy") is not None)
    return f"year-on-year {word}" if yoy else word


def with_context(text: str, figures: list[Figure]) -> list[Figure]:
    spans = sentence_bounds(text)
    out: list[Figure] = []
    si, current = 0, -1
    owner: list[int] = []
    periods: dict[int, list[tuple[int, int, str]]] = {}
    previous: Figure | None = None
    for f in figures:
        while si < len(spans) - 1 and spans[si][1] <= f.start:
            si += 1
        lo, hi = spans[si]
        if si != current:  # a new sentence: its parentheses and periods, and no previous figure
            current, owner, previous = si, _paren_owner(text, lo, hi), None
            periods = _periods(text, lo, hi, owner)
        currency, unit, change, period = f.currency, f.unit, None, None
        if currency == "¥":  # the yen and the yuan share a sign
            currency, unit = ("CNY", "yuan") if _CHINA.search(text, lo, hi) else ("JPY", "yen")
        if f.kind not in ("year", "date"):
            pre = text[max(lo, previous.end if previous else lo, f.start - 80) : f.start]
            change = _change(pre, text[f.end : min(hi, f.end + 40)], previous.change if previous else None)
            # a period inside parentheses speaks only for the figures inside them: "(2018: $6.6 million)"
            mine = owner[f.start - lo]
            period = _nearest_period(f, periods.get(mine, [])) if mine >= 0 else None
            period = period or _nearest_period(f, periods.get(-1, []))
        g = replace(f, currency=currency, unit=unit, change=change, period=period)
        out.append(g)
        previous = g
    return out
