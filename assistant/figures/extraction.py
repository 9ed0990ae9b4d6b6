"""Find the figures (money, percentages, counts, sizes, durations, dates, years, ranks) in text, with exact spans."""

from __future__ import annotations

import bisect
import itertools
import math
import re
from dataclasses import asdict, dataclass, replace
from functools import lru_cache

from assistant.figures import vocabulary as vocab
from assistant.text.patterns import MONTH, YEAR
from assistant.text.sentences import sentence_bounds, sentence_spans
from assistant.text.words import STOPWORDS, word_list, words

KINDS = ("money", "percent", "count", "data_size", "duration", "date", "year", "ordinal", "number")


@dataclass(frozen=True, slots=True)
class Figure:
    """One quantity in a text: `text == source[start:end]`, with its normalised value and what it measures.

    A score ("24–10") has unit "score" and keeps its second side in `range_to`; a decade ("the 1990s") is a
    year with unit "decade"; a time of day ("2:45 a.m.", "7:00 to 9:00 a.m.") is a date with unit "time of day"
    and its value in hours after midnight. `change` is "increase", "decrease" or "change", prefixed with
    "year-on-year " when the text says so.
    """

    text: str
    start: int
    end: int
    value: float | None
    unit: str | None
    kind: str
    currency: str | None = None
    qualifier: str | None = None
    range_to: float | None = None
    change: str | None = None
    period: str | None = None
    negative: bool = False

    def to_dict(self) -> dict[str, object]:
        """All fields, JSON-ready."""
        return asdict(self)


def counted_noun(text: str) -> str | None:
    """The counted noun that text starts with, read as after a number: "5G base stations in 2021" -> "base stations"."""
    found = _counted_noun(" " + text, 0, bare=False)
    return found[1] if found else None


# --- patterns ---------------------------------------------------------------------------------------------

