"""Answer assembly: the best-supported sentence, the figure that fits the question, numbered citations."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.chunking import sentence_spans
from assistant.figures import Figure, extract_figures
from assistant.questions import QuestionIntent, analyse_question, figure_fit
from assistant.search import Hit

# An answer needs this much support; below it the assistant abstains and shows the closest passages.
MIN_SUPPORT = 0.34
MIN_FIGURE_FIT = 0.45


@dataclass(frozen=True, slots=True)
class Citation:
    """A numbered passage an answer draws on."""

    n: int
    doc_id: str
    title: str
    source: str
    page: int | None
    start: int
    end: int
    text: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "doc_id": self.doc_id,
            "title": self.title,
            "source": self.source,
            "page": self.page,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "score": round(self.score, 6),
        }


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of a cited passage; start/end are offsets in the document text."""

    text: str
    citation: int
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "citation": self.citation, "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class CitedFigure:
    """A figure with the citation and sentence it came from; figure offsets are within the sentence."""

    figure: Figure
    citation: int
    sentence: str

    def to_dict(self) -> dict[str, Any]:
        f = self.figure
        return {
            "text": f.text,
            "value": f.value,
            "unit": f.unit,
            "kind": f.kind,
            "currency": f.currency,
            "qualifier": f.qualifier,
            "range_to": f.range_to,
            "change": f.change,
            "period": f.period,
            "citation": self.citation,
            "start": f.start,
            "end": f.end,
            "context": context_phrase(self.sentence, f),
        }


@dataclass(frozen=True, slots=True)
class Answer:
    """What `ask` returns; `to_dict()` is exactly the JSON the CLI and HTTP API print."""

    question: str
    answer: str
    abstained: bool
    sentence: Sentence | None
    figure: CitedFigure | None
    figures: tuple[CitedFigure, ...] = ()
    citations: tuple[Citation, ...] = ()
    context: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "sentence": self.sentence.to_dict() if self.sentence else None,
            "figure": self.figure.to_dict() if self.figure else None,
            "figures": [f.to_dict() for f in self.figures],
            "citations": [c.to_dict() for c in self.citations],
        }


def context_phrase(sentence: str, figure: Figure, width: int = 60) -> str:
    """A few words either side of a figure, cut at word boundaries."""
    left = sentence[max(0, figure.start - width) : figure.start]
    right = sentence[figure.end : figure.end + width]
    if figure.start - width > 0 and " " in left:
        left = "…" + left[left.index(" ") + 1 :]
    if figure.end + width < len(sentence) and " " in right:
        right = right[: right.rindex(" ")] + "…"
    return f"{left}{figure.text}{right}".strip()


def citations_from(hits: Sequence[Hit]) -> tuple[Citation, ...]:
    return tuple(
        Citation(
            n,
            h.chunk.doc_id,
            h.title,
            h.source,
            h.chunk.page,
            h.chunk.start,
            h.chunk.end,
            h.chunk.text,
            h.score,
        )
        for n, h in enumerate(hits, start=1)
    )


@dataclass(frozen=True, slots=True)
class _Candidate:
    sentence: Sentence
    support: float


def _sentences(citations: Sequence[Citation]) -> list[tuple[Sentence, int]]:
    """Every sentence of the cited passages with its passage rank (0 = best)."""
    out = []
    for rank, c in enumerate(citations):
        for s, e in sentence_spans(c.text):
            out.append((Sentence(c.text[s:e], c.n, c.start + s, c.start + e), rank))
    return out


def _support(
    question_terms: dict[str, float], analyze: Callable[[str], list[str]], sentence: str, rank: int
) -> float:
    """How well a sentence supports an answer: weighted share of question terms it holds, plus a rank prior."""
    if not question_terms:
        return 0.0
    terms = set(analyze(sentence))
    total = sum(question_terms.values())
    covered = sum(w for t, w in question_terms.items() if t in terms)
    return covered / total + 0.08 / (1 + rank)


def question_weights(
    question: str,
    intent: QuestionIntent,
    analyze: Callable[[str], list[str]],
    idf: Callable[[str], float] | None,
) -> dict[str, float]:
    """The terms an answer sentence should hold: the question's topic words and period, rarer ones weighing more.

    Question words ("how", "large", "what share") say what kind of answer is wanted, not what it is about,
    so they are left out when the question has topic words. Weights are 1 + idf: in a small collection every
    chunk may hold the topic words, and those must still count.
    """
    topic = " ".join([*intent.focus, intent.period or ""]).strip()
    terms = analyze(topic) if topic else []
    if not terms:
        terms = analyze(question)
    return {t: 1.0 + (idf(t) if idf else 0.0) for t in terms}


def build_answer(
    question: str,
    hits: Sequence[Hit],
    *,
    analyze: Callable[[str], list[str]],
    idf: Callable[[str], float] | None = None,
    intent: QuestionIntent | None = None,
) -> Answer:
    """Choose the answer for a question from the retrieved hits."""
    citations = citations_from(hits)
    intent = intent or analyse_question(question)
    weights = question_weights(question, intent, analyze, idf)
    scored = [
        _Candidate(sentence, _support(weights, analyze, sentence.text, rank))
        for sentence, rank in _sentences(citations)
    ]
    scored.sort(key=lambda c: -c.support)
    if not scored or scored[0].support < MIN_SUPPORT:
        return Answer(question, "The documents do not answer this.", True, None, None, (), citations)
    if intent.kind is None:
        best = scored[0].sentence
        figures = _figures_of(best)
        return Answer(question, best.text, False, best, None, tuple(figures), citations)
    best_score, best_figure, best_sentence = -math.inf, None, None
    for cand in scored[:12]:
        if cand.support < MIN_SUPPORT:
            break
        for fig in extract_figures(cand.sentence.text):
            fit = figure_fit(fig, intent, cand.sentence.text)
            score = 0.55 * cand.support + 0.45 * fit
            if fit >= MIN_FIGURE_FIT and score > best_score:
                best_score, best_figure, best_sentence = score, fig, cand.sentence
    if best_figure is None or best_sentence is None:
        return Answer(question, "The documents do not answer this.", True, None, None, (), citations)
    chosen = CitedFigure(best_figure, best_sentence.citation, best_sentence.text)
    others = tuple(f for f in _figures_of(best_sentence) if f.figure != best_figure)
    return Answer(question, best_figure.text, False, best_sentence, chosen, others, citations)


def _figures_of(sentence: Sentence) -> list[CitedFigure]:
    return [CitedFigure(f, sentence.citation, sentence.text) for f in extract_figures(sentence.text)]


def passage_figures(citations: Sequence[Citation]) -> list[CitedFigure]:
    """Every figure in the cited passages, in passage order."""
    return [fig for sentence, _ in _sentences(citations) for fig in _figures_of(sentence)]
