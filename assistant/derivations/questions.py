"""Read a derived-figure question: its operation (change, percentage change, average, sum, share, ratio,
count) and its operands, as the periods and the items it names."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from assistant.tables.matching import asks_prose
from assistant.text.patterns import CENTURY, PERIOD_YEAR

_YEAR = re.compile(
    rf"\b(?:FY\s?|F|fiscal\s+(?:year\s+)?)?['’]?({PERIOD_YEAR})\b(?!\s*(?:-|–|to)\s*{CENTURY}?\d{{2}}\s*(?:%|percent))",
    re.IGNORECASE,
)
_SHORT_YEAR = re.compile(r"\b(?:FY|F)\s?['’]?(\d{2})\b", re.IGNORECASE)
_RANGE = re.compile(
    rf"\b(?:from|between)\s+(?:fiscal\s+(?:year\s+)?|FY\s?)?({PERIOD_YEAR})\s+(?:to|through|until)\s+"
    rf"(?:fiscal\s+(?:year\s+)?|FY\s?)?({PERIOD_YEAR})\b|\b({PERIOD_YEAR})\s*[-–]\s*({PERIOD_YEAR})\b",
    re.IGNORECASE,
)

_PCT_CHANGE = re.compile(
    r"(?<!absolute\s)\bpercent(?:age)?\s+(?:change|increase|decrease|growth|rise|decline|drop|fall|movement)|"
    r"%\s*(?:change|increase|decrease|growth)|\bgrowth\s+rate\b|\brate\s+of\s+(?:change|growth|increase|decrease)|"
    r"\bby\s+what\s+percent(?:age)?\b|\bchange\s*\(\s*%\s*\)|\bpercentage\s+(?:increase|decrease)\s*/\s*\(?\s*(?:increase|decrease)",
    re.IGNORECASE,
)
_SHARE = re.compile(
    r"\b(?:percentage|proportion|share|portion|fraction|percent)\s+(?:constitution\s+)?of\b|"
    r"\bas\s+an?\s+(?:percentage|proportion|share|fraction|%)\s+of\b|\b%\s+of\b|"
    r"^\s*what\s+(?:percentage|proportion|share|fraction|percent)\b",
    re.IGNORECASE,
)
_RATIO = re.compile(r"\bratio\b", re.IGNORECASE)
_AVERAGE = re.compile(r"\baverage\b|\bmean\b", re.IGNORECASE)
_CHANGE = re.compile(
    r"\bchanges?\b|\bdifference\b|\bincrease\b|\bdecrease\b|\bvariance\b|\bmovement\b|"
    r"\bhow\s+much\s+(?:more|less|higher|lower|did|has|have)\b|\bgrowth\b|\bdecline\b",
    re.IGNORECASE,
)
_SUM = re.compile(r"\btotal\b|\bsum\b|\bcombined\b|\baltogether\b|\bin\s+all\b", re.IGNORECASE)
# "across all 3 years", "for both years": every period of the row
_ALL_PERIODS = re.compile(
    r"\b(?:all|both|each\s+of\s+the)\s+(?:(?:\d+|two|three|four|five)\s+)?(?:years|periods|fys|quarters)\b",
    re.I,
)
_HOW_MANY = re.compile(r"\bhow\s+many\b", re.IGNORECASE)
# row names that hold an operation's word without asking for it
_NAMED = re.compile(
    r"\bweighted[\s-]+average\b|\bnet\s+(?:increase|decrease|change)\s+in\b|"
    r"\b(?:increase|decrease)\s*/\s*\(?(?:increase|decrease)\)?",
    re.IGNORECASE,
)
_THRESHOLD = re.compile(
    r"\b(?P<op>less\s+than|lower\s+than|below|under|more\s+than|greater\s+than|higher\s+than|above|over|"
    r"exceed(?:s|ed|ing)?|at\s+least)\s+(?P<cur>US\$|[$€£¥])?\s*(?P<n>\d[\d,]*(?:\.\d+)?)\s*(?P<pct>%)?"
    r"(?:\s*(?P<scale>thousand|million|billion|k|m|bn)\b)?",
    re.IGNORECASE,
)
_LEAD = re.compile(
    r"^\s*(?:(?:in|for|during|as\s+(?:of|at))\s+[^,]*,\s*)?(?:what|how\s+much|how\s+many|by\s+how\s+much)\s+"
    r"(?:is|was|were|are|has|have|did|does|do|will|would)?\s*(?:the\s+)?",
    re.IGNORECASE,
)
_OP_WORDS = re.compile(
    r"\b(?:growth\s+rate|rate\s+of\s+(?:change|growth|increase|decrease)|percent(?:age)?|proportion|share|portion|fraction|ratio|(?<!weighted\s)(?<!weighted-)average|mean|change|changes|difference|"
    r"increase|decrease|variance|movement|growth|decline|sum|combined|altogether|nominal|absolute|"
    r"amount|value|figure|overall|constitution|respective(?:ly)?|both|years?|periods?|"
    r"in\s+all|as\s+an?|out|among|relative|compared)\b|%|[?/()\"“”]",
    re.IGNORECASE,
)
_SMALL = r"(?:of|in|the|for|from|to|between|and|by|on|at|was|is|were|are|a|an|its|over|across|during)"
_EDGE = re.compile(rf"^(?:{_SMALL}\b[\s,]*|[\s,]+)+|(?:[\s,]+\b{_SMALL}|[\s,]+)+$", re.IGNORECASE)
_PERIOD_PHRASE = re.compile(
    r"\b(?:over|for|across|in|during)\s+the\s+(?:\d+|two|three|four|five)[\s-]+years?(?:\s+period)?\b|"
    r"\b(?:as\s+(?:of|at)|at|on|for|in|of)?\s*(?:january|february|march|april|may|june|july|august|september|"
    r"october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\b[\s.-]*(?:\d{1,2}\b,?)?|"
    r"\byear[\s-]+end\b|\bas\s+reported\b|\bat\s+the\s+end\s+of\s+(?:the\s+)?(?:period|year)\b|"
    r"\b(?:in|for|during)\s+the\s+(?:fiscal\s+)?years?\b|\bthe\s+end\s+of\b",
    re.IGNORECASE,
)
_SCALE_WORDS = {"k": "thousand", "m": "million", "bn": "billion"}


@dataclass(frozen=True, slots=True)
class Threshold:
    """A count's condition: values above (or below) a limit, in a scale when the question gives one."""

    above: bool
    limit: Decimal
    scale: str | None
    percent: bool