_MONTH = MONTH
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?!\d)"
_YEAR = YEAR
_DATES = (
    rf"{_MONTH}\.?\s+{_DAY},?\s+{_YEAR}",  # Sept. 7, 2021
    rf"{_DAY}\s+(?:of\s+)?{_MONTH}\.?,?\s+{_YEAR}",  # 7 February 2016
    rf"{_YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?!\d)",  # 2021-09-07
    rf"\d{{1,2}}/\d{{1,2}}/{_YEAR}",  # 12/31/2019
    rf"{_MONTH}\.?,?\s+{_YEAR}",  # June 2022
    rf"{_MONTH}\.?\s+{_DAY}",  # August 15
    rf"{_DAY}\s+(?:of\s+)?{_MONTH}",  # 28 January
)
_TENS_UNITS = rf"(?:{vocab.alternation(vocab.TENS)})-(?:{vocab.alternation(vocab.SMALL)})"  # twenty-five
_NUMBER_WORD = (
    rf"(?:{_TENS_UNITS}|{vocab.alternation([*vocab.SMALL, *vocab.TENS, *vocab.SCALES, 'hundred', 'dozen'])})"
)
_AFTER_SCALE = r"(?:(?<=hundred)|(?<=thousand)|(?<=million)|(?<=billion))"  # "three hundred and forty two"
_WORD_NUMBER = (
    rf"\b(?:a\s+(?:dozen|hundred|thousand|million|billion|trillion)|{_TENS_UNITS}|{vocab.alternation([*vocab.SMALL, *vocab.TENS])})"
    rf"(?:(?:\s+|-|{_AFTER_SCALE}\s+and\s+){_NUMBER_WORD})*\b"
)
_ORDINAL_WORD = (
    rf"\b(?:(?:{vocab.alternation(vocab.TENS)})[-\s](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)"
    rf"|{vocab.alternation(vocab.ORDINAL_WORDS)})\b"
)
# What is not a figure, each rule applied where it is named:
# - a number glued to letters, or to a word by "-", "/" or ".": ids and versions ("5G", "G20", "A380",
#   "COVID-19", "Q4", "10-K"): _glued_left and the glued-suffix check in _read_number;
# - a malformed numeral ("3.2.1", "1,2,3"): _NUMERAL; a phone number: _PHONE; a time or fraction ("10:30",
#   "1/2"): _read_slash; a footnote marker "(1)": _read_number;
# - a reference ("Section 3.2", "Article 5", "Chapter 4"): _REFERENCE;
# - a name: a capitalised word, not the sentence's first, right before a bare number or count ("Super Bowl 50",
#   "Partner 2 Connect", "Web 3.0 technologies"): _LABEL_WORD;
# - number words in titles ("Thirty Years' War"), a lone "one", a hyphen compound ("three-dimensional").
# Phone numbers are matched only to be skipped: "+86 10 1234 5678", "010-12345678".
_PHONE = r"\+\d{1,3}(?:[\s.-]\(?\d{1,4}\)?){2,5}(?!\d)|\(?\b0\d{1,3}\)?[-\s]\d{7,8}(?!\d)|\b\d{3}[-.]\d{3}[-.]\d{4}(?!\d)"
# a numeral token is read greedily and validated afterwards: no backtracking, so "1,1,1,…" stays linear
_NUMERAL_TOKEN = r"\d[\d,.]*\d|\d"
_CORE = re.compile(
    rf"(?P<phone>{_PHONE})|(?P<date>{'|'.join(_DATES)})|(?P<fy>\bFY\s?'?(?:\d{{4}}|\d{{2}})(?![\w]))"
    rf"|(?P<ordw>(?i:{_ORDINAL_WORD}))|(?P<words>(?i:{_WORD_NUMBER}))"
    rf"|(?P<num>{_NUMERAL_TOKEN})(?P<sfx>%|[A-Za-z]+)?"
)
_NUMERAL = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_CURRENCY_PREFIX = vocab.alternation(vocab.CURRENCY_PREFIXES)
_WORD_QUALIFIER = vocab.alternation(q for q in vocab.QUALIFIERS if q[0].isalpha())
_PREFIX = re.compile(
    rf"(?:(?P<between>\b(?i:between)\s+)|(?P<qual>(?<![\w.])(?i:{_WORD_QUALIFIER})\s+|[~><≥≤]\s?))?"
    rf"(?P<minus1>(?<![\w])(?:[-−]|(?i:minus)\s+))?(?P<cur>(?<![A-Za-z]){_CURRENCY_PREFIX})?\s{{0,2}}"
    r"(?P<paren>\()?(?P<minus2>(?<![\w])[-−])?\Z"
)
_SCALE_WORD = re.compile(r"\s*(?:-\s*)?(?i:(thousand|million|billion|trillion|bn|mn|mln|tn|trn))\b")
_CURRENCY_SCALE = re.compile(r"\s?(?i:(bn|mn|mln|tn|trn|m|k|b))\b")
_UNIT = re.compile(
    rf"\s{{0,2}}(?P<u>{vocab.alternation(s for *_, ss in vocab.UNIT_TABLE for s in ss)})(?![A-Za-z0-9])"
)
_HYPHEN_UNIT = re.compile(
    r"-(?P<u>year|month|week|day|hour|minute|second|decade|century|degree|mile|metre|meter|kilometre|kilometer"
    r"|yard|foot|inch|acre|tonne|ton|pound|kilogram|karat|carat)"
    r"(?:-old)?(?![A-Za-z])"
)
_YEARS_OLD = re.compile(r"\s+old\b")
_PLURAL_BEFORE = re.compile(r"(?<![\w-])([a-z]{3,}s)(?:\s+(?:allowed|scored|made|won|lost|recorded))?\s*\Z")
_HYPHEN_NOUN = re.compile(r"-([a-z]{3,})(?![\w-])")
_NOT_NOUN_ENDINGS = tuple(word_list("al ic ous ive ed ing ly ary ish less ful like er est"))
_RANGE = re.compile(
    rf"(?P<sep>\s*[-–‐]\s*|\s+(?:to|and|through)\s+)(?P<cur>{_CURRENCY_PREFIX})?\s?"
    rf"(?:(?P<num>{_NUMERAL_TOKEN})(?P<sfx>%|[A-Za-z]+)?|(?P<words>(?i:{_WORD_NUMBER})))"
)
_NEXT_WORD = re.compile(r"(\s*,\s*|\s+)(?:(and|or)\s+)?([A-Za-z0-9][\w&'’-]*)")
_REFERENCE = re.compile(
    r"(?i:\b(?:sections?|articles?|chapters?|notes?|items?|part|clauses?|paragraphs?|para|figures?|fig\.|tables?"
    r"|pages?|p\.|pp\.|rules?|schedules?|appendix|exhibits?|annex|no\.|nos\.|vol\.|volume|issue|step|phase"
    r"|level|grade|room|version|v\.|episode|season|series|route|highway|platform|gate|flight|line|form)|§)\s*\Z"
)
_RANK_BEFORE = re.compile(
    r"(?i:\b(?:rank(?:ed|ing|s)?|plac(?:ed|ing|es)|finish(?:ed|ing|es)?|position(?:ed)?|came|comes)\s+"
    r"(?:(?:the|at|in)\s+)?)\Z"
)
_RANK_AFTER = re.compile(
    r"(?:-|\s+)(?:largest|biggest|highest|lowest|best|most|smallest|richest|busiest|oldest|longest|ranked"
    r"|place|position|spot)\b"
)
_TIME_PART = re.compile(r"\b(?i:(early|mid|late))(?:\s+|-)\Z")
_CENTURY = re.compile(r"[\s-]+(?i:century)(?![\w-])")
_CALENDAR_PART = re.compile(r"[\s-]+(?i:half|quarter)\b")
_AGE = re.compile(r"(?i:\b(?:aged?|at\s+age|age\s+of)\s*)\Z")
_FROM = re.compile(r"(?i:\bfrom\s*)\Z")
_YEAR_PREPS = re.compile(
    r"(?i:\b(?:in|since|by|until|till|from|before|after|during|of|to|through|the|fiscal|and)\s*)\Z"
)
_LABEL_WORD = re.compile(r"(?<![\w.])([A-Z][\w&'’.]*) \Z")  # one space: a tab or two start a table cell
_NOT_LABELS = frozenset(
    word_list(
        "In On At By For From To Of Since Until After Before During The A An And Or With Than Between Each All "
        "Only Just Total Top Up Down Some About Over Nearly Almost Around Approximately Roughly Under Another Every "
        "Its Their Our His Her These Those That This If When While Where Per Plus Minus Are Is Was Were"
    )
)
_MID_PREFIXES = frozenset(word_list("mid early late pre post end"))
_IRREGULAR_PLURALS = frozenset(
    word_list(
        "people children men women staff personnel police cattle feet teeth mice geese data media criteria "
        "species series aircraft livestock sheep deer fish alumni"
    )
)
_NOT_PLURALS = frozenset(
    word_list(
        "is was has does this its his hers ours yours theirs us as thus less across perhaps always whereas plus "
        "minus yes news means towards afterwards besides unless whilst sometimes"
    )
)
_STOP = STOPWORDS | words(
    """after among before being between during each her his just must my no only onto our per shall since still such
    until while year-on-year your"""
)
# a modifier joins the counted noun only on positive evidence that it is a noun itself: adjectives are too
# many to list, so "base stations" needs "base" here, and "distinct divisors" stays "divisors"
_NOUN_SUFFIXES = word_list("tion sion ment ness ity ery ance ence ship age ism ist")
_COMPOUND_NOUNS = frozenset(
    word_list(
        "base data power service delivery user phone car bus train rail border trade school health care research "
        "energy water network internet computer software security charging parking payment information member "
        "student tourist government business market industry family household passenger cargo container field"
    )
)


