"""How well the cited sentences support a question: weighted terms, nearness, phrases, the focus of a hit."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import TYPE_CHECKING

from assistant.answering.questions import QuestionIntent
from assistant.figures.model import Figure
from assistant.figures.vocabulary import lookup_unit
from assistant.retrieval.search import Hit
from assistant.text.sentences import sentence_spans
from assistant.text.words import TOKEN

if TYPE_CHECKING:
    pass
from assistant.answering.results import Citation, Sentence

RANK_PRIOR = 0.08  # support added for the first passage, shrinking with rank


CONTEXT_CREDIT = 0.5  # share of a term's weight when only the sentence's context holds it


NEAR_SCALE = 4.0  # words: a term this many words beyond the next one counts half


CLAUSE_PENALTY = 3  # words a clause boundary adds to the distance between a figure and a question term


# the weight of a term a follow-up borrows from an earlier question, against the user's own words: "And what
# share of GDP was that?" is answered from the sentence about GDP share, not the one naming the borrowed topic
BORROWED = 0.25


@dataclass(frozen=True, slots=True)
class _Located:
    """A sentence with its passage rank (0 = best) and its context: the passage title and the sentence before."""

    sentence: Sentence
    rank: int
    context: str


def sentences(citations: Sequence[Citation]) -> list[_Located]:
    """Every sentence of the cited passages, in citation order."""
    out = []
    for rank, c in enumerate(citations):
        previous = ""
        for s, e in sentence_spans(c.text):
            sentence = Sentence(c.text[s:e], c.n, c.start + s, c.start + e)
            out.append(_Located(sentence, rank, f"{c.title}\n{previous}"))
            previous = c.text[s:e]
    return out


@dataclass(frozen=True, slots=True)
class Candidate:
    """A sentence scored as evidence: the shares of the question's terms it and its context hold."""

    sentence: Sentence
    rank: int
    coverage: float
    context: float
    around: str = ""  # the context itself: the passage title and the sentence before

    @property
    def support(self) -> float:
        """Coverage, with context terms at CONTEXT_CREDIT, plus a rank prior."""
        return self.coverage + CONTEXT_CREDIT * self.context + RANK_PRIOR / (1 + self.rank)


def candidate(
    located: _Located, question_terms: dict[str, float], analyze: Callable[[str], list[str]]
) -> Candidate:
    """How well a sentence supports an answer: the weighted share of question terms it holds, and the share
    its context holds instead ("It opened in 2014." after a sentence naming the stadium)."""
    total = sum(question_terms.values())
    if not total:
        return Candidate(located.sentence, located.rank, 0.0, 0.0, located.context)
    terms = set(analyze(located.sentence.text))
    around = set(analyze(located.context)) - terms
    covered = sum(w for t, w in question_terms.items() if t in terms)
    context = sum(w for t, w in question_terms.items() if t in around)
    return Candidate(located.sentence, located.rank, covered / total, context / total, located.context)


def unmentioned(
    intent: QuestionIntent, citations: Sequence[Citation], analyze: Callable[[str], list[str]]
) -> bool:
    """Whether no cited passage names what the question measures: with no passage about "unemployment",
    "What was the unemployment rate?" is not answered by another rate, however well "rate" and "China" match."""
    wanted = set(analyze(" ".join(intent.measure)))
    if not wanted:
        return False
    return not any(wanted.intersection(analyze(f"{c.title}\n{c.text}")) for c in citations)


_CONVERSION = re.compile(r"\s*\(\s*(?:about|approximately|approx\.|c\.|~)?\s*\Z", re.IGNORECASE)


def conversions(text: str, figures: Sequence[Figure]) -> set[int]:
    """Indexes of figures that restate the figure before them in another unit: the 350 km of "220 miles (350 km)"."""
    return {
        i
        for i in range(1, len(figures))
        if figures[i].kind == figures[i - 1].kind
        and figures[i].unit is not None
        and figures[i - 1].unit not in (None, figures[i].unit)
        and _CONVERSION.fullmatch(text, figures[i - 1].end, figures[i].start) is not None
    }


def phrase_share(pairs: set[tuple[str, str]], positions: Sequence[tuple[int, int, str | None]]) -> float:
    """The share of the question's consecutive term pairs that the sentence has consecutively too."""
    if not pairs:
        return 0.0
    stems = [stem for _, _, stem in positions if stem is not None]
    return len(pairs.intersection(pairwise(stems))) / len(pairs)


