"""Score a figure against what a question asks: kind, unit, period, change and focus words near it."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from assistant.answering.questions import WORD, YEAR_RE, QuestionIntent
from assistant.figures.extraction import extract_figures, sentence_figures
from assistant.figures.model import TIME_OF_DAY, Figure
from assistant.figures.vocabulary import lookup_unit

_ALIAS = re.compile(r"\s*\(([A-Za-z][\w&-]*)\)")


# a figure of another kind than asked needs at least this affinity ("how many" takes a bare number, not money)
MIN_AFFINITY = 0.4


_OTHER_YEAR = 0.1  # period fit of a figure dated in another year than the question's


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
    return tuple((_stem(m.group()), m.start()) for m in WORD.finditer(sentence))


@dataclass(frozen=True, slots=True)
class FitWeights:
    """How figure_fit weighs the parts of a fit; with the change term they add up to 1."""

    kind: float = 0.45
    unit: float = 0.15
    period: float = 0.15
    focus: float = 0.15  # the question's focus words near the figure
    change_asked: float = 0.10  # a change asked for, and the figure is one
    change_unasked: float = 0.05  # no change asked for, and the figure is one anyway
    no_change: float = 0.10  # no change asked for, and the figure is no change


FIT_WEIGHTS = FitWeights()


def figure_fit(
    figure: Figure, intent: QuestionIntent, sentence: str, *, weights: FitWeights = FIT_WEIGHTS
) -> float:
    """How well a figure fits the question, 0..1: kind, unit, period, change and focus words near the figure."""
    if intent.kind is None:
        return 0.0
    kind = 1.0 if figure.kind == intent.kind else _AFFINITY.get((intent.kind, figure.kind), 0.0)
    if intent.kind in _AMOUNTS and _counts_named(figure, intent):
        kind = 1.0  # "What are the most passes ...": "77 passes" is the number asked for
    elif intent.kind == "duration" and figure.kind in ("year", "date") and _since(figure, sentence):
        kind = 0.8  # "How long has it been in circulation?" -- "since 1979"
    if (figure.unit == TIME_OF_DAY) != (TIME_OF_DAY in intent.units):
        # "What time ...?" wants a time of day; "When ...?" a date, or a time only where no date is given
        kind = 0.45 if figure.unit == TIME_OF_DAY and intent.kind in ("year", "date") else 0.0
    if kind < MIN_AFFINITY:
        return 0.0
    period = _period_fit(figure, intent, sentence)
    if period <= _OTHER_YEAR:
        return 0.0  # the question asks about 2020, the figure is for 2021
    w = weights
    score = w.kind * kind + w.unit * unit_fit(figure, intent, sentence) + w.period * period
    score += w.focus * _focus_fit(figure, intent, sentence)
    if intent.change:
        score += w.change_asked if figure.change else 0.0
    else:
        score += w.change_unasked if figure.change else w.no_change
    return max(0.0, min(1.0, score))


def unit_fit(figure: Figure, intent: QuestionIntent, sentence: str = "") -> float:
    """How well a figure's unit matches the unit the question names (or implies), 0..1.

    With the sentence, a name in parentheses right after the figure counts as its unit too: "40 million micro,
    small and medium-sized enterprises (MSMEs)" answers "How many MSMEs ...".
    """
    alias = _ALIAS.match(sentence, figure.end) if sentence[figure.start : figure.end] == figure.text else None
    if alias is not None and alias.group(1) in intent.units:
        return 1.0
    if intent.kind == "ordinal":
        return 1.0 if figure.unit == "rank" else 0.6
    if not intent.units:
        if _counts_named(figure, intent):
            return 1.0
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


_SINCE = re.compile(r"\b(?i:since)\s+\Z")


def _since(figure: Figure, sentence: str) -> bool:
    """Whether "since" stands right before the figure: a time from which a duration runs."""
    return sentence[figure.start : figure.end] == figure.text and bool(
        _SINCE.search(sentence, max(0, figure.start - 8), figure.start)
    )


def _counts_named(figure: Figure, intent: QuestionIntent) -> bool:
    """Whether a count counts what the question names in the plural: "passes" of "What are the most passes he
    had?" (not "family" of "What was the average family size?")."""
    if figure.kind != "count" or figure.unit is None:
        return False
    head = _stem(figure.unit.split()[-1])
    return any(word.endswith("s") and _same_stem(_stem(word), head) for word in intent.focus)


def _period_fit(figure: Figure, intent: QuestionIntent, sentence: str) -> float:
    if intent.period is None:
        return 1.0
    if figure.kind in ("year", "date"):
        return 0.5 if figure.value is not None and str(int(figure.value)) == intent.period else 1.0
    if figure.period is not None:
        if intent.period in figure.period:
            return 1.0
        asked, given = YEAR_RE.findall(intent.period), YEAR_RE.findall(figure.period)
        if asked and given:
            # the sentence names the asked year but dates no figure by it ("In 2009, NASA estimated the costs in
            # 2005 dollars as $170 billion"): the dating may be wrong, so the figure is not ruled out
            named = intent.period in sentence and not any(
                f.period and intent.period in f.period for f in sentence_figures(sentence)
            )
            return 0.5 if named else _OTHER_YEAR
        return 0.5
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


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


_RANGE_SIDES = re.compile(r"(\d{2,4})(\s*(?:[-–‐]|to|through|and)\s*)(\d{2,4})\s*\Z")


def narrow(figure: Figure, part: str | None) -> Figure:
    """The part of a figure a question asks for: the year of a date ("In what year ...?" -> "2014" of
    "June 4, 2014"), or one end of a span of years ("When was he born?" -> "1249" of "1249–1314")."""
    if part == "year" and figure.kind == "date":
        years = list(YEAR_RE.finditer(figure.text))
        if years:
            y = years[-1]
            return replace(
                figure,
                text=y.group(),
                start=figure.start + y.start(),
                end=figure.start + y.end(),
                kind="year",
            )
    if part in ("start", "end") and figure.kind == "year" and figure.range_to is not None:
        m = _RANGE_SIDES.search(figure.text)
        if m is not None:
            side = 1 if part == "start" else 3
            value = figure.value if part == "start" else figure.range_to
            return replace(
                figure,
                text=m.group(side),
                start=figure.start + m.start(side),
                end=figure.start + m.end(side),
                value=value,
                range_to=None,
            )
    return figure


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUMBER.findall(text)}


def numbers_in(question: str) -> set[str]:
    """The numbers a question names, as digits: "Super Bowl 50" and "fifty" both give "50"."""
    named = {f"{f.value:g}" for f in extract_figures(question) if f.value is not None}
    return _numbers(question) | named


def in_question(figure: Figure, question_numbers: set[str]) -> bool:
    """True when every number of the figure is named in the question: "Super Bowl 50" does not answer with 50."""
    numbers = _numbers(figure.text)
    if figure.value is not None and not numbers:  # a figure in words ("fifty")
        numbers = {f"{figure.value:g}"}
    return bool(numbers) and numbers <= question_numbers