# --- reading one figure -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Prefix:
    start: int  # where the figure's text starts (qualifier, sign, currency or "(")
    qualifier: str | None
    currency: str | None
    paren: int | None  # index of a "(" right before the number: maybe an accounting negative
    minus: bool
    between: int | None  # index of "between" before the number ("between 3 and 5 million")
    before: str  # the text before all of it, for context rules


def _read_prefix(text: str, s: int, floor: int) -> _Prefix:
    lo = max(floor, s - 60)
    m = _PREFIX.search(text, lo, s)
    assert m is not None  # every group is optional, so the empty match at the end always exists
    starts = [m.start(g) for g in ("qual", "minus1", "cur", "paren", "minus2") if m.group(g) is not None]
    start = min(starts) if starts else s
    qual, cur = m.group("qual"), m.group("cur")
    return _Prefix(
        start=start,
        qualifier=vocab.QUALIFIERS.get(" ".join(qual.lower().split())) if qual else None,
        currency=vocab.CURRENCY_PREFIXES.get(cur) if cur else None,
        paren=m.start("paren") if m.group("paren") else None,
        minus=bool(m.group("minus1") or m.group("minus2")),
        between=m.start("between") if m.group("between") else None,
        before=text[lo : m.start("between") if m.group("between") else start],
    )


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
        return not (c == "-" and word is not None and word.group().lower() in _MID_PREFIXES)  # "mid-2022"
    return False


def _is_plural(word: str) -> bool:
    lower = word.lower()
    if lower in _IRREGULAR_PLURALS:
        return True
    if (
        len(lower) < 3
        or lower[-1] != "s"
        or lower in _NOT_PLURALS
        or lower.endswith(("ss", "us", "is", "'s", "’s"))
    ):
        return False
    return lower.replace("-", "").isalpha()


