"""Answer assembly: the best-supported sentence, the figure that fits the question, numbered citations, a confidence."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import TYPE_CHECKING

from assistant.answering.confidence import (
    OFF_TOPIC,
    OTHER,
    Scorer,
    decide,
    derivation_confidence,
    load_scorer,
    table_confidence,
    threshold_for,
)
from assistant.answering.features import Evidence, answer_features
from assistant.answering.fit import figure_fit, in_question, narrow, numbers_in, unit_fit
from assistant.answering.names import names_asked
from assistant.answering.questions import QuestionIntent, analyse_question
from assistant.answering.reasons import asked_for, off_topic_reason, rule_reason
from assistant.figures.extraction import sentence_figures
from assistant.figures.joining import is_part_of
from assistant.figures.model import Figure
from assistant.figures.vocabulary import lookup_unit
from assistant.retrieval.search import Hit
from assistant.tables.cells import cell_figure, cell_ref, table_cells
from assistant.tables.model import row_line
from assistant.text.sentences import sentence_spans
from assistant.text.words import TOKEN

if TYPE_CHECKING:
    pass
from assistant.answering.results import Answer, Citation, CitedFigure, Sentence, citations_from

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
    around: str = ""  # the context itself: the passage title and the sentence before

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
        return _Candidate(located.sentence, located.rank, 0.0, 0.0, located.context)
    terms = set(analyze(located.sentence.text))
    around = set(analyze(located.context)) - terms
    covered = sum(w for t, w in question_terms.items() if t in terms)
    context = sum(w for t, w in question_terms.items() if t in around)
    return _Candidate(located.sentence, located.rank, covered / total, context / total, located.context)


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


def _term_positions(sentence: str, analyze: Callable[[str], list[str]]) -> list[tuple[int, int, str | None]]:
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


def build_answer(
    question: str,
    hits: Sequence[Hit],
    *,
    analyze: Callable[[str], list[str]],
    idf: Callable[[str], float] | None = None,
    intent: QuestionIntent | None = None,
    min_confidence: float | None = None,
    scorer: Scorer | None = None,
    query: str | None = None,
) -> Answer:
    """Choose the answer for a question from the retrieved hits, and how likely it is to be right.

    A figure question is answered by the figure whose kind and unit fit the question, whose sentence holds
    most of the question's terms and which stands closest to them; a figure the question itself names is
    never the answer. Any other question is answered by its best-supported sentence. The scorer then gives
    the answer a confidence; without enough support, with nothing in the collection about the question, or
    below min_confidence (default: the scorer's threshold; 0 answers whatever the rules find) the answer
    abstains, says why, and the closest passages are still cited. query is the question as searched (a
    follow-up rewritten with the conversation's words), when it differs.
    """
    scorer = scorer or load_scorer()
    citations = citations_from(hits)
    intent = intent or analyse_question(question)
    from assistant.answering.derived_answer import answer_derived  # imports this module
    from assistant.answering.table_answer import answer_from_tables, choose  # imports this module

    derived = answer_derived(question, citations, analyze=analyze, idf=idf)
    if derived is not None:
        if derived.abstained or derived.derivation is None:
            return derived
        return _structured(derived, derivation_confidence(derived.derivation.features), min_confidence)
    tabled = answer_from_tables(question, citations, intent, analyze=analyze, idf=idf)
    prose = _prose_answer(
        question,
        citations,
        hits,
        intent,
        analyze=analyze,
        idf=idf,
        min_confidence=min_confidence,
        scorer=scorer,
        query=query,
    )
    chosen = choose(tabled, prose)
    if chosen is not tabled or chosen.abstained or chosen.table is None:
        return chosen
    return _structured(chosen, table_confidence(chosen.table.features.to_dict()), min_confidence)


def _structured(answer: Answer, confidence: float, min_confidence: float | None) -> Answer:
    """A table or derived answer with its confidence. Only a minimum the caller sets withholds it: the
    default threshold belongs to the fitted prose scorer, and these confidences are not fitted yet."""
    if min_confidence is None or confidence >= min_confidence:
        return replace(answer, confidence=confidence)
    reason = f"the answer from the table, {answer.answer}, has confidence {confidence:.2f} (below {min_confidence:g})"
    return replace(_abstain(answer.question, answer.citations, {}, reason), confidence=confidence)


def _prose_answer(
    question: str,
    citations: tuple[Citation, ...],
    hits: Sequence[Hit],
    intent: QuestionIntent,
    *,
    analyze: Callable[[str], list[str]],
    idf: Callable[[str], float] | None,
    min_confidence: float | None,
    scorer: Scorer,
    query: str | None,
) -> Answer:
    """The answer from the passages' sentences, scored (see build_answer). Table pieces are left to the table
    answerer when prose passages were retrieved too: their rows read as sentences answer badly."""
    weights = question_weights(question, intent, analyze, idf)
    prose = [c for c in citations if c.piece is None]
    readable = prose if prose else list(citations)
    # hits aligned with the passages read: a sentence's rank indexes both
    hits = [h for h, c in zip(hits, citations, strict=True) if c in readable]
    scored = [_candidate(x, weights, analyze) for x in _sentences(readable)]
    scored.sort(key=lambda c: -c.support)
    passages = [f"{c.title}\n{c.text}" for c in citations]

    def features(evidence: Evidence | None) -> dict[str, float]:
        return answer_features(
            query or question,
            intent,
            evidence,
            support=scored[0].support if scored else 0.0,
            top_dense=max((h.dense for h in hits), default=0.0),
            passages=passages,
            weights=weights,
            analyze=analyze,
        )

    if not scored or scored[0].support < MIN_SUPPORT or _unmentioned(intent, citations, analyze):
        found = features(None)
        low = not scored or scored[0].support < MIN_SUPPORT
        return _abstain(question, _focused(citations, scored, None), found, rule_reason(intent, low=low))
    if intent.kind is None:
        named = _choose_name(question, intent, scored, analyze)
        best = named[0] if named else scored[0].sentence
        cand = next(c for c in scored if c.sentence is best)
        found = features(_evidence(cand, citations, hits, name=named is not None))
        answer = Answer(
            question,
            named[1] if named else best.text,
            False,
            best,
            None,
            _other_figures(citations, best, None),
            _focused(citations, scored, best),
        )
        return _scored(answer, scorer, found, min_confidence, intent)
    chosen = _choose_figure(question, intent, scored, hits, weights, analyze)
    if chosen is None:
        found = features(None)
        reason = f"no {asked_for(intent)} in the passages"
        return _abstain(question, _focused(citations, scored, None), found, reason)
    sentence, figure, evidence = chosen
    others = _other_figures(citations, sentence, figure)
    answer = Answer(
        question, figure.figure.text, False, sentence, figure, others, _focused(citations, scored, sentence)
    )
    return _scored(answer, scorer, features(evidence), min_confidence, intent)


def _evidence(
    cand: _Candidate, citations: Sequence[Citation], hits: Sequence[Hit], *, name: bool
) -> Evidence:
    """What the scorer reads about a sentence answer."""
    c = citations[cand.rank]
    return Evidence(
        cand.sentence.text,
        cand.around,
        f"{c.title}\n{c.text}",
        cand.rank,
        cand.coverage,
        cand.context,
        hits[cand.rank].dense,
        name=name,
    )


def _scored(
    answer: Answer,
    scorer: Scorer,
    found: dict[str, float],
    min_confidence: float | None,
    intent: QuestionIntent,
) -> Answer:
    """The answer with its confidence; an abstention (saying why) when the scorer rules it out."""
    confidence = scorer.probability(found)
    why = decide(scorer, found, confidence, min_confidence)
    if why is None:
        return replace(answer, confidence=confidence, features=found)
    limit = threshold_for(scorer, min_confidence)
    if why == OFF_TOPIC:
        reason = off_topic_reason(intent)
    elif why == OTHER:
        reason = f"no {asked_for(intent)} in the passages: the closest, {answer.answer[:80]}, is about something else"
    elif answer.figure is not None:
        reason = (
            f"no clear {asked_for(intent)}: the closest, {answer.answer}, has confidence {confidence:.2f} "
            f"(below {limit:g})"
        )
    else:
        reason = (
            f"no sentence clearly answers it: the closest has confidence {confidence:.2f} (below {limit:g})"
        )
    return replace(_abstain(answer.question, answer.citations, found, reason), confidence=confidence)


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
) -> tuple[Sentence, CitedFigure, Evidence] | None:
    """The best-scoring figure that fits the question, from the best-supported sentences (see FigureWeights),
    with what the scorer reads about it."""
    asked = numbers_in(question)
    question_stems = analyze(question)
    pairs = set(pairwise(question_stems))
    w = WEIGHTS
    best_score, chosen = -math.inf, None
    scores: list[tuple[float, str]] = []
    for cand in scored[:CANDIDATE_SENTENCES]:
        if cand.support < MIN_CANDIDATE_SUPPORT:
            break
        text = cand.sentence.text
        positions = _term_positions(text, analyze)
        phrase = _phrase_share(pairs, positions)
        hit = hits[cand.rank]
        evidence = (
            w.coverage * cand.coverage
            + w.context * cand.context
            + w.rank / (1 + cand.rank)
            + w.phrase * phrase
            + w.dense * hit.dense
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
            near = nearness(span, text, weights, positions)
            score = evidence + w.fit * fit + w.near * near
            unit = unit_fit(fig, intent, text)
            named = bool(intent.units) and unit == 1.0  # the question asks in this unit
            score += w.unit * unit + (w.conversion if i in restated and not named else 0.0)
            scores.append((score, fig.text))
            if score > best_score:
                passage = f"{hit.title}\n{hit.chunk.text}"
                best_score = score
                chosen = (cand, fig, Evidence(
                    text, cand.around, passage, cand.rank, cand.coverage, cand.context, hit.dense, phrase,
                    fig, fit, unit, near, score,
                ))  # fmt: skip
    if chosen is None:
        return None
    cand, fig, read = chosen
    others = [s for s, t in scores if t != fig.text]
    read = replace(read, runner_up=max(others) if others else None, candidates=len(scores))
    return cand.sentence, CitedFigure(fig, cand.sentence.citation, cand.sentence.text), read


def _abstain(
    question: str, citations: tuple[Citation, ...], found: Mapping[str, float], reason: str
) -> Answer:
    return Answer(question, ABSTAIN, True, None, None, (), citations, reason=reason, features=found)


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
    """Every figure in the cited passages, in passage order, each once: a table piece's numeric cells with
    their row, column, period and unit; the figures of prose sentences (overlapping passages of a document
    repeat their shared text, and a document may repeat a sentence word for word)."""
    prose = [c for c in citations if c.piece is None]
    seen: set[tuple[object, ...]] = set()
    by_citation: dict[int, list[CitedFigure]] = {}
    for x in _sentences(prose):
        doc_id = prose[x.rank].doc_id
        for fig in _figures_of(x.sentence):
            place = (doc_id, x.sentence.start + fig.figure.start, x.sentence.start + fig.figure.end)
            words = (doc_id, x.sentence.text, fig.figure.start, fig.figure.end)
            if place not in seen and words not in seen:
                seen.update((place, words))
                by_citation.setdefault(x.sentence.citation, []).append(fig)
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
