"""Answer assembly: the best-supported sentence, the figure that fits the question, numbered citations."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any

from assistant.answering.names import names_asked
from assistant.answering.questions import (
    QuestionIntent,
    analyse_question,
    figure_fit,
    in_question,
    narrow,
    numbers_in,
    unit_fit,
)
from assistant.figures.extraction import Figure, is_part_of, sentence_figures
from assistant.figures.vocabulary import lookup_unit
from assistant.ingest.chunking import sentence_spans
from assistant.retrieval.search import Hit
from assistant.tables.cells import CellRef, cell_figure, cell_ref, table_cells
from assistant.tables.matching import MatchFeatures, PieceCell
from assistant.tables.model import TablePiece, row_line

# An answer needs this much support; below it the assistant abstains and shows the closest passages.
MIN_SUPPORT = 0.34
MIN_FIGURE_FIT = 0.45
# a figure may come from a less supported sentence than the best one, down to this support
MIN_CANDIDATE_SUPPORT = 0.2
CANDIDATE_SENTENCES = 20
ABSTAIN = "The documents do not answer this."
RANK_PRIOR = 0.08  # support added for the first passage, shrinking with rank
CONTEXT_CREDIT = 0.5  # share of a term's weight when only the sentence's context holds it
NEAR_SCALE = 4.0  # words: a term this many words beyond the next one counts half
CLAUSE_PENALTY = 3  # words a clause boundary adds to the distance between a figure and a question term
# the weight of a term a follow-up borrows from an earlier question, against the user's own words: "And what
# share of GDP was that?" is answered from the sentence about GDP share, not the one naming the borrowed topic
BORROWED = 0.25
NAME_SENTENCES = 3  # a numbered name is looked for in this many of the best-supported sentences
NAME_WINDOW = 40  # characters either side of a name where the question's words count for it


@dataclass(frozen=True, slots=True)
class FigureWeights:
    """How a candidate figure is scored: a weighted sum of what speaks for it.

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
    # document offsets of the sentence the passage is cited for: the answer's, or the one holding most of the
    # question's terms; None when no sentence holds any
    focus: tuple[int, int] | None = None
    # the table rows the passage holds, with the table's caption and header (None for prose)
    piece: TablePiece | None = None
    # the table cell the passage is cited for
    cell: CellRef | None = None

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
            "focus": {"start": self.focus[0], "end": self.focus[1]} if self.focus else None,
            "table": self.cell.to_dict() if self.cell else None,
        }

    def excerpt(self, width: int) -> str:
        return excerpt(self.text, self.start, self.focus, width)


def excerpt(text: str, start: int, focus: tuple[int, int] | None, width: int) -> str:
    """A passage (text, starting at document offset start) to show in width characters: from its start when
    its focus sentence ends within them, else from the focus sentence on, "…" marking what was left out."""
    if focus is None or len(" ".join(text[: focus[1] - start].split())) <= width:
        return text
    return "…" + text[focus[0] - start :]


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
    # where the figure stands when it is a table cell: table, row and column with their label and header
    cell: CellRef | None = None

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
            "table": self.cell.to_dict() if self.cell else None,
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
    # set when a table answered (or nearly did): the cell, the cells compared, how clearly
    table: TableAnswer | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "sentence": self.sentence.to_dict() if self.sentence else None,
            "figure": self.figure.to_dict() if self.figure else None,
            "figures": [f.to_dict() for f in self.figures],
            "citations": [c.to_dict() for c in self.citations],
            "table": self.table.to_dict() if self.table else None,
        }


@dataclass(frozen=True, slots=True)
class TableAnswer:
    """A table's part in an answer: the cited cell (None when abstaining), the cells compared for a "which
    year" question, the closest rows' cells shown instead of a guess, and the match strengths."""

    cell: PieceCell | None
    citation: int | None
    features: MatchFeatures
    compared: tuple[PieceCell, ...] = ()
    closest: tuple[PieceCell, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "cell": self.cell.cell.to_dict() if self.cell else None,
            "citation": self.citation,
            "match": self.features.to_dict(),
            "compared": [pc.cell.to_dict() for pc in self.compared],
            "closest": [pc.cell.to_dict() for pc in self.closest],
        }