def _counted_noun(text: str, p: int, *, bare: bool) -> tuple[int, str] | None:
    """(end, noun) for the counted noun after a number: "1.5 million 5G base stations" -> "base stations".

    Up to three modifiers may stand between ("micro, small and medium-sized enterprises"); the modifier right
    before the plural joins it when it is known as a noun ("base stations", not "small enterprises").
    bare: only a directly following lower-case plural counts (for year-like numbers: "1500 soldiers").
    """
    modifiers: list[str] = []
    for i in range(4):
        m = _NEXT_WORD.match(text, p)
        if m is None or (i == 0 and (m.group(1).strip() or m.group(2))):
            return None
        word = m.group(3)
        if _is_plural(word):
            if bare and (modifiers or not word.islower()):
                return None
            last = modifiers[-1] if modifiers and not m.group(1).strip() and not m.group(2) else ""
            noun_like = last.isalpha() and (last in _COMPOUND_NOUNS or last.endswith(_NOUN_SUFFIXES))
            return m.end(), f"{last} {word}" if noun_like else word
        if i == 3 or word.lower() in _STOP or not any(c.isalpha() for c in word):
            return None
        modifiers.append(word)
        p = m.end()
    return None


def _numeral_value(token: str) -> float | None:
    value = float(token.replace(",", ""))
    return value if math.isfinite(value) else None  # "1" * 10000 is a token, but not a value


def _words_value(words: str) -> float:
    total, current = 0.0, 0.0
    for w in re.findall(r"[a-z]+", words.lower()):
        if w == "a":
            current = 1.0
        elif w in vocab.SMALL:
            current += vocab.SMALL[w]
        elif w in vocab.TENS:
            current += vocab.TENS[w]
        elif w in ("hundred", "dozen"):
            current = (current or 1.0) * (100 if w == "hundred" else 12)
        elif w in vocab.SCALES:
            total += (current or 1.0) * vocab.SCALES[w]
            current = 0.0
    return total + current


def _at_sentence_start(text: str, s: int) -> bool:
    i = s - 1
    while i >= 0 and text[i] in " \t\"'“‘(":
        i -= 1
    return i < 0 or text[i] in ".!?\n:;"


def _cell_like(text: str, open_idx: int, close_idx: int) -> bool:
    """True when "(…)" stands alone like a table cell: nothing but blanks up to a line end, tab or "|"."""
    left = re.search(r"(?:\A|[\n\t|]|\s{2})[ ]*\Z", text[max(0, open_idx - 40) : open_idx])
    right = re.match(r"[ ]*(?:\Z|[\n\t|]|\s{2})", text[close_idx + 1 : close_idx + 41])
    return left is not None and right is not None


def _year_like(token: str, value: float | None) -> bool:
    return value is not None and len(token) == 4 and token.isdigit() and 1000 <= value <= 2100


def _read(text: str, m: re.Match[str], floor: int, prev: Figure | None) -> tuple[Figure | None, int]:
    """The figure whose number the core match m found (or None), and how far the text is used up."""
    s, e = m.span()
    if m.group("phone"):
        return None, e
    if m.group("date"):
        if _glued_left(text, s) or text[e : e + 1].isalnum():
            return None, e
        years = re.findall(r"(?<!\d)(?:1\d{3}|20\d{2})(?!\d)", m.group())
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
        return _read_number(text, s, e, _words_value(words), floor, prev, words=words)
    s, e = m.span("num")
    token, sfx = m.group("num"), m.group("sfx") or ""
    if _glued_left(text, s) or not _NUMERAL.fullmatch(token):
        return None, m.end()  # ids ("A380"), versions and malformed tokens ("3.2.1", "1,2,3")
    if text[e : e + 1] == ":" and (clock := _time_of_day(text, s)) is not None:
        return clock, clock.end
    if text[e : e + 1] == ":" and (left := _CLOCK_LEFT.match(text, s)):  # "with 3:08 left"
        minutes = int(left.group(1)) + int(left.group(2)) / 60
        return Figure(left.group(), s, left.end(), minutes, "minutes", "duration"), left.end()
    if text[e : e + 1] in ("/", ":") and text[e + 1 : e + 2].isdigit():
        return _read_slash(text, s, e)
    if token.isdigit() and sfx.lower() in ("", "am", "pm") and (clock := _time_of_day(text, s)) is not None:
        return clock, clock.end  # "5 pm", "1 a.m.", "10pm"
    number = _numeral_value(token)
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