def question_weights(
    question: str,
    intent: QuestionIntent,
    analyze: Callable[[str], list[str]],
    idf: Callable[[str], float] | None,
) -> dict[str, float]:
    """The terms an answer sentence should hold: the question's topic words and period, rarer ones weighing more.

    Question words ("how", "large", "what share") say what kind of answer is wanted, not what it is about,
    so they are left out when the question has topic words. Weights are 1 + idf: in a small collection every
    chunk may hold the topic words, and those must still count. When the intent was read from a follow-up
    rewritten with an earlier question's words (see conversation.contextualize), a term that is not in the
    user's own question weighs BORROWED times as much.
    """
    counted = [u for u in intent.units if lookup_unit(u) is None]  # "MSPs" is a topic, "percent" a type
    topic = " ".join([*intent.focus, *counted, intent.period or ""]).strip()
    terms = analyze(topic) if topic else []
    if not terms:
        terms = analyze(question)
    if intent.change:
        # "grow", "rise": the kind of figure asked for, like "how fast", not its topic; the sentence may say
        # "increase" instead ("And how fast did it grow?" is answered from the sentence about data output)
        change = set(analyze(_CHANGE_VERBS))
        terms = [t for t in terms if t not in change] or terms
    own = set(analyze(question))
    return {t: (1.0 + (idf(t) if idf else 0.0)) * (1.0 if t in own else BORROWED) for t in terms}


_CHANGE_VERBS = (
    "grow grew grown growth increase increased rise rose risen fall fell fallen decline declined drop dropped"
)


# where a clause ends: punctuation, an opening parenthesis, a dash, or a conjunction ("took Algeria in 1830 but
# began to rebuild its empire after 1850")
_CLAUSE_BREAK = re.compile(r"[,;:(]|\s[–—-]\s|\s(?:and|but|while|whereas)\s")


def term_positions(sentence: str, analyze: Callable[[str], list[str]]) -> list[tuple[int, int, str | None]]:
    """(start, end, stem) of each word of a sentence; stem is None for a stopword."""
    out: list[tuple[int, int, str | None]] = []
    for m in TOKEN.finditer(sentence):
        stems = analyze(m.group())
        out.append((m.start(), m.end(), stems[0] if stems else None))
    return out


def nearness(
    figure: Figure,
    sentence: str,
    question_terms: dict[str, float],
    positions: Sequence[tuple[int, int, str | None]],
) -> float:
    """How close the question's terms stand to a figure, 0..1: weighted, decaying with distance in words.

    A term inside the figure's own span (the counted noun of "129 MSPs") counts fully; one word away counts
    a little less, and so on. Terms the sentence lacks count zero, so this also measures coverage.
    """
    total = sum(question_terms.values())
    if not total or not positions:
        return 0.0
    inside = [i for i, (s, e, _) in enumerate(positions) if s < figure.end and e > figure.start]
    if inside:
        first, last = inside[0], inside[-1]
    else:  # a figure without a word of its own ("%"): place it between its neighbours
        first = sum(1 for s, _, _ in positions if s < figure.start)
        last = first - 1
    best: dict[str, float] = {}
    for i, (start, end, stem) in enumerate(positions):
        if stem is None or stem not in question_terms:
            continue
        distance = 0 if first <= i <= last else (first - i if i < first else i - last)
        if distance:  # a clause boundary between them ("In the early 1970s, Eisner, who joined ABC in 1966")
            gap = sentence[end : figure.start] if i < first else sentence[figure.end : start]
            distance += CLAUSE_PENALTY * len(_CLAUSE_BREAK.findall(gap))
        closeness = 1.0 if distance == 0 else 1.0 / (1.0 + (distance - 1) / NEAR_SCALE)
        if closeness > best.get(stem, 0.0):
            best[stem] = closeness
    return sum(question_terms[t] * c for t, c in best.items()) / total


def focus_hits(
    query: str, hits: Sequence[Hit], analyze: Callable[[str], list[str]], idf: Callable[[str], float] | None
) -> tuple[Hit, ...]:
    """Search hits with their focus: each chunk's sentence holding the largest idf-weighted share of the
    query's terms (none when no sentence holds any)."""
    terms = {t: 1.0 + (idf(t) if idf else 0.0) for t in analyze(query)}
    out = []
    for hit in hits:
        best, best_share = None, 0.0
        for s, e in sentence_spans(hit.chunk.text):
            share = sum(w for t in set(analyze(hit.chunk.text[s:e])) if (w := terms.get(t)))
            if share > best_share:
                best, best_share = (hit.chunk.start + s, hit.chunk.start + e), share
        out.append(replace(hit, focus=best))
    return tuple(out)