@dataclass(frozen=True, slots=True)
class DerivedQuestion:
    """What a derived-figure question asks: the operation, the topic its operands share, the items that tell
    them apart when they are not periods (a share's part and whole, a difference's two sides), the years it
    names in order (a range spelled out), and a count's condition."""

    operation: str
    subject: str
    items: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    threshold: Threshold | None = None
    percent: bool = False  # a share or ratio asked as a percentage
    percent_operands: bool = False  # the operands are percentages ("the change in the gross margin")


_PERCENT_OPERANDS = re.compile(
    r"\b(?:rates?|margins?|yields?|percent(?:age)?\s+of|%\s+of|volatility|ratio)\b", re.IGNORECASE
)


def read_derived(question: str) -> DerivedQuestion | None:
    """The derived figure a question asks for, or None when it asks for a figure as written (or none)."""
    if asks_prose(question):
        return None  # "Why did revenue increase?": a reason, not a figure
    found = _read(question)
    if found is None or found.operation == "count":
        return found
    # "the change in the gross margin", "the average percentage of sales": the operands are percentages
    own = found.operation in ("change", "average", "sum") and re.search(r"percent|%", question, re.I)
    named = _PERCENT_OPERANDS.search(" ".join([found.subject, *found.items]))
    return replace(found, percent_operands=bool(own or named))


