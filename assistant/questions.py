"""Read what a question asks for (a kind of figure, its unit, a period, the words around it) and score figures against it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.figures import Figure, counted_noun, lookup_unit


@dataclass(frozen=True, slots=True)
class QuestionIntent:
    """What a question asks for; kind is None when it does not ask for a figure ("What is X?", "Who ...?")."""

    kind: str | None
    units: tuple[str, ...] = ()  # normalised like Figure.unit: "yuan", "percent", "base stations"
    period: str | None = None  # a time the question names: "2021", "last year"
    focus: tuple[str, ...] = ()  # lower-case content words the answer sentence should have near the figure
    change: bool = False  # the question asks how much something grew or fell


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


def _rule(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# the rule matching earliest in the question wins ("How many people lived there when ..." asks for a count);
# on a tie the first listed ("what share" before "how many")
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (_rule(r"\bhow\s+old\b"), "age"),
    (_rule(r"\bhow\s+long\b|\bfor\s+how\s+(?:long|many\s+(?:years|months|days))\b"), "duration"),
    (
        _rule(r"\b(?:what|which)\s+(?:day|date|month)\b|\bwhen\s+exactly\b|\bon\s+what\s+(?:day|date)\b"),
        "date",
    ),
    (_rule(r"\b(?:what|which)\s+(?:year|decade|century)\b|\bwhen\b"), "year"),
    (_rule(r"\bhow\s+fast\b|\bby\s+how\s+much\b"), "change"),
    (
        _rule(
            r"\b(?:what|which)\s+(?:share|proportion|percentage|percent|fraction|portion|ratio)\b|\bwhat\s+%"
            r"|\bwhat\s+(?:was|is|were|are)\s+the\s+(?:\w+\s+){0,3}(?:share|proportion|percentage|rate|ratio)\b"
            r"|\bhow\s+much\s+of\b|\bpercentage\b"
        ),
        "percent",
    ),
    (_rule(r"\b(?:what|which)\s+(?:rank|place|position|ranking)\b|\brank(?:ed|s)?\b"), "ordinal"),
    (
        _rule(
            r"\bhow\s+many\b|\bwhat\s+(?:was|is|were|are)\s+the\s+(?:\w+\s+)?(?:number|population|count)\b"
        ),
        "count",
    ),
    (_rule(r"\bhow\s+much\b"), "money"),
    (
        _rule(
            r"\bhow\s+(?:large|big|huge|great|sizable|significant)\b|\bwhat\s+(?:size|scale|amount)\b"
            r"|\bwhat\s+(?:was|is|were|are)\s+the\s+(?:\w+\s+){0,3}(?:size|scale|value|amount|total|volume|worth)\b"
        ),
        "amount",
    ),
    (_rule(r"\bwhat\s+(?:was|is)\s+the\s+(?:final\s+)?score\b"), "score"),
    (
        _rule(
            r"\bwhat\s+(?:was|is|were|are)\s+(?:the\s+|its\s+|their\s+)?(?:[\w'’]+\s+){0,3}(?:revenues?|costs?|prices?"
            r"|income|profits?|sales|budget|spending|investment|gdp|expenses?|salary|earnings)\b"
        ),
        "money",
    ),
    (
        _rule(
            r"\bhow\s+(?:tall|far|high|deep|wide|heavy)\b|\bwhat\s+(?:distance|temperature|height|weight|length)\b"
        ),
        "number",
    ),
)
_CHANGE = _rule(
    r"\bhow\s+fast\b|\bby\s+how\s+much\b|\bgrowth\b|\brate\s+of\s+(?:increase|decline)\b"
    r"|\b(?:grow|grew|increase[ds]?|rise|rose|fall|fell|decline[ds]?|drop(?:ped)?|decrease[ds]?|change[ds]?)\b"
)
_MONEY_WORDS = re.compile(
    r"\b(?:yuan|rmb|renminbi|dollars?|usd|euros?|pounds?|sterling|yen|value[ds]?|worth|revenues?|gdp|costs?|price[sd]?"
    r"|spen[dt]|spending|invest(?:ed|ment)?|sales|income|profits?|budget|econom(?:y|ies)|market|funding|funds?"
    r"|expenditure|earnings|turnover|capital|money|paid|pay)\b|[$€£¥]",
    re.IGNORECASE,
)
_DATA_WORDS = re.compile(
    r"\b(?:data|zb|eb|pb|tb|gb|[a-z]*bytes?|storage|output\s+of\s+data)\b", re.IGNORECASE
)
_TIME_WORDS = re.compile(r"\bhow\s+much\s+time\b", re.IGNORECASE)
_HOW_MANY = re.compile(r"\bhow\s+many\s+(.*)", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(?:1\d{3}|20\d{2})(?!\d)")
_RELATIVE_PERIOD = re.compile(r"\b(?:last|this|next)\s+year\b", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+(?:[-'’][a-z0-9]+)*", re.IGNORECASE)
_STOPWORDS = _words(
    """a an the of in on at to for by with from as and or but not no nor is are was were be been being am do does did
    done has have had having will would shall should can could may might must what which who whom whose when where why
    how that this these those there here it its they them their he him his she her we us our you your i me my than then
    so such very much many more most less least about into over under after before during since until while if
    whether also only just still ever each every all any some other another own same both either neither s
    exactly approximately roughly around nearly almost total amount number figure value level size scale share
    proportion percentage percent portion fraction ratio rank ranked place position year years date day month
    long old fast big large huge great"""
)
_AMOUNTS = frozenset({"money", "count", "data_size", "number"})
# how much credit a figure of one kind gets for a question expecting another (1.0 when they are the same)
_AFFINITY: dict[tuple[str, str], float] = {
    ("money", "number"): 0.4, ("money", "count"): 0.3, ("money", "data_size"): 0.3,
    ("count", "number"): 0.6, ("count", "money"): 0.3, ("count", "data_size"): 0.3,
    ("data_size", "number"): 0.4, ("data_size", "money"): 0.3, ("data_size", "count"): 0.3,
    ("number", "count"): 0.6, ("number", "money"): 0.4, ("number", "data_size"): 0.4, ("number", "duration"): 0.4,
    ("number", "percent"): 0.3, ("year", "date"): 0.8, ("date", "year"): 0.6, ("duration", "number"): 0.4,
    ("ordinal", "number"): 0.2, ("percent", "number"): 0.2,
}  # fmt: skip


def analyse_question(question: str) -> QuestionIntent:
    """The intent of a question: what kind of figure it wants, in which unit, for when, about what."""
    kind, units, change = _kind_and_units(question)
    period = _period(question)
    unit_words = {w for u in units for w in u.lower().split()}
    focus: list[str] = []
    for word in _WORD.findall(question.lower()):
        word = re.sub(r"['’]s$", "", word)
        if (
            len(word) > 1
            and word not in _STOPWORDS
            and word not in unit_words
            and word not in (period, *focus)
        ):
            focus.append(word)
    return QuestionIntent(kind, tuple(units), period, tuple(focus), change)


def _kind_and_units(question: str) -> tuple[str | None, list[str], bool]:
    hits = [
        (m.start(), i, name) for i, (pattern, name) in enumerate(_RULES) if (m := pattern.search(question))
    ]
    rule = min(hits)[2] if hits else None
    units = _unit_words(question)
    if rule is None:
        return None, units, False
    if rule == "age":
        return "duration", ["years"], False
    if rule == "change":
        # "by how much did revenue grow": money when the question is about money, else a rate
        money = _MONEY_WORDS.search(question) and not re.search(r"\bpercent|%|\brate\b", question, re.I)
        return ("money" if money else "percent"), units, True
    if rule == "percent":
        return (
            "percent",
            ["percent", *(u for u in units if u != "percent")],
            _CHANGE.search(question) is not None,
        )
    if rule == "score":
        return "number", ["score"], False
    if rule == "count":
        return _how_many(question, units)
    if rule in ("money", "amount"):
        if _DATA_WORDS.search(question):
            return "data_size", units, False
        if rule == "money" and _TIME_WORDS.search(question):
            return "duration", units, False
        if rule == "money" or _MONEY_WORDS.search(question):
            return "money", units, _CHANGE.search(question) is not None
        return "count", units, False
    return rule, units, False


def _how_many(question: str, units: list[str]) -> tuple[str, list[str], bool]:
    """ "How many 5G base stations ..." -> count of "base stations"; "how many years" -> a duration."""
    m = _HOW_MANY.search(question)
    noun = counted_noun(m.group(1)) if m else None
    if noun is None:
        return "count", units, False
    found = lookup_unit(noun)
    if found is not None:
        return found[0], [found[1]], False
    return "count", [noun, *(u for u in units if u != noun)], False


def _unit_words(question: str) -> list[str]:
    units: list[str] = []
    for word in _WORD.findall(question) + re.findall(r"[%$€£¥]", question):
        found = lookup_unit(word)
        if found is not None and found[0] != "duration" and found[1] not in units:
            units.append(found[1])
    return units


def _period(question: str) -> str | None:
    year = _YEAR.search(question)
    if year:
        return year.group()
    relative = _RELATIVE_PERIOD.search(question)
    return " ".join(relative.group().lower().split()) if relative else None


def _stem(word: str) -> str:
    word = word.lower()
    for suffix in ("ies", "ing", "est", "ed", "es", "er", "ly", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:6]


def _same_stem(a: str, b: str) -> bool:
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return long_.startswith(short) and (len(short) >= 4 or short == long_)


@lru_cache(maxsize=512)
def _sentence_stems(sentence: str) -> tuple[tuple[str, int], ...]:
    """(stem, character offset) of each word; cached, as every figure of a sentence is scored against it."""
    return tuple((_stem(m.group()), m.start()) for m in _WORD.finditer(sentence))


def figure_fit(figure: Figure, intent: QuestionIntent, sentence: str) -> float:
    """How well a figure fits the question, 0..1: kind, unit, period, change and focus words near the figure."""
    if intent.kind is None:
        return 0.0
    kind = 1.0 if figure.kind == intent.kind else _AFFINITY.get((intent.kind, figure.kind), 0.0)
    if kind == 0.0:
        return 0.0
    score = 0.45 * kind + 0.15 * _unit_fit(figure, intent) + 0.15 * _period_fit(figure, intent, sentence)
    score += 0.15 * _focus_fit(figure, intent, sentence)
    if intent.change:
        score += 0.10 if figure.change else 0.0
    else:
        score += 0.05 if figure.change else 0.10
    return max(0.0, min(1.0, score))


def _unit_fit(figure: Figure, intent: QuestionIntent) -> float:
    if intent.kind == "ordinal":
        return 1.0 if figure.unit == "rank" else 0.6
    if not intent.units:
        return 1.0 if figure.kind not in _AMOUNTS or figure.unit else 0.7  # a bare number says less
    if figure.unit is None:
        return 0.4
    for unit in intent.units:
        if unit == figure.unit or (
            figure.currency and lookup_unit(unit) == ("money", figure.unit, figure.currency)
        ):
            return 1.0
        if _same_stem(_stem(unit.split()[-1]), _stem(figure.unit.split()[-1])):
            return 0.9  # the same head noun: "stations" for "base stations"
    return 0.2


def _period_fit(figure: Figure, intent: QuestionIntent, sentence: str) -> float:
    if intent.period is None:
        return 1.0
    if figure.kind in ("year", "date"):
        return 0.5 if figure.value is not None and str(int(figure.value)) == intent.period else 1.0
    if figure.period is not None:
        if intent.period in figure.period:
            return 1.0
        asked, given = _YEAR.findall(intent.period), _YEAR.findall(figure.period)
        return 0.1 if asked and given else 0.5
    return 0.7 if intent.period in sentence else 0.4


def _focus_fit(figure: Figure, intent: QuestionIntent, sentence: str) -> float:
    if not intent.focus:
        return 1.0
    start = figure.start
    if sentence[start : figure.end] != figure.text:  # offsets from a longer text: find the figure again
        start = sentence.find(figure.text)
    inside, end = start >= 0, start + len(figure.text)
    stems = _sentence_stems(sentence)
    total = 0.0
    for word in intent.focus:
        target = _stem(word)
        best = 0.0
        for stem, offset in stems:
            if _same_stem(stem, target):
                if not inside:
                    best = 1.0
                    break
                distance = start - offset if offset < start else offset - end
                best = max(best, 1.0 if distance <= 60 else 0.75 if distance <= 150 else 0.5)
        total += best
    return total / len(intent.focus)