# time left on a game clock: "3:08 left", "11:28 remaining in the quarter"
_CLOCK_LEFT = re.compile(r"(\d{1,2}):([0-5]\d)(?=\s+(?:left|remaining|to\s+play|to\s+go)\b)")
# a time of day: "2:45 a.m.", "5 pm", "14:30" (after "at", "from", "until" ...), "7:00 to 9:00 a.m."
_CLOCK = re.compile(r"(\d{1,2})(?::([0-5]\d))?(?![\d:])")
_MERIDIEM = re.compile(r"\s?(?i:([ap])(?:\.\s?m\b\.?|\s?m\b))")  # "p.m." keeps its dots, "pm." is a full stop
_CLOCK_PREP = re.compile(r"(?i:\b(?:at|by|until|till|from|before|after|around|about|between|to|and)\s+)\Z")
_CLOCK_RANGE = re.compile(r"\s*(?:to|until|till|[-–])\s*")
TIME_OF_DAY = "time of day"  # the unit of a time-of-day figure (kind "date", value in hours after midnight)


def _time_of_day(text: str, s: int) -> Figure | None:
    """A time of day starting at s, or None. A bare "16:18" (a verse, a ratio, a game clock) is a time only
    after a word like "at" or "until"; a bare "5" only with "a.m."/"pm"; a range takes its end's "a.m."/"p.m."."""
    first = _CLOCK.match(text, s)
    if first is None:
        return None
    end, upper, meridiem = first.end(), None, _MERIDIEM.match(text, first.end())
    if meridiem is None and (between := _CLOCK_RANGE.match(text, end)):
        second = _CLOCK.match(text, between.end())
        meridiem = _MERIDIEM.match(text, second.end()) if second else None
        if second is not None and meridiem is not None:
            upper, end = second, second.end()
    if meridiem is not None:
        end = meridiem.end()
    elif first.group(2) is None or not _CLOCK_PREP.search(text, max(0, s - 12), s):
        return None
    hours = [_hours(m, meridiem) for m in (first, upper) if m is not None]
    if any(h is None for h in hours):
        return None
    value, range_to = hours[0], hours[1] if len(hours) > 1 else None
    return Figure(text[s:end], s, end, value, TIME_OF_DAY, "date", range_to=range_to)


def _hours(clock: re.Match[str], meridiem: re.Match[str] | None) -> float | None:
    """Hours after midnight of "2:45" (with "a.m."/"p.m." when given), or None for no valid time."""
    hour, minute = int(clock.group(1)), int(clock.group(2) or 0)
    if meridiem is None:
        return hour + minute / 60 if hour <= 23 else None
    if not 1 <= hour <= 12:
        return None
    return hour % 12 + (12 if meridiem.group(1).lower() == "p" else 0) + minute / 60


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
    m = _TIME_PART.search(text, max(floor, s - 12), s)
    return (m.start(), m.group(1).lower()) if m else (s, None)


def _ordinal(text: str, s: int, e: int, value: float | None, floor: int) -> Figure | None:
    if _CALENDAR_PART.match(text, e):
        return None  # "the first half of 2022" names a period (see _PERIOD), not a rank
    if value is not None and (century := _CENTURY.match(text, e)):
        # "the 12th century" is a time, like a decade: a year with its first year as the value
        start, part = _part_of_time(text, s, floor)
        value = (value - 1) * 100
        return Figure(
            text[start : century.end()], start, century.end(), value, "century", "year", qualifier=part
        )
    rank = (
        _RANK_BEFORE.search(text, max(floor, s - 40), s) is not None or _RANK_AFTER.match(text, e) is not None
    )
    return Figure(text[s:e], s, e, value, "rank" if rank else None, "ordinal")


def _scale_at(text: str, p: int, currency: str | None) -> tuple[float, int]:
    """(scale, end) of a scale word at p: " million", " bn", and "m"/"k" after a currency."""
    if sm := _SCALE_WORD.match(text, p):
        return vocab.SCALES.get(sm.group(1).lower()) or vocab.ABBREV_SCALES[sm.group(1).lower()], sm.end()
    if currency and (cm := _CURRENCY_SCALE.match(text, p)):
        return vocab.CURRENCY_ABBREV_SCALES[cm.group(1).lower()], cm.end()
    return 1.0, p