def context_phrase(sentence: str, figure: Figure, width: int = 60) -> str:
    """A few words either side of a figure, cut at word boundaries."""
    left = sentence[max(0, figure.start - width) : figure.start]
    right = sentence[figure.end : figure.end + width]
    if figure.start - width > 0 and " " in left:
        left = "…" + left[left.index(" ") + 1 :]
    if figure.end + width < len(sentence) and " " in right:
        right = right[: right.rindex(" ")] + "…"
    return " ".join(f"{left}{figure.text}{right}".split())  # one line: a title and its sentence are joined


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
            piece=h.chunk.table,
        )
        for n, h in enumerate(hits, start=1)
    )


@dataclass(frozen=True, slots=True)
class _Located:
    """A sentence with its passage rank (0 = best) and its context: the passage title and the sentence before."""

    sentence: Sentence
    rank: int
    context: str


def _sentences(citations: Sequence[Citation]) -> list[_Located]:
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
class _Candidate:
    """A sentence scored as evidence: the shares of the question's terms it and its context hold."""

    sentence: Sentence
    rank: int
    coverage: float
    context: float

    @property
    def support(self) -> float:
        """Coverage, with context terms at CONTEXT_CREDIT, plus a rank prior."""
        return self.coverage + CONTEXT_CREDIT * self.context + RANK_PRIOR / (1 + self.rank)


def _candidate(
    located: _Located, question_terms: dict[str, float], analyze: Callable[[str], list[str]]
) -> _Candidate:
    """How well a sentence supports an answer: the weighted share of question terms it holds, and the share
    its context holds instead ("It opened in 2014." after a sentence naming the stadium)."""
    total = sum(question_terms.values())
    if not total:
        return _Candidate(located.sentence, located.rank, 0.0, 0.0)
    terms = set(analyze(located.sentence.text))
    around = set(analyze(located.context)) - terms
    covered = sum(w for t, w in question_terms.items() if t in terms)
    context = sum(w for t, w in question_terms.items() if t in around)
    return _Candidate(located.sentence, located.rank, covered / total, context / total)


def _unmentioned(
    intent: QuestionIntent, citations: Sequence[Citation], analyze: Callable[[str], list[str]]
) -> bool:
    """Whether no cited passage names what the question measures: with no passage about "unemployment",
    "What was the unemployment rate?" is not answered by another rate, however well "rate" and "China" match."""
    wanted = set(analyze(" ".join(intent.measure)))
    if not wanted:
        return False
    return not any(wanted.intersection(analyze(f"{c.title}\n{c.text}")) for c in citations)


_CONVERSION = re.compile(r"\s*\(\s*(?:about|approximately|approx\.|c\.|~)?\s*\Z", re.IGNORECASE)


def _conversions(text: str, figures: Sequence[Figure]) -> set[int]:
    """Indexes of figures that restate the figure before them in another unit: the 350 km of "220 miles (350 km)"."""
    return {
        i
        for i in range(1, len(figures))
        if figures[i].kind == figures[i - 1].kind
        and figures[i].unit is not None
        and figures[i - 1].unit not in (None, figures[i].unit)
        and _CONVERSION.fullmatch(text, figures[i - 1].end, figures[i].start) is not None
    }


def _phrase_share(pairs: set[tuple[str, str]], positions: Sequence[tuple[int, int, str | None]]) -> float:
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
    own = set(analyze(question))
    return {t: (1.0 + (idf(t) if idf else 0.0)) * (1.0 if t in own else BORROWED) for t in terms}


# the lexical analyser's tokens: numbers stay whole ("45.5", "1,234"), other words split on non-letters
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+|\d+", re.UNICODE)
# where a clause ends: punctuation, an opening parenthesis, a dash, or a conjunction ("took Algeria in 1830 but
# began to rebuild its empire after 1850")
_CLAUSE_BREAK = re.compile(r"[,;:(]|\s[–—-]\s|\s(?:and|but|while|whereas)\s")


def _term_positions(sentence: str, analyze: Callable[[str], list[str]]) -> list[tuple[int, int, str | None]]:
    """(start, end, stem) of each word of a sentence; stem is None for a stopword."""
    out: list[tuple[int, int, str | None]] = []
    for m in _TOKEN.finditer(sentence):
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