def _read(question: str) -> DerivedQuestion | None:
    years = _years(question)
    plain = _NAMED.sub(lambda m: m.group(0).replace(" ", "_"), question)  # keep named rows whole
    if _HOW_MANY.search(plain):
        return _count(question, years)
    operation = _operation(plain)
    if operation is None:
        return None
    topic = _strip_years(_LEAD.sub("", question, count=1))
    percent = bool(re.search(r"percent|%|\bshare\b", question, re.IGNORECASE))
    if operation in ("share", "ratio"):
        split = _part_and_whole(topic) if operation == "share" else _two_sides(topic, ratio=True)
        if split is None and operation == "ratio":
            return None  # "What is the current ratio in 2019?": a named ratio, looked up
        items = split or (_clean(topic),)
        return DerivedQuestion(operation, "", tuple(_clean(i) for i in items), years, None, percent)
    if operation == "change" and len(years) < 2:
        sides = _two_sides(topic, ratio=False)
        if sides is not None:
            return DerivedQuestion(operation, "", tuple(_clean(s) for s in sides), years)
    if operation == "sum" and len(years) < 2:
        sides = _two_sides(topic, ratio=False)
        if sides is not None:
            return DerivedQuestion(operation, "", tuple(_clean(s) for s in sides), years)
        if years or not _ALL_PERIODS.search(question):
            return None  # "What was the total revenue in 2019?": a total row, looked up
    if len(years) == 1:
        return None  # "What was the average price in 2019?": one period is a figure to look up
    return DerivedQuestion(operation, _clean(topic), (), years)


def _operation(question: str) -> str | None:
    """The operation, by the first operation word (a percentage change first: "percentage change" holds a
    share's word and a change's); a total is confirmed by _read, which looks it up when it adds nothing."""
    if _PCT_CHANGE.search(question):
        return "percentage change"
    found: list[tuple[int, str]] = []
    for pattern, name in (
        (_SHARE, "share"),
        (_RATIO, "ratio"),
        (_AVERAGE, "average"),
        (_CHANGE, "change"),
    ):
        m = pattern.search(question)
        if m:
            found.append((m.start(), name))
    if found:
        return min(found)[1]
    return "sum" if _SUM.search(question) else None


def _years(question: str) -> tuple[int, ...]:
    """The years a question names, in order; a range ("from 2017 to 2019") spelled out year by year when it
    asks for a total or an average."""
    found: list[tuple[int, int]] = [(m.start(), int(m.group(1))) for m in _YEAR.finditer(question)]
    found += [(m.start(), 2000 + int(m.group(1))) for m in _SHORT_YEAR.finditer(question)]
    years = [y for _, y in sorted(found)]
    span = _RANGE.search(question)
    if span and (_AVERAGE.search(question) or _SUM.search(question)) and not _CHANGE.search(question):
        a, b = (int(g) for g in (span.group(1) or span.group(3), span.group(2) or span.group(4)))
        lo, hi = min(a, b), max(a, b)
        if hi - lo <= 10:
            return tuple(range(lo, hi + 1))
    return tuple(dict.fromkeys(years))


def _strip_years(text: str) -> str:
    text = _RANGE.sub(" ", text)
    text = _PERIOD_PHRASE.sub(" ", text)
    text = _YEAR.sub(" ", text)
    text = _SHORT_YEAR.sub(" ", text)
    text = re.sub(
        r"\b(?:(?:from|between|in|for|during|of|at|as\s+(?:of|at)|to|and|the|year|years|fiscal|ended|ending|"
        r"end|period|december|june|september|march)\s+)*(?:and|to)?\s*$",
        "",
        text.strip(" ?"),
        flags=re.IGNORECASE,
    )
    return " ".join(text.split())


def _clean(text: str) -> str:
    """An operand's words without the operation's words, the years and the small words at its edges."""
    text = _strip_years(text)
    text = _OP_WORDS.sub(" ", text)
    text = " ".join(text.split())
    previous = None
    while previous != text:
        previous = text
        text = _EDGE.sub("", text).strip()
    return text


