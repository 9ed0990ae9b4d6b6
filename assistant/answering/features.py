"""The feature vector the answer scorer reads: what the rules measured for an answer, plus what they miss."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from assistant.answering.questions import QuestionIntent
from assistant.figures.extraction import Figure, sentence_figures
from assistant.text.patterns import YEAR

# the names of the features, in the order of the weights file; every answer gets every one (0.0 when unused)
FEATURES: tuple[str, ...] = (
    # the kind of answer
    "figure",  # 1 for a figure answer, 0 for a sentence or a numbered name
    "name",  # a numbered name ("Apollo 17")
    "kind_year",  # the question asks for a year or a date
    "kind_count",
    "kind_money",
    "kind_percent",
    "kind_duration",
    # what the rules already score (answer.py)
    "support",  # support of the best-supported sentence
    "coverage",  # share of the question's terms in the answer's sentence
    "context",  # share held only by the sentence's context
    "lead",  # the passage's retrieval score as a share of the best passage's: a near tie reads as one
    "dense",  # the answer passage's embedding similarity to the question
    "phrase",  # share of the question's word pairs the sentence has in the same order
    "fit",  # figure_fit
    "unit",  # unit_fit
    "near",  # nearness of the question's terms to the figure
    "margin",  # how far it beats the best other figure by the rules' score (negative: behind it; capped)
    "choice",  # 1 / (1 + its place in the rules' order): 1 for the rules' pick
    "candidates",  # log(1 + figures that fit the question)
    # what the rules miss
    "sentence_dense",  # the answer sentence's embedding similarity to the question (else the passage's)
    "measure_near",  # share of the words naming the measured quantity within a few words of the figure
    "measure_sentence",  # ... in the sentence or its context
    "noun_other",  # the figure counts something the question does not ("five dilemmas" for "how many people")
    "subject_sentence",  # share of the question's subject words (names first) in the sentence
    "subject_passage",  # ... in the passage or its title
    "period_asked",  # the question names a period
    "period_same",  # the figure or its sentence is dated by the asked period
    "period_other",  # the figure or its sentence is dated by other years, never by the asked one
    "passage_cover",  # weighted share of the question's terms in the answer's passage (with its title)
    "missing_top",  # weight share of the heaviest question term missing from the sentence and its context
    "sentence_figures",  # log(1 + figures in the answer's sentence): more figures, more to confuse
    # whether the collection is about the question at all
    "top_dense",  # the best passage's embedding similarity
    "best_cover",  # the largest weighted share of the question's terms any one passage (with title) holds
    # interactions: a figure answer reads its sentence differently from a sentence answer
    "figure_coverage",  # figure * coverage
    "figure_dense",  # figure * dense
    "margin_choice",  # margin * choice: a lead counts for the rules' pick, a gap against the others
)

# not a feature of the model but a rule (confidence.decide): the answer is about another named subject
OTHER_SUBJECT = "other_subject"
MARGIN_CAP = 1.0
MEASURE_WINDOW = 6  # words either side of a figure where a measure word counts as naming it
_WORD = re.compile(r"[^\W\d_]+|\d+(?:[.,]\d+)*", re.UNICODE)
_YEAR = re.compile(YEAR)
_KINDS = {"year": "kind_year", "date": "kind_year", "count": "kind_count", "money": "kind_money"}
_KINDS |= {"percent": "kind_percent", "duration": "kind_duration"}


@dataclass(frozen=True, slots=True)
class Evidence:
    """What answer.py knows about the answer it chose, for the scorer; None fields when there is no figure."""

    sentence: str
    context: str  # the passage title and the sentence before
    passage: str  # the passage's title and text
    coverage: float
    context_share: float
    dense: float
    phrase: float = 0.0
    figure: Figure | None = None
    fit: float = 0.0
    unit: float = 0.0
    near: float = 0.0
    score: float = 0.0
    runner_up: float | None = None  # the best score of another figure
    candidates: int = 0
    name: bool = False
    choice: int = 0  # the figure's place in the rules' order (0: the rules' pick)
    sentence_dense: float | None = None  # the sentence's embedding similarity, when it was measured
    lead: float = 1.0  # the passage's retrieval score as a share of the best passage's


def answer_features(
    question: str,
    intent: QuestionIntent,
    evidence: Evidence | None,
    *,
    support: float,
    top_dense: float,
    passages: Sequence[str],
    weights: Mapping[str, float],
    analyze: Callable[[str], list[str]],
) -> dict[str, float]:
    """The features of an answer (evidence None: the rules found nothing to answer with)."""
    out = dict.fromkeys(FEATURES, 0.0)
    out["support"] = support
    out["top_dense"] = top_dense
    out["best_cover"] = best_cover(passages, weights, analyze)
    if intent.kind in _KINDS:
        out[_KINDS[intent.kind]] = 1.0
    out["period_asked"] = 1.0 if intent.period else 0.0
    if evidence is None:
        return out
    out["coverage"] = evidence.coverage
    out["context"] = evidence.context_share
    out["lead"] = evidence.lead
    out["dense"] = evidence.dense
    out["sentence_dense"] = evidence.dense if evidence.sentence_dense is None else evidence.sentence_dense
    out["phrase"] = evidence.phrase
    out["name"] = 1.0 if evidence.name else 0.0
    out["passage_cover"] = best_cover([f"{evidence.context}\n{evidence.passage}"], weights, analyze)
    out["missing_top"] = missing_top(f"{evidence.context}\n{evidence.sentence}", weights, analyze)
    subject = subject_words(question, intent)
    out["subject_sentence"] = _share(subject, f"{evidence.sentence}", analyze)
    out["subject_passage"] = _share(subject, f"{evidence.context}\n{evidence.passage}", analyze)
    out[OTHER_SUBJECT] = other_subject(question, intent, evidence, passages, analyze)
    fig = evidence.figure
    if fig is None:
        return out
    out["figure"] = 1.0
    out["fit"], out["unit"], out["near"] = evidence.fit, evidence.unit, evidence.near
    runner = evidence.runner_up
    out["margin"] = (
        MARGIN_CAP if runner is None else max(-MARGIN_CAP, min(MARGIN_CAP, evidence.score - runner))
    )
    out["choice"] = 1.0 / (1 + evidence.choice)
    out["sentence_figures"] = math.log1p(len(sentence_figures(evidence.sentence)))
    out["figure_coverage"] = evidence.coverage
    out["figure_dense"] = evidence.dense
    out["margin_choice"] = out["margin"] * out["choice"]
    out["candidates"] = math.log1p(evidence.candidates)
    measure = [s for w in intent.measure for s in analyze(w)]
    if measure:
        out["measure_near"] = _near_share(measure, fig, evidence.sentence, analyze)
        out["measure_sentence"] = _share(
            measure, f"{evidence.context}\n{evidence.sentence}", analyze, stems=True
        )
    # a count whose unit fits fully counts what was asked, also by an alias: "40 million ... enterprises (MSMEs)"
    noun = 1.0 if fig.kind == "count" and evidence.unit == 1.0 else _counted(fig, intent, analyze)
    out["noun_other"] = 1.0 if noun < 0 else 0.0
    if intent.period:
        period = _period(intent.period, fig, evidence.sentence)
        out["period_same"], out["period_other"] = float(period > 0), float(period < 0)
    return out


def question_names(question: str, intent: QuestionIntent) -> list[str]:
    """The names a question is about: its capitalised topic words after the first word ("Hooli", "China")."""
    return [
        m.group().lower()
        for m in _WORD.finditer(question)
        if m.start() > 0 and m.group()[0].isupper() and m.group().lower() in intent.focus
    ]


def other_subject(
    question: str,
    intent: QuestionIntent,
    evidence: Evidence,
    passages: Sequence[str],
    analyze: Callable[[str], list[str]],
) -> float:
    """1.0 when a name the question asks about is missing from the answer's passage but another passage
    names it: the answer is about something else ("What was China's digital economy worth in 2020?"
    answered from a passage about India's)."""
    own = set(analyze(f"{evidence.context}\n{evidence.passage}"))
    for name in question_names(question, intent):
        stems = set(analyze(name))
        if stems and not stems & own and any(stems & set(analyze(p)) for p in passages):
            return 1.0
    return 0.0


def subject_words(question: str, intent: QuestionIntent) -> list[str]:
    """What the question is about: its names ("Hooli", "France") when it has any, else its topic words
    without the words naming the measure."""
    names = question_names(question, intent)
    if names:
        return names
    measure = set(intent.measure)
    return [w for w in intent.focus if w not in measure]


def best_cover(
    passages: Sequence[str], weights: Mapping[str, float], analyze: Callable[[str], list[str]]
) -> float:
    """The largest weighted share of the question's terms that one passage holds: low when the collection
    has nothing about the question's words together."""
    total = sum(weights.values())
    if not total:
        return 0.0
    best = 0.0
    for text in passages:
        terms = set(analyze(text))
        best = max(best, sum(w for t, w in weights.items() if t in terms) / total)
    return best


def missing_top(text: str, weights: Mapping[str, float], analyze: Callable[[str], list[str]]) -> float:
    """The weight share of the heaviest question term the text lacks: a near miss often lacks the one
    rare word that says what the question is about."""
    total = sum(weights.values())
    if not total:
        return 0.0
    terms = set(analyze(text))
    return max((w for t, w in weights.items() if t not in terms), default=0.0) / total


def _share(
    words: Sequence[str], text: str, analyze: Callable[[str], list[str]], *, stems: bool = False
) -> float:
    """The share of words (or stems) found in text."""
    wanted = set(words) if stems else {s for w in words for s in analyze(w)}
    if not wanted:
        return 1.0
    return len(wanted.intersection(analyze(text))) / len(wanted)


def _near_share(
    stems: Sequence[str], figure: Figure, sentence: str, analyze: Callable[[str], list[str]]
) -> float:
    """The share of the stems within MEASURE_WINDOW words of the figure (or inside it)."""
    words = list(_WORD.finditer(sentence))
    inside = [i for i, m in enumerate(words) if m.start() < figure.end and m.end() > figure.start]
    if not inside:
        return 0.0
    lo, hi = max(0, inside[0] - MEASURE_WINDOW), inside[-1] + MEASURE_WINDOW + 1
    near = {s for m in words[lo:hi] for s in analyze(m.group())}
    wanted = set(stems)
    return len(wanted & near) / len(wanted)


def _counted(figure: Figure, intent: QuestionIntent, analyze: Callable[[str], list[str]]) -> float:
    """+1 when a count counts a noun of the question, -1 when it counts one the question never names."""
    if figure.kind != "count" or not figure.unit:
        return 0.0
    noun = set(analyze(figure.unit.split()[-1]))
    asked = {s for w in (*intent.units, *intent.focus, *intent.measure) for s in analyze(w)}
    return 1.0 if noun & asked else -1.0


def _period(asked: str, figure: Figure, sentence: str) -> float:
    """+1 when the figure or its sentence is dated by the asked period, -1 when only by other years."""
    if figure.period is not None:
        if asked in figure.period:
            return 1.0
        if _YEAR.search(figure.period) and _YEAR.search(asked):
            return -1.0
    if asked in sentence:
        return 1.0
    years = {y for f in sentence_figures(sentence) if f.kind == "year" for y in _YEAR.findall(f.text)}
    return -1.0 if years and _YEAR.search(asked) else 0.0