def _glued_scale(sfx: str, currency: str | None) -> float | None:
    """The scale of letters glued to a number ("1.5bn", "£1.1m"), or None."""
    table = vocab.CURRENCY_ABBREV_SCALES if currency else vocab.ABBREV_SCALES
    return table.get(sfx.lower())


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
) -> tuple[Figure | None, int]:
    pre = _read_prefix(text, s, floor)
    currency, qualifier, start, p = pre.currency, pre.qualifier, pre.start, e
    scale = 1.0
    if sfx:  # letters glued on the right: a scale ("1.5bn"), a unit ("6.6ZB", "10%") or an id ("5G")
        glued = _glued_scale(sfx, currency)
        if glued is None and currency is None and sfx in ("m", "k") and _counted_noun(text, e + 1, bare=True):
            glued = vocab.CURRENCY_ABBREV_SCALES[sfx]  # "25m people", "300k users"
        if glued is not None:
            scale, p = glued, e + len(sfx)
        # "5K" is 5,000, "90 K" a temperature
        elif vocab.lookup_unit(sfx) is None or sfx in ("pt", "pts", "K"):
            return None, e + len(sfx)

    # accounting negatives: "(1,234)", "$(9.8) million", "£(8.1m)"; a bare "(1)" is a footnote marker
    negative, closed = pre.minus, False
    if pre.paren is not None:
        close = p if text.startswith(")", p) else None
        if close is None and scale == 1.0:
            scale_end = _scale_at(text, p, currency)[1]
            close = scale_end if text.startswith(")", scale_end) else None
        conversion = prev is not None and prev.kind == "money" and not text[prev.end : pre.paren].strip()
        grouped = "," in token or "." in token or currency is not None or scale != 1.0
        if close is not None and not conversion and (grouped or _cell_like(text, pre.paren, close)):
            negative = closed = True
            if close == p:
                p = close + 1
            else:
                scale, p = _scale_at(text, p, currency)
                p += 1
        elif close is not None and token.isdigit() and len(token) <= 3 and not conversion:
            plural = _PLURAL_BEFORE.search(text, max(0, pre.paren - 30), pre.paren)
            if plural is not None and close == e and len(token) >= 2:  # "led the team in tackles (118)"
                return Figure(token, s, e, value, plural.group(1), "count"), close + 1
            return None, close + 1  # a footnote or list marker: "(1)"
        else:
            start = max(start, pre.paren + 1)
    if scale == 1.0 and not words:
        scale, p = _scale_at(text, p, currency)

    base = None if value is None else value * scale
    kind, unit, range_to = "number", None, None
    year_like = _year_like(token, value) and scale == 1.0 and currency is None and not negative
    if year_like and qualifier in vocab.YEAR_DROPPED_QUALIFIERS:
        qualifier, start = None, s

    # a range: "10 to 15 percent", "10-15%", "between 3 and 5 million", "1629–1631"; a score: "24–10"
    if not closed and (
        rng := _read_range(text, p, base, scale, currency, pre, token=token, year_like=year_like)
    ):
        p, base, range_to, is_score = rng
        unit = "score" if is_score else None
        start = pre.between if pre.between is not None else start

    um = _UNIT.match(text, p) if unit is None else None
    hm = _HYPHEN_UNIT.match(text, p) if um is None and unit is None else None
    if um is not None:
        found = vocab.lookup_unit(um.group("u"))
        assert found is not None
        ukind, uname, ucurrency = found
        if ukind == "money" and year_like and currency is None:
            kind = "year"  # "in 2010 dollars": the base year of prices, not an amount
        elif ukind != "money" or currency in (None, "¥", ucurrency) or ucurrency != "USD":
            kind, unit, p = ukind, uname, um.end()
            currency = ucurrency if ukind == "money" and currency in (None, "¥", "USD") else currency
            if unit == "years" and (old := _YEARS_OLD.match(text, p)):
                p = old.end()
    elif hm is not None:
        found = vocab.lookup_unit(hm.group("u"))
        assert found is not None
        kind, unit, p = found[0], found[1], hm.end()
    elif text.startswith("-", p) and text[p + 1 : p + 2].isalpha():
        compound = (
            _HYPHEN_NOUN.match(text, p) if token.isdigit() and not year_like and currency is None else None
        )
        if compound is None or compound.group(1).endswith(_NOT_NOUN_ENDINGS):
            return None, p  # "three-dimensional", "10-K", "2019-nCoV": part of a word, not a figure
        kind, unit, p = "count", compound.group(1), compound.end()  # "a 12-screen cinema", "512-bit primes"
    if currency is not None:
        kind = "money"
        unit = unit if unit in vocab.CURRENCY_UNITS.values() else vocab.CURRENCY_UNITS.get(currency, currency)
    if range_to is None and unit is not None and not closed:  # "10% to 15%", "$3 million to $5 million"
        rng = _read_range(text, p, base, scale, currency, pre, token=token, year_like=False)
        again = _UNIT.match(text, rng[0]) if rng else None
        if rng and again and (vocab.lookup_unit(again.group("u")) or ())[:2] == (kind, unit):
            p, base, range_to = again.end(), rng[1], rng[2]
        elif rng and currency and (rm := _RANGE.match(text, p)) and rm.group("cur"):
            p, base, range_to = rng[0], rng[1], rng[2]

    if kind == "number" and unit is None:
        if _AGE.search(pre.before):
            kind, unit = "duration", "years"
        elif words.lower() == "one":
            return None, p  # a lone "one" ("one of the drivers") is a pronoun, not a figure
        elif (noun := _counted_noun(text, p, bare=year_like)) and not (
            year_like and _YEAR_PREPS.search(pre.before)
        ):
            kind, unit, p = "count", noun[1], noun[0]
        elif year_like and (qualifier is None or qualifier in vocab.YEAR_QUALIFIERS):
            kind = "year"
            if qualifier is None and pre.between is None:  # "late 2008", "mid-2019"
                start, part = _part_of_time(text, start, floor)
                qualifier = part
    # numbers that name rather than measure: "Section 3.2", "Article 5" (references) and "Super Bowl 50",
    # "Partner 2 Connect", "Web 3.0 technologies" (a capitalised name, not opening the sentence, right before)
    if kind in ("number", "year", "count") and (unit is None or kind == "count") and range_to is None:
        if kind != "count" and not qualifier and _REFERENCE.search(pre.before):
            return None, p
        label = _LABEL_WORD.search(pre.before)
        if (
            kind != "year"
            and not qualifier
            and label
            and label.group(1) not in _NOT_LABELS
            and not _at_sentence_start(
                text, (pre.start if pre.between is None else pre.between) - len(pre.before) + label.start()
            )
        ):
            return None, p
    if negative and base is not None:
        base = -base
    figure = Figure(
        text[start:p],
        start,
        p,
        base,
        unit,
        kind,
        currency=currency,
        qualifier=qualifier,
        range_to=range_to,
        negative=negative,
    )
    return figure, p


