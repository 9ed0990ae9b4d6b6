"""Reading one figure: the number a pattern found, with its prefix, scale, sign, unit and kind."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.figures import vocabulary as vocab
from assistant.figures.clock import CLOCK_LEFT, time_of_day
from assistant.figures.model import Figure, FigureKind
from assistant.figures.nouns import counted_noun_at
from assistant.figures.patterns import (
    AGE,
    CALENDAR_PART,
    CENTURY,
    HYPHEN_NOUN,
    HYPHEN_UNIT,
    LABEL_WORD,
    MID_PREFIXES,
    NOT_LABELS,
    NOT_NOUN_ENDINGS,
    NUMERAL,
    PLURAL_BEFORE,
    RANGE,
    RANK_AFTER,
    RANK_BEFORE,
    REFERENCE,
    TIME_PART,
    UNIT,
    YEAR_PREPS,
    YEARS_OLD,
)
from assistant.figures.prefix import Prefix, read_prefix
from assistant.figures.ranges import read_range
from assistant.figures.values import glued_scale, numeral_value, scale_at, words_value
from assistant.text.patterns import YEAR

# How far before a number each rule looks, in characters.
PLURAL_LOOKBACK = 30  # a plural before "(118)": "tackles (118)"
PART_OF_TIME_LOOKBACK = 12  # "early", "mid", "late" before a year or decade
RANK_LOOKBACK = 40  # "ranked", "placed" before an ordinal
CELL_LOOKAROUND = 40  # blanks around "(…)" that make it stand alone like a table cell


# a day and a dash before a date: "12–15 June 2021" is a span of days, not an id like "A-15"
_DAY_DASH = re.compile(r"(?<![\w.,])\d{1,2}[-–]\Z")


def _glued_left(text: str, s: int) -> bool:
    """True for numbers glued to a word on the left: "G20", "A380", "COVID-19", "Q4" are ids, not figures."""
    if s == 0:
        return False
    c = text[s - 1]
    if c.isalpha() and (code := re.search(r"(?<![A-Za-z])[A-Z]{3}\Z", text[max(0, s - 4) : s])):
        return vocab.CURRENCY_PREFIXES.get(code.group()) is None  # "RMB77 million" is money, "ABC123" an id
    if c.isalnum() or c in "_.":
        return True
    if c in "-‐–/" and s >= 2 and text[s - 2].isalnum():
        word = re.search(r"[A-Za-z]+\Z", text[max(0, s - 8) : s - 1])
        return not (c == "-" and word is not None and word.group().lower() in MID_PREFIXES)  # "mid-2022"
    return False


def _at_sentence_start(text: str, s: int) -> bool:
    i = s - 1
    while i >= 0 and text[i] in " \t\"'“‘(":
        i -= 1
    return i < 0 or text[i] in ".!?\n:;"


def _cell_like(text: str, open_idx: int, close_idx: int) -> bool:
    """True when "(…)" stands alone like a table cell: nothing but blanks up to a line end, tab or "|"."""
    left = re.search(r"(?:\A|[\n\t|]|\s{2})[ ]*\Z", text[max(0, open_idx - CELL_LOOKAROUND) : open_idx])
    right = re.match(r"[ ]*(?:\Z|[\n\t|]|\s{2})", text[close_idx + 1 : close_idx + 1 + CELL_LOOKAROUND])
    return left is not None and right is not None


def _year_like(token: str, value: float | None) -> bool:
    return value is not None and len(token) == 4 and token.isdigit() and 1000 <= value <= 2100


def read(text: str, m: re.Match[str], floor: int, prev: Figure | None) -> tuple[Figure | None, int]:
    """The figure whose number the core match m found (or None), and how far the text is used up."""
    s, e = m.span()
    if m.group("phone"):
        return None, e
    if m.group("date"):
        # glued to a word before it (an id), unless a day and a dash stand there ("12–15 June 2021")
        glued = _glued_left(text, s) and not _DAY_DASH.search(text, max(0, s - 4), s)
        if glued or text[e : e + 1].isalnum():
            return None, e
        years = re.findall(YEAR, m.group())
        return Figure(m.group(), s, e, float(years[-1]) if years else None, None, "date"), e
    if m.group("fy"):
        digits = re.sub(r"\D", "", m.group())
        year = float(digits) if len(digits) == 4 else 2000.0 + float(digits)
        return Figure(m.group(), s, e, year, None, "year"), e
    if m.group("ordw"):
        word = m.group()
        # capitalised mid-sentence ("the Second World War") is a name; "First, ..." opens a list
        if word[0].isupper() and (not _at_sentence_start(text, s) or text[e : e + 1] == ","):
            return None, e
        parts = re.split(r"[-\s]+", word.lower())
        value = float(vocab.ORDINAL_WORDS[parts[-1]] + (vocab.TENS[parts[0]] if len(parts) > 1 else 0))
        return _ordinal(text, s, e, value, floor), e
    if m.group("words"):
        words = m.group()
        if words[0].isupper() and not _at_sentence_start(text, s):
            return None, e  # "Seven Keys to Doomsday", "Thirty Years' War": titles
        return _read_number(text, s, e, words_value(words), floor, prev, words=words)
    s, e = m.span("num")
    token, sfx = m.group("num"), m.group("sfx") or ""
    if _glued_left(text, s) or not NUMERAL.fullmatch(token):
        return None, m.end()  # ids ("A380"), versions and malformed tokens ("3.2.1", "1,2,3")
    if text[e : e + 1] == ":" and (clock := time_of_day(text, s)) is not None:
        return clock, clock.end
    if text[e : e + 1] == ":" and (left := CLOCK_LEFT.match(text, s)):  # "with 3:08 left"
        minutes = int(left.group(1)) + int(left.group(2)) / 60
        return Figure(left.group(), s, left.end(), minutes, "minutes", "duration"), left.end()
    if text[e : e + 1] in ("/", ":") and text[e + 1 : e + 2].isdigit():
        return _read_slash(text, s, e)
    if token.isdigit() and sfx.lower() in ("", "am", "pm") and (clock := time_of_day(text, s)) is not None:
        return clock, clock.end  # "5 pm", "1 a.m.", "10pm"
    number = numeral_value(token)
    if number is not None and not sfx and text[e : e + 1] in vocab.FRACTIONS:  # "5½ sacks"
        number += vocab.FRACTIONS[text[e]]
        e += 1
    if sfx in ("st", "nd", "rd", "th") and token.isdigit():
        return _ordinal(text, s, m.end(), number, floor), m.end()
    if sfx == "s" and _year_like(token, number) and token.endswith("0"):
        start, part = _part_of_time(text, s, floor)
        return Figure(
            text[start : m.end()], start, m.end(), number, "decade", "year", qualifier=part
        ), m.end()
    return _read_number(text, s, e, number, floor, prev, token=token, sfx=sfx)


def _read_slash(text: str, s: int, e: int) -> tuple[Figure | None, int]:
    """ "2017/18" is a fiscal year; other "a/b" and "10:30" (fractions, times, ids) are not figures."""
    tail = re.compile(r"[/:](\d+)(?![\w/:]|\.\d)").match(text, e)
    end = tail.end() if tail else e + 1
    if tail and text[e] == "/" and e - s == 4 and len(tail.group(1)) == 2 and text[s:e].isdigit():
        first = float(text[s:e])
        second = first // 100 * 100 + float(tail.group(1))
        if 1000 <= first <= 2100 and second > first:
            return Figure(text[s:end], s, end, first, None, "year", range_to=second), end
    return None, end


def _part_of_time(text: str, s: int, floor: int) -> tuple[int, str | None]:
    """Where a decade or century starts with "early", "mid" or "late" before it ("the late 1970s"), and which."""
    m = TIME_PART.search(text, max(floor, s - PART_OF_TIME_LOOKBACK), s)
    return (m.start(), m.group(1).lower()) if m else (s, None)


def _ordinal(text: str, s: int, e: int, value: float | None, floor: int) -> Figure | None:
    if CALENDAR_PART.match(text, e):
        return None  # "the first half of 2022" names a period (see _PERIOD), not a rank
    if value is not None and (century := CENTURY.match(text, e)):
        # "the 12th century" is a time, like a decade: a year with its first year as the value
        start, part = _part_of_time(text, s, floor)
        value = (value - 1) * 100
        return Figure(
            text[start : century.end()], start, century.end(), value, "century", "year", qualifier=part
        )
    rank = (
        RANK_BEFORE.search(text, max(floor, s - RANK_LOOKBACK), s) is not None
        or RANK_AFTER.match(text, e) is not None
    )
    return Figure(text[s:e], s, e, value, "rank" if rank else None, "ordinal")


@dataclass
class _Reading:
    """A figure being read, step by step, from its number to its unit; `p` is how far the text is used up."""

    text: str
    s: int  # where the number starts
    e: int  # where the number ends
    value: float | None
    floor: int
    prev: Figure | None
    token: str
    sfx: str
    words: str
    pre: Prefix
    p: int = 0
    start: int = 0
    currency: str | None = None
    qualifier: str | None = None
    scale: float = 1.0
    negative: bool = False
    closed: bool = False  # an accounting "(...)" closed around the number: nothing after it joins
    base: float | None = None
    kind: FigureKind = "number"
    unit: str | None = None
    range_to: float | None = None
    year_like: bool = False

    def figure(self) -> Figure:
        base = -self.base if self.negative and self.base is not None else self.base
        return Figure(
            self.text[self.start : self.p],
            self.start,
            self.p,
            base,
            self.unit,
            self.kind,
            currency=self.currency,
            qualifier=self.qualifier,
            range_to=self.range_to,
            negative=self.negative,
        )


# What a step returns when the reading stops: the figure found (or None) and how far the text is used up.
_Stop = tuple[Figure | None, int]


def _read_number(
    text: str,
    s: int,
    e: int,
    value: float | None,
    floor: int,
    prev: Figure | None,
    *,
    token: str = "",
    sfx: str = "",
    words: str = "",
) -> _Stop:
    """The figure around a number: its prefix, glued letters, accounting parentheses, scale, range, unit and
    kind, each read by one step below; a step that finds the number is not a figure stops the reading."""
    pre = read_prefix(text, s, floor)
    r = _Reading(text, s, e, value, floor, prev, token, sfx, words, pre, p=e, start=pre.start)
    r.currency, r.qualifier = pre.currency, pre.qualifier
    for step in (_glued_letters, _accounting_parentheses):
        if (stop := step(r)) is not None:
            return stop
    if r.scale == 1.0 and not words:
        r.scale, r.p = scale_at(text, r.p, r.currency)
    r.base = None if value is None else value * r.scale
    r.year_like = _year_like(token, value) and r.scale == 1.0 and r.currency is None and not r.negative
    if r.year_like and r.qualifier in vocab.YEAR_DROPPED_QUALIFIERS:
        r.qualifier, r.start = None, s
    _range_after(r)
    if (stop := _unit_after(r)) is not None:
        return stop
    _range_of_units(r)
    for step in (_kind_of_bare_number, _names_not_figures):
        if (stop := step(r)) is not None:
            return stop
    return r.figure(), r.p


def _glued_letters(r: _Reading) -> _Stop | None:
    """Letters glued on the right: a scale ("1.5bn"), a unit ("6.6ZB", "10%") or an id ("5G": no figure)."""
    if not r.sfx:
        return None
    glued = glued_scale(r.sfx, r.currency)
    if (
        glued is None
        and r.currency is None
        and r.sfx in ("m", "k")
        and counted_noun_at(r.text, r.e + 1, bare=True)
    ):
        glued = vocab.CURRENCY_ABBREV_SCALES[r.sfx]  # "25m people", "300k users"
    if glued is not None:
        r.scale, r.p = glued, r.e + len(r.sfx)
    elif vocab.lookup_unit(r.sfx) is None or r.sfx in (
        "pt",
        "pts",
        "K",
    ):  # "5K" is 5,000, "90 K" a temperature
        return None, r.e + len(r.sfx)
    return None


def _accounting_parentheses(r: _Reading) -> _Stop | None:
    """Accounting negatives: "(1,234)", "$(9.8) million", "£(8.1m)"; a bare "(1)" is a footnote marker."""
    text, pre = r.text, r.pre
    r.negative = pre.minus
    if pre.paren is None:
        return None
    close = r.p if text.startswith(")", r.p) else None
    if close is None and r.scale == 1.0:
        scale_end = scale_at(text, r.p, r.currency)[1]
        close = scale_end if text.startswith(")", scale_end) else None
    conversion = r.prev is not None and r.prev.kind == "money" and not text[r.prev.end : pre.paren].strip()
    grouped = "," in r.token or "." in r.token or r.currency is not None or r.scale != 1.0
    if close is not None and not conversion and (grouped or _cell_like(text, pre.paren, close)):
        r.negative = r.closed = True
        if close == r.p:
            r.p = close + 1
        else:
            r.scale, r.p = scale_at(text, r.p, r.currency)
            r.p += 1
    elif close is not None and r.token.isdigit() and len(r.token) <= 3 and not conversion:
        plural = PLURAL_BEFORE.search(text, max(0, pre.paren - PLURAL_LOOKBACK), pre.paren)
        if plural is not None and close == r.e and len(r.token) >= 2:  # "led the team in tackles (118)"
            return Figure(r.token, r.s, r.e, r.value, plural.group(1), "count"), close + 1
        return None, close + 1  # a footnote or list marker: "(1)"
    else:
        r.start = max(r.start, pre.paren + 1)
    return None


def _range_after(r: _Reading) -> None:
    """A range: "10 to 15 percent", "10-15%", "between 3 and 5 million", "1629–1631"; a score: "24–10"."""
    if r.closed:
        return
    rng = read_range(r.text, r.p, r.base, r.scale, r.currency, r.pre, token=r.token, year_like=r.year_like)
    if rng:
        r.p, r.base, r.range_to, is_score = rng
        r.unit = "score" if is_score else None
        r.start = r.pre.between if r.pre.between is not None else r.start


def _unit_after(r: _Reading) -> _Stop | None:
    """The unit after the number ("percent", "tonnes", "yuan", "-screen"), which sets its kind."""
    text = r.text
    um = UNIT.match(text, r.p) if r.unit is None else None
    hm = HYPHEN_UNIT.match(text, r.p) if um is None and r.unit is None else None
    if um is not None:
        found = vocab.lookup_unit(um.group("u"))
        assert found is not None
        ukind, uname, ucurrency = found
        if ukind == "money" and r.year_like and r.currency is None:
            r.kind = "year"  # "in 2010 dollars": the base year of prices, not an amount
        elif ukind != "money" or r.currency in (None, "¥", ucurrency) or ucurrency != "USD":
            r.kind, r.unit, r.p = ukind, uname, um.end()
            if ukind == "money" and r.currency in (None, "¥", "USD"):
                r.currency = ucurrency
            if r.unit == "years" and (old := YEARS_OLD.match(text, r.p)):
                r.p = old.end()
    elif hm is not None:
        found = vocab.lookup_unit(hm.group("u"))
        assert found is not None
        r.kind, r.unit, r.p = found[0], found[1], hm.end()
    elif text.startswith("-", r.p) and text[r.p + 1 : r.p + 2].isalpha():
        plain_count = r.token.isdigit() and not r.year_like and r.currency is None
        compound = HYPHEN_NOUN.match(text, r.p) if plain_count else None
        if compound is None or compound.group(1).endswith(NOT_NOUN_ENDINGS):
            return None, r.p  # "three-dimensional", "10-K", "2019-nCoV": part of a word, not a figure
        r.kind, r.unit, r.p = (
            "count",
            compound.group(1),
            compound.end(),
        )  # "a 12-screen cinema", "512-bit primes"
    if r.currency is not None:
        r.kind = "money"
        if r.unit not in vocab.CURRENCY_UNITS.values():
            r.unit = vocab.CURRENCY_UNITS.get(r.currency, r.currency)
    return None


def _range_of_units(r: _Reading) -> None:
    """A range whose ends both carry the unit: "10% to 15%", "$3 million to $5 million"."""
    if r.range_to is not None or r.unit is None or r.closed:
        return
    rng = read_range(r.text, r.p, r.base, r.scale, r.currency, r.pre, token=r.token, year_like=False)
    again = UNIT.match(r.text, rng[0]) if rng else None
    if rng and again and (vocab.lookup_unit(again.group("u")) or ())[:2] == (r.kind, r.unit):
        r.p, r.base, r.range_to = again.end(), rng[1], rng[2]
    elif rng and r.currency and (rm := RANGE.match(r.text, r.p)) and rm.group("cur"):
        r.p, r.base, r.range_to = rng[0], rng[1], rng[2]


def _kind_of_bare_number(r: _Reading) -> _Stop | None:
    """A number without a unit: an age, a count of the noun after it, a year, or a plain number."""
    if r.kind != "number" or r.unit is not None:
        return None
    if AGE.search(r.pre.before):
        r.kind, r.unit = "duration", "years"
    elif r.words.lower() == "one":
        return None, r.p  # a lone "one" ("one of the drivers") is a pronoun, not a figure
    elif (noun := counted_noun_at(r.text, r.p, bare=r.year_like)) and not (
        r.year_like and YEAR_PREPS.search(r.pre.before)
    ):
        r.kind, r.unit, r.p = "count", noun[1], noun[0]
    elif r.year_like and (r.qualifier is None or r.qualifier in vocab.YEAR_QUALIFIERS):
        r.kind = "year"
        if r.qualifier is None and r.pre.between is None:  # "late 2008", "mid-2019"
            r.start, r.qualifier = _part_of_time(r.text, r.start, r.floor)
    return None


def _names_not_figures(r: _Reading) -> _Stop | None:
    """Numbers that name rather than measure: "Section 3.2", "Article 5" (references) and "Super Bowl 50",
    "Partner 2 Connect", "Web 3.0 technologies" (a capitalised name, not opening the sentence, right before)."""
    if (
        r.kind not in ("number", "year", "count")
        or (r.unit is not None and r.kind != "count")
        or r.range_to is not None
    ):
        return None
    pre = r.pre
    if r.kind != "count" and not r.qualifier and REFERENCE.search(pre.before):
        return None, r.p
    label = LABEL_WORD.search(pre.before)
    if r.kind == "year" or r.qualifier or not label or label.group(1) in NOT_LABELS:
        return None
    before_start = (pre.start if pre.between is None else pre.between) - len(pre.before)
    if _at_sentence_start(r.text, before_start + label.start()):
        return None
    return None, r.p
