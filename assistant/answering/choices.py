"""The figures a question may be answered with: the rules rank them, the scorer rates the best few."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

from assistant.answering.confidence import Scorer
from assistant.answering.features import Evidence, answer_features
from assistant.answering.fit import figure_fit, in_question, narrow, numbers_in, unit_fit
from assistant.answering.questions import QuestionIntent
from assistant.answering.results import Citation, CitedFigure, Sentence
from assistant.answering.support import (
    Candidate,
    candidate,
    conversions,
    nearness,
    phrase_share,
    question_weights,
    sentences,
    term_positions,
)
from assistant.figures.extraction import Figure, sentence_figures
from assistant.figures.joining import is_part_of
from assistant.retrieval.search import Hit

# the embedding similarity of texts to the question as searched, in their order (Assistant.similarity)
Similarity = Callable[[str, Sequence[str]], Sequence[float]]

MIN_FIGURE_FIT = 0.45


# a figure may come from a less supported sentence than the best one, down to this support
MIN_CANDIDATE_SUPPORT = 0.2


CANDIDATE_SENTENCES = 20


CHOICES = 5  # the scorer chooses the answer among this many of the rules' best figures


@dataclass(frozen=True, slots=True)
class FigureWeights:
    """How the rules rank candidate figures: a weighted sum of what speaks for each. The scorer then chooses
    the answer among the best CHOICES of them (figure_choices, rated_choices).

    A listwise logistic model fitted on the even-numbered figure questions of SQuAD v1.1 dev (bench/squad.py),
    rescaled so that fit weighs 1 and rounded; unit and conversion were then set by grid search on the same
    half. The odd-numbered half is held out.
    """

    coverage: float = 0.5  # share of the question's terms in the figure's sentence
    context: float = 0.5  # share held only by the sentence's context (title, sentence before)
    rank: float = 0.17  # 1 / (1 + passage rank)
    fit: float = 1.0  # figure_fit: kind, unit, period, change, focus words
    near: float = 1.0  # nearness of the question's terms to the figure
    phrase: float = 0.58  # share of the question's word pairs the sentence has in the same order
    dense: float = 1.6  # the passage's embedding similarity to the question
    unit: float = 0.3  # unit_fit, beyond its share in fit: "in kgs" picks "15,100 kg" over "33,300 pounds"
    conversion: float = -0.3  # a figure restating the one before in another unit: "220 miles (350 km)"


WEIGHTS = FigureWeights()


@dataclass(frozen=True, slots=True)
class Reading:
    """The passages read for one question: its terms' weights, the sentences scored as evidence (best first)
    and the hits aligned with the passages read (a sentence's rank indexes both)."""

    question: str
    query: str  # the question as searched (a follow-up rewritten with the conversation's words)
    intent: QuestionIntent
    citations: tuple[Citation, ...]
    hits: tuple[Hit, ...]
    weights: dict[str, float]
    scored: tuple[Candidate, ...]
    analyze: Callable[[str], list[str]]
    similarity: Similarity | None = None

    def with_similarity(self, evidence: Sequence[Evidence]) -> list[Evidence]:
        """The evidence with each sentence's similarity to the question, measured once per sentence."""
        if self.similarity is None or not evidence:
            return list(evidence)
        texts = list(dict.fromkeys(e.sentence for e in evidence))
        measured = dict(zip(texts, self.similarity(self.query, texts), strict=True))
        return [replace(e, sentence_dense=float(measured[e.sentence])) for e in evidence]

    def features(self, evidence: Evidence | None) -> dict[str, float]:
        """The scorer's features of an answer with this evidence (None: nothing to answer with)."""
        return answer_features(
            self.query,
            self.intent,
            evidence,
            support=self.scored[0].support if self.scored else 0.0,
            top_dense=max((h.dense for h in self.hits), default=0.0),
            passages=[f"{c.title}\n{c.text}" for c in self.citations],
            weights=self.weights,
            analyze=self.analyze,
        )


def read(
    question: str,
    citations: tuple[Citation, ...],
    hits: Sequence[Hit],
    intent: QuestionIntent,
    *,
    analyze: Callable[[str], list[str]],
    idf: Callable[[str], float] | None,
    query: str | None = None,
    similarity: Similarity | None = None,
) -> Reading:
    """Read the passages for a question. A question for no figure reads prose passages when some were
    retrieved: table rows read as sentences answer it badly."""
    weights = question_weights(question, intent, analyze, idf)
    prose = [c for c in citations if c.piece is None]
    readable = prose if prose and intent.kind is None else list(citations)
    aligned = tuple(h for h, c in zip(hits, citations, strict=True) if c in readable)
    scored = [candidate(x, weights, analyze) for x in sentences(readable)]
    scored.sort(key=lambda c: -c.support)
    return Reading(
        question, query or question, intent, citations, aligned, weights, tuple(scored), analyze, similarity
    )


def lead_of(hit: Hit, top: float) -> float:
    """A passage's retrieval score as a share of the best passage's (top): 1.0 for the best, and near it for
    a passage that all but ties; a rank would halve it."""
    return max(0.0, min(1.0, hit.score / top)) if top > 0 else 1.0


@dataclass(frozen=True, slots=True)
class RatedChoice:
    """A candidate figure answer with its features and the scorer's probability that it is right."""

    choice: FigureChoice
    features: dict[str, float]
    probability: float


def rated_choices(reading: Reading, scorer: Scorer) -> list[RatedChoice]:
    """The rules' best few figures for a figure question, in the rules' order, each rated by the scorer."""
    r = reading
    choices = figure_choices(r.question, r.intent, r.scored, r.hits, r.weights, r.analyze)
    out = []
    for c, evidence in zip(choices, r.with_similarity([c.evidence for c in choices]), strict=True):
        found = r.features(evidence)
        out.append(RatedChoice(replace(c, evidence=evidence), found, scorer.probability(found)))
    return out


@dataclass(frozen=True, slots=True)
class FigureChoice:
    """A candidate figure answer: its sentence, the figure, and what the scorer reads about it."""

    sentence: Sentence
    figure: CitedFigure
    evidence: Evidence


def figure_choices(
    question: str,
    intent: QuestionIntent,
    scored: Sequence[Candidate],
    hits: Sequence[Hit],
    weights: dict[str, float],
    analyze: Callable[[str], list[str]],
    limit: int = CHOICES,
) -> list[FigureChoice]:
    """The best-scoring figures that fit the question (see FigureWeights), best first, each figure text once,
    from the best-supported sentences; at most limit of them."""
    asked = numbers_in(question)
    question_stems = analyze(question)
    pairs = set(pairwise(question_stems))
    w = WEIGHTS
    found: list[tuple[float, Candidate, Figure, Evidence]] = []
    top = max((h.score for h in hits), default=0.0)
    for cand in scored[:CANDIDATE_SENTENCES]:
        if cand.support < MIN_CANDIDATE_SUPPORT:
            break
        text = cand.sentence.text
        positions = term_positions(text, analyze)
        phrase = phrase_share(pairs, positions)
        hit = hits[cand.rank]
        evidence = (
            w.coverage * cand.coverage
            + w.context * cand.context
            + w.rank / (1 + cand.rank)
            + w.phrase * phrase
            + w.dense * hit.dense
        )
        found_figures = sentence_figures(text)
        restated = conversions(text, found_figures)
        for i, whole in enumerate(found_figures):
            fig = narrow(whole, intent.part)
            fit = figure_fit(fig, intent, text)
            if fit < MIN_FIGURE_FIT or in_question(fig, asked):
                continue
            # nearness of the whole figure: "Robinson (1920–1999)" stands as close to "1999" as to "1920";
            # a part stands where its whole does: "39 of the 43 previous players" is as near "players"
            span = whole
            if i + 1 < len(found_figures) and is_part_of(text, whole, found_figures[i + 1]):
                span = replace(whole, end=found_figures[i + 1].end)
            near = nearness(span, text, weights, positions)
            score = evidence + w.fit * fit + w.near * near
            unit = unit_fit(fig, intent, text)
            named = bool(intent.units) and unit == 1.0  # the question asks in this unit
            score += w.unit * unit + (w.conversion if i in restated and not named else 0.0)
            passage = f"{hit.title}\n{hit.chunk.text}"
            about = Evidence(
                text, cand.around, passage, cand.coverage, cand.context, hit.dense, phrase,
                fig, fit, unit, near, score, lead=lead_of(hit, top),
            )  # fmt: skip
            found.append((score, cand, fig, about))
    # best first; the first of equal scores wins, as the rules always chose
    found.sort(key=lambda t: -t[0])
    out: list[FigureChoice] = []
    seen: set[str] = set()
    for _, cand, fig, about in found:
        if fig.text in seen:
            continue
        seen.add(fig.text)
        others = [s for s, _, f, _ in found if f.text != fig.text]
        about = replace(
            about, runner_up=max(others) if others else None, candidates=len(found), choice=len(out)
        )
        cited = CitedFigure(fig, cand.sentence.citation, cand.sentence.text)
        out.append(FigureChoice(cand.sentence, cited, about))
        if len(out) == limit:
            break
    return out