def _read_range(
    text: str,
    p: int,
    base: float | None,
    scale: float,
    currency: str | None,
    pre: _Prefix,
    *,
    token: str,
    year_like: bool,
) -> tuple[int, float | None, float, bool] | None:
    """(end, value, range_to, is_score) for a range whose separator starts at p, or None."""
    m = _RANGE.match(text, p)
    if m is None or base is None:
        return None
    sep = m.group("sep").strip()
    if m.group("cur") and vocab.CURRENCY_PREFIXES.get(m.group("cur")) != currency:
        return None
    # "rose from 10 to 15 percent" is a change between two figures; "from 1562 to 1598" is a period
    if (sep == "and" and pre.between is None) or (
        sep in ("to", "through") and _FROM.search(pre.before) and not year_like
    ):
        return None
    end, second_scale = m.end(), 1.0
    second_token = m.group("num") or ""
    if second_token:
        if not _NUMERAL.fullmatch(second_token) or text[end : end + 1] in ("/", ":"):
            return None
        second = _numeral_value(second_token)
        if second_sfx := m.group("sfx"):
            glued = _glued_scale(second_sfx, currency)
            if glued is not None:
                second_scale = glued
            elif vocab.lookup_unit(second_sfx) is not None and second_sfx not in ("pt", "pts"):
                end = m.end("num")  # the unit ("%") is read by the caller and applies to both ends
            else:
                return None
    else:
        second = _words_value(m.group("words"))
    if second is None:
        return None
    if second_scale == 1.0:
        second_scale, end = _scale_at(text, end, currency)
    if scale == 1.0 and second_scale != 1.0:
        base *= second_scale  # "between 3 and 5 million": the scale belongs to both ends
    upper = second * second_scale
    dash = sep in ("-", "–", "‐", "")
    if year_like and dash and len(second_token) == 2:  # "2011–12"
        upper = base // 100 * 100 + second
        return end, base, upper + 100 if upper <= base else upper, False
    if upper >= base:
        return end, base, upper, False
    if dash and token.isdigit() and second_token.isdigit() and scale == second_scale == 1.0 and not currency:
        return end, base, upper, True
    return None  # "outnumbered the French 20 to 1": a ratio, two figures