_SHARE_WORD = r"(?:percentage|proportion|share|portion|fraction|percent)"
_AS_SHARE = re.compile(rf"^(?P<part>.+?)\s+as\s+an?\s+(?:{_SHARE_WORD}|%)\s+of\s+(?P<whole>.+)$", re.I)
_SHARE_VERB = re.compile(
    rf"{_SHARE_WORD}\s+of\s+(?P<whole>.+?)\s+(?:(?:is|was|were|are)\s+)?(?:made\s+up\s+of|generated\s+(?:from|by)|"
    r"accounted\s+for\s+(?:by|using)|due\s+to|came\s+from|comes\s+from|consists?\s+of|was|is|were|are)\s+"
    r"(?P<part>.+)$",
    re.I,
)
_SPLIT = re.compile(
    r"\s(?:over|to|against|relative\s+to|compared\s+to|divided\s+by|out\s+of|among|in|of|within)\s", re.I
)
_TOTAL_WORD = re.compile(r"^(?:the\s+)?(?:total|overall|all|combined|sum)\b", re.I)


def _part_and_whole(topic: str) -> tuple[str, str] | None:
    """A share's part and whole: "X as a percentage of Y", "what percentage of Y was X", "percentage of X
    in total Y" (split before a "total" when one follows)."""
    m = _AS_SHARE.search(topic)
    if m:
        part = re.sub(rf"^.*?\b{_SHARE_WORD}\s+of\s+", "", m.group("part"), flags=re.I)
        return part, m.group("whole")
    m = _SHARE_VERB.search(topic)
    if m:
        return m.group("part"), m.group("whole")
    lead = re.search(rf"{_SHARE_WORD}\s+(?:constitution\s+)?(?:of\s+)?", topic, re.I)
    if lead is None:
        return None
    splits = [at for at in _SPLIT.finditer(topic, lead.end()) if at.start() > lead.end()]
    if not splits:
        return None
    chosen = next((at for at in splits if _TOTAL_WORD.match(topic[at.end() :])), splits[0])
    return topic[lead.end() : chosen.start()], topic[chosen.end() :]


def _two_sides(topic: str, *, ratio: bool) -> tuple[str, str] | None:
    """The two items of "difference between A and B", "ratio of A to B", "sum of A and B"."""
    if ratio:
        m = re.search(
            r"\bratio\s+(?:of|between)\s+(?P<a>.+?)\s+(?:to|and|over|against|versus|vs\.?)\s+(?P<b>.+)$",
            topic,
            re.I,
        )
        if m is None:
            m = re.search(r"^(?P<a>.+?)\s+(?:as\s+a\s+)?ratio\s+(?:of|to)\s+(?P<b>.+)$", topic, re.I)
    else:
        m = re.search(r"\b(?:between|of)\s+(?P<a>.+?)\s+(?:and|to|versus|vs\.?)\s+(?P<b>.+)$", topic, re.I)
    if m is None:
        return None
    a, b = _clean(m.group("a")), _clean(m.group("b"))
    return (a, b) if a and b else None


def _count(question: str, years: tuple[int, ...]) -> DerivedQuestion | None:
    """ "How many years did X exceed $200,000 thousand?", "How many segments in 2019 were above $50 million?"."""
    m = _THRESHOLD.search(question)
    if m is None:
        return None
    above = re.match(r"less|lower|below|under", m.group("op"), re.I) is None
    scale = m.group("scale")
    scale = _SCALE_WORDS.get(scale.lower(), scale.lower()) if scale else None
    limit = Decimal(m.group("n").replace(",", ""))
    threshold = Threshold(above, limit, scale, bool(m.group("pct")))
    text = question[: m.start()] + " " + question[m.end() :]
    text = re.sub(r"\bhow\s+many\b", " ", text, flags=re.I)
    over = re.search(r"\bhow\s+many\s+(?:of\s+the\s+)?(?P<what>years?|quarters?|periods?)\b", question, re.I)
    subject = _clean(
        re.sub(
            r"\b(?:did|do|does|were|was|had|have|has|there|the|of|years?|quarters?|periods?)\b",
            " ",
            text,
            flags=re.I,
        )
    )
    items = ("columns",) if over else ("rows",)
    return DerivedQuestion("count", subject, items, years, threshold)