def build_answer(
    question: str,
    hits: Sequence[Hit],
    *,
    analyze: Callable[[str], list[str]],
    idf: Callable[[str], float] | None = None,
    intent: QuestionIntent | None = None,
) -> Answer:
    """Choose the answer for a question from the retrieved hits.

    A figure question is answered by the figure whose kind and unit fit the question, whose sentence holds
    most of the question's terms and which stands closest to them; a figure the question itself names is
    never the answer. Any other question is answered by its best-supported sentence. Without enough support
    the answer abstains, and the closest passages are still cited.
    """
    citations = citations_from(hits)
    intent = intent or analyse_question(question)
    from assistant.answering.table_answer import answer_from_tables, choose  # imports this module

    tabled = answer_from_tables(question, citations, intent, analyze=analyze, idf=idf)
    return choose(tabled, _prose_answer(question, citations, hits, intent, analyze=analyze, idf=idf))


def _prose_answer(
    question: str,
    citations: tuple[Citation, ...],
    hits: Sequence[Hit],
    intent: QuestionIntent,
    *,
    analyze: Callable[[str], list[str]],
    idf: Callable[[str], float] | None,
) -> Answer:
    """The answer from the passages' sentences (see build_answer). A question for no figure is answered
    from prose passages when some were retrieved: table rows read as sentences answer it badly."""
    weights = question_weights(question, intent, analyze, idf)
    prose = [c for c in citations if c.piece is None]
    readable = prose if prose and intent.kind is None else list(citations)
    # hits aligned with the passages read: a sentence's rank indexes both
    hits = [h for h, c in zip(hits, citations, strict=True) if c in readable]
    scored = [_candidate(x, weights, analyze) for x in _sentences(readable)]
    scored.sort(key=lambda c: -c.support)
    if not scored or scored[0].support < MIN_SUPPORT or _unmentioned(intent, citations, analyze):
        return _abstain(question, _focused(citations, scored, None))
    if intent.kind is None:
        named = _choose_name(question, intent, scored, analyze)
        best = named[0] if named else scored[0].sentence
        return Answer(
            question,
            named[1] if named else best.text,
            False,
            best,
            None,
            _other_figures(citations, best, None),
            _focused(citations, scored, best),
        )
    chosen = _choose_figure(question, intent, scored, hits, weights, analyze)
    if chosen is None:
        return _abstain(question, _focused(citations, scored, None))
    sentence, figure = chosen
    others = _other_figures(citations, sentence, figure)
    return Answer(
        question, figure.figure.text, False, sentence, figure, others, _focused(citations, scored, sentence)
    )


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


def _choose_name(
    question: str, intent: QuestionIntent, scored: Sequence[_Candidate], analyze: Callable[[str], list[str]]
) -> tuple[Sentence, str] | None:
    """The numbered name a "which mission / route / act" question asks for, from its best-supported sentences:
    of several in one sentence, the one with most of the question's words within NAME_WINDOW characters."""
    if intent.name_kind is None:
        return None
    asked, terms = numbers_in(question), set(analyze(question))
    for cand in scored[:NAME_SENTENCES]:
        if cand.support < MIN_SUPPORT:
            break
        text = cand.sentence.text
        names = names_asked(text, intent.name_kind, intent.name_words, asked)
        if names:
            near = [
                len(terms.intersection(analyze(text[max(0, n.start - NAME_WINDOW) : n.end + NAME_WINDOW])))
                for n in names
            ]
            return cand.sentence, names[near.index(max(near))].text
    return None


def _focused(
    citations: tuple[Citation, ...], scored: Sequence[_Candidate], answered: Sentence | None
) -> tuple[Citation, ...]:
    """The citations with their focus: the answer's sentence for its passage, else each passage's sentence
    holding most of the question's terms (scored is best first)."""
    best: dict[int, Sentence] = {answered.citation: answered} if answered is not None else {}
    for cand in scored:
        if cand.coverage > 0 and cand.sentence.citation not in best:
            best[cand.sentence.citation] = cand.sentence
    return tuple(replace(c, focus=(best[c.n].start, best[c.n].end)) if c.n in best else c for c in citations)