# --- context: the currency of "¥", change and period ------------------------------------------------------

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
    rf"\s+of\s+(?:{_YEAR}|this\s+year|last\s+year|the\s+year)"
    rf"|(?:the\s+)?(?:end|beginning|start|middle|close)\s+of\s+(?:(?:{_MONTH}\.?\s+)?{_YEAR}|this\s+year"
    rf"|last\s+year|the\s+year|{_MONTH})"
)
_PLAIN_TIME = (
    rf"(?:{_MONTH}\.?\s+\d{{1,2}},?\s+|\d{{1,2}}\s+{_MONTH}\.?,?\s+|{_MONTH}\.?,?\s+)?{_YEAR}(?:/\d{{2}})?"
    rf"|(?:(?i:fiscal)(?:\s+year)?|FY)\s*'?(?:{_YEAR}|\d{{2}})(?!\d)|[QH][1-4]\s+{_YEAR}"
)
_PLAIN_TIME_RE = re.compile(_PLAIN_TIME)
_PERIOD = re.compile(
    r"(?:\b(?P<prep>(?i:as\s+of|as\s+at|by|in|during|for|since|until|through|at|throughout|over(?=\s+the\s+past)))"
    rf"\s+(?P<time>{_TIME}|{_PLAIN_TIME}|{_MONTH}|this\s+year|last\s+year|the\s+past\s+year|recent\s+years)"
    rf"|\b(?P<bare>(?i:last\s+year|this\s+year))|\((?P<paren>{_YEAR}(?:/\d{{2}})?):)(?![\w])"
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


def _with_context(text: str, figures: list[Figure]) -> list[Figure]:
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


def extract_figures(text: str) -> list[Figure]:
    """Every figure in text, in order of start, non-overlapping, each with text == source[start:end]."""
    found: list[Figure] = []
    floor = 0
    for m in _CORE.finditer(text):
        if m.start() < floor:
            continue
        figure, used = _read(text, m, floor, found[-1] if found else None)
        if figure is not None:
            found.append(figure)
        floor = max(floor, used)
    joined = _joined(text, _share_counted_nouns(text, found))
    return _respectively(text, _with_context(text, _ratios(text, joined)))


@lru_cache(maxsize=1024)
def sentence_figures(sentence: str) -> tuple[Figure, ...]:
    """extract_figures, cached: answering reads each cited sentence more than once (to choose a figure, to
    check what its figures are dated by, to list the rest), and nearby questions cite the same passages.
    Figures are frozen, so sharing them is safe."""
    return tuple(extract_figures(sentence))


# --- spans that join figures or take a word more -----------------------------------------------------------

# "the 1530s and 1540s", "the 1950s through the 1970s", "the 18th and 19th centuries"
_TIME_JOIN = re.compile(r"\s*(?:[-–]|and|to|through|until)\s+(?:the\s+)?", re.IGNORECASE)
_BETWEEN = re.compile(r"(?i:\bbetween\s+(?:the\s+)?)\Z")
_CENTURIES = re.compile(r"[\s-]+(?i:centuries)\b")
_PLUS_MINUS = re.compile(r"\s*±\s*")
_AGO = re.compile(r"\s+ago\b")
_ERA_AFTER = re.compile(r"\s+(?P<era>BCE|BC|CE|AD)\b")
_ERA_BEFORE = re.compile(r"\b(?:AD|CE)\s+\Z")


def _joined(text: str, figures: list[Figure]) -> list[Figure]:
    """Figures that read as one span: two times joined ("the 1530s and 1540s", "between about 1964 and 1973",
    "the 18th and 19th centuries"), a measurement with its error ("356 ± 47 tonnes"), a time back from now
    ("1.7 billion years ago") and a year of an era ("800 CE", "AD 0–1250")."""
    out: list[Figure] = []
    for f in figures:
        last = out[-1] if out else None
        if last is not None and (two := _two_times(text, last, f)) is not None:
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


def _ratios(text: str, figures: list[Figure]) -> list[Figure]:
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
    return float(token) if token.isdigit() else _words_value(token) or None


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


def _respectively(text: str, figures: list[Figure]) -> list[Figure]:
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


def _share_counted_nouns(text: str, figures: list[Figure]) -> list[Figure]:
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