def _choose_figure(
    question: str,
    intent: QuestionIntent,
    scored: Sequence[_Candidate],
    hits: Sequence[Hit],
    weights: dict[str, float],
    analyze: Callable[[str], list[str]],
) -> tuple[Sentence, CitedFigure] | None:
    """The best-scoring figure that fits the question, from the best-supported sentences (see FigureWeights)."""
    asked = numbers_in(question)
    question_stems = analyze(question)
    pairs = set(pairwise(question_stems))
    w = WEIGHTS
    best_score, chosen = -math.inf, None
    for cand in scored[:CANDIDATE_SENTENCES]:
        if cand.support < MIN_CANDIDATE_SUPPORT:
            break
        text = cand.sentence.text
        positions = _term_positions(text, analyze)
        evidence = (
            w.coverage * cand.coverage
            + w.context * cand.context
            + w.rank / (1 + cand.rank)
            + w.phrase * _phrase_share(pairs, positions)
            + w.dense * hits[cand.rank].dense
        )
        found_figures = sentence_figures(text)
        restated = _conversions(text, found_figures)
        for i, found in enumerate(found_figures):
            fig = narrow(found, intent.part)
            fit = figure_fit(fig, intent, text)
            if fit < MIN_FIGURE_FIT or in_question(fig, asked):
                continue
            # nearness of the whole figure: "Robinson (1920–1999)" stands as close to "1999" as to "1920";
            # a part stands where its whole does: "39 of the 43 previous players" is as near "players"
            span = found
            if i + 1 < len(found_figures) and is_part_of(text, found, found_figures[i + 1]):
                span = replace(found, end=found_figures[i + 1].end)
            score = evidence + w.fit * fit + w.near * nearness(span, text, weights, positions)
            unit = unit_fit(fig, intent, text)
            named = bool(intent.units) and unit == 1.0  # the question asks in this unit
            score += w.unit * unit + (w.conversion if i in restated and not named else 0.0)
            if score > best_score:
                best_score, chosen = score, (cand.sentence, CitedFigure(fig, cand.sentence.citation, text))
    return chosen


def _abstain(question: str, citations: tuple[Citation, ...]) -> Answer:
    return Answer(question, ABSTAIN, True, None, None, (), citations)


def _figures_of(sentence: Sentence) -> list[CitedFigure]:
    return [CitedFigure(f, sentence.citation, sentence.text) for f in sentence_figures(sentence.text)]


def _other_figures(
    citations: Sequence[Citation], sentence: Sentence, chosen: CitedFigure | None
) -> tuple[CitedFigure, ...]:
    """The other figures of the cited passages: the answer sentence's first, then the rest in citation order.

    Each figure comes once (overlapping passages repeat a sentence; a summary repeats a figure), and the chosen
    one, or the figure it was cut from ("2014" of "June 4, 2014"), not at all.
    """
    found = passage_figures(citations)
    first = [f for f in found if f.citation == sentence.citation and f.sentence == sentence.text]
    seen: set[tuple[object, ...]] = set()
    out = []
    for f in [*first, *found]:
        key = _identity(f)
        if key in seen or (chosen is not None and _same_place(f, chosen)):
            continue
        seen.add(key)
        out.append(f)
    return tuple(out)


def _identity(f: CitedFigure) -> tuple[object, ...]:
    g = f.figure
    return (g.text, g.kind, g.unit, g.value, g.period)


def _same_place(f: CitedFigure, chosen: CitedFigure) -> bool:
    """The same figure as the chosen one, or one overlapping it in the same sentence."""
    a, b = f.figure, chosen.figure
    same_sentence = f.sentence == chosen.sentence
    return _identity(f) == _identity(chosen) or (same_sentence and a.start < b.end and b.start < a.end)


def passage_figures(citations: Sequence[Citation]) -> list[CitedFigure]:
    """Every figure in the cited passages, in passage order: a table piece's numeric cells with their row,
    column, period and unit; the figures of prose sentences."""
    prose = [c for c in citations if c.piece is None]
    by_citation: dict[int, list[CitedFigure]] = {}
    for x in _sentences(prose):
        by_citation.setdefault(x.sentence.citation, []).extend(_figures_of(x.sentence))
    out: list[CitedFigure] = []
    for c in citations:
        out.extend(by_citation.get(c.n, []) if c.piece is None else _cell_figures(c))
    return out


def _cell_figures(citation: Citation) -> list[CitedFigure]:
    piece = citation.piece
    assert piece is not None
    out = []
    for cell in table_cells(piece.table):
        if cell.value is None:
            continue
        body = cell.row - piece.table.header_rows
        line = row_line(piece.table, body)
        cell = replace(cell, row=piece.grid_row(cell.row))
        out.append(CitedFigure(cell_figure(cell, line), citation.n, line, cell_ref(piece.number, cell)))
    return out
