"""Answer assembly: the best-supported sentence, the figure that fits the question, numbered citations, a confidence."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from assistant.answering.choices import (
    Similarity,
    lead_of,
    rated_choices,
    read,
)
from assistant.answering.clauses import asked_clause
from assistant.answering.confidence import (
    DERIVED,
    OFF_TOPIC,
    OTHER,
    TABLE,
    Scorer,
    decide,
    derivation_confidence,
    load_scorer,
    load_structured,
    table_confidence,
    threshold_for,
)
from assistant.answering.derived_answer import answer_derived
from assistant.answering.features import Evidence
from assistant.answering.fit import numbers_in
from assistant.answering.names import names_asked
from assistant.answering.questions import QuestionIntent, analyse_question
from assistant.answering.reasons import asked_for, below, off_topic_reason, rule_reason
from assistant.answering.restated import as_stated
from assistant.answering.results import (
    ABSTAIN,
    Answer,
    Citation,
    CitedFigure,
    Sentence,
    TableAnswer,
    citations_from,
)
from assistant.answering.support import (
    Candidate,
    sentences,
    unmentioned,
)
from assistant.answering.table_answer import answer_from_tables, choose
from assistant.derivations.model import Derivation
from assistant.figures.extraction import sentence_figures
from assistant.retrieval.search import Hit
from assistant.tables.cells import cell_figure, cell_ref, table_cells
from assistant.tables.model import row_line

# An answer needs this much support; below it the assistant abstains and shows the closest passages.
MIN_SUPPORT = 0.34


NAME_SENTENCES = 3  # a numbered name is looked for in this many of the best-supported sentences


NAME_WINDOW = 40  # characters either side of a name where the question's words count for it


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
    similarity: Similarity | None = None,
    structured: Mapping[str, Scorer] | None = None,
) -> Answer:
    """Choose the answer for a question from the retrieved hits, and how likely it is to be right.

    For a figure question the rules rank the figures whose kind and unit fit the question, whose sentence
    holds most of the question's terms and which stand closest to them (a figure the question itself names
    is never the answer); the scorer answers with the most probably right of the best few. Any other question is answered by its best-supported sentence. The scorer then gives
    the answer a confidence; without enough support, with nothing in the collection about the question, or
    below min_confidence (default: the scorer's threshold; 0 answers whatever the rules find) the answer
    abstains, says why, and the closest passages are still cited. query is the question as searched (a
    follow-up rewritten with the conversation's words), when it differs. similarity measures how close a
    candidate sentence is to it (without it the scorer reads the passage's similarity instead). structured
    holds the table and derived answers' models (default: the shipped ones).
    """
    scorer = scorer or load_scorer()
    structured = structured or load_structured()
    citations = citations_from(hits)
    intent = intent or analyse_question(question)

    derived = answer_derived(question, citations, analyze=analyze, idf=idf)
    if derived is not None:
        if derived.abstained or derived.derivation is None:
            return derived
        stated = as_stated(derived, analyze)
        values = derived_values(derived.derivation, restated=stated.answer != derived.answer)
        model = structured[DERIVED]
        return _structured(
            stated, values, derivation_confidence(values, model), min_confidence, model.threshold
        )
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
        similarity=similarity,
    )
    chosen = choose(tabled, prose)
    if chosen is not tabled or chosen.abstained or chosen.table is None:
        return chosen
    stated = as_stated(chosen, analyze)
    values = table_values(chosen.table, restated=stated.answer != chosen.answer)
    model = structured[TABLE]
    return _structured(stated, values, table_confidence(values, model), min_confidence, model.threshold)


def table_values(table: TableAnswer, *, restated: bool) -> dict[str, float]:
    """What a table answer's model reads (confidence.TABLE_FEATURES): the match, whether the cell's column
    names a period, whether the prose restates the figure."""
    period = table.cell is not None and bool(table.cell.cell.period)
    values = {k: float(v) for k, v in table.features.to_dict().items()}
    return {**values, "period": float(period), "restated": float(restated)}


def derived_values(derivation: Derivation, *, restated: bool) -> dict[str, float]:
    """What a derived answer's model reads (confidence.DERIVED_FEATURES)."""
    return {
        **derivation.features,
        "count": float(derivation.operation == "count"),
        "percent": float(derivation.unit in ("percent", "percentage points")),
        "restated": float(restated),
    }


def _structured(
    answer: Answer,
    values: dict[str, float],
    confidence: float,
    min_confidence: float | None,
    default: float,
) -> Answer:
    """A table or derived answer with its confidence and the features it was read from; below the minimum
    (the caller's, else the model's default, 0 for none) it abstains and says why."""
    threshold = default if min_confidence is None else min_confidence
    if threshold <= 0 or confidence >= threshold:
        return replace(answer, confidence=confidence, features=values)
    reason = f"the closest answer, {answer.answer}, {below(confidence, threshold)}"
    return replace(_abstain(answer.question, answer.citations, values, reason), confidence=confidence)


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
    similarity: Similarity | None,
) -> Answer:
    """The answer from the passages' sentences, scored (see build_answer)."""
    reading = read(
        question, citations, hits, intent, analyze=analyze, idf=idf, query=query, similarity=similarity
    )
    scored, features = reading.scored, reading.features
    if not scored or scored[0].support < MIN_SUPPORT or unmentioned(intent, citations, analyze):
        found = features(None)
        low = not scored or scored[0].support < MIN_SUPPORT
        return _abstain(question, _focused(citations, scored, None), found, rule_reason(intent, low=low))
    if intent.kind is None:
        named = _choose_name(question, intent, scored, analyze)
        best = named[0] if named else scored[0].sentence
        cand = next(c for c in scored if c.sentence is best)
        (evidence,) = reading.with_similarity(
            [_evidence(cand, citations, reading.hits, name=named is not None)]
        )
        found = features(evidence)
        clause = None if named else asked_clause(question, best.text, analyze)
        answer = Answer(
            question,
            named[1] if named else clause or best.text,
            False,
            best,
            None,
            _other_figures(citations, best, None),
            _focused(citations, scored, best),
        )
        return _scored(answer, scorer, found, min_confidence, intent)
    rated = rated_choices(reading, scorer)
    if not rated:
        found = features(None)
        reason = f"no {asked_for(intent)} in the passages"
        return _abstain(question, _focused(citations, scored, None), found, reason)
    # the scorer chooses among the rules' best few: the most probably right; the rules' order breaks a tie
    best_rated = max(rated, key=lambda r: r.probability)
    sentence, figure = best_rated.choice.sentence, best_rated.choice.figure
    others = _other_figures(citations, sentence, figure)
    answer = Answer(
        question, figure.figure.text, False, sentence, figure, others, _focused(citations, scored, sentence)
    )
    return _scored(answer, scorer, best_rated.features, min_confidence, intent)


def _evidence(cand: Candidate, citations: Sequence[Citation], hits: Sequence[Hit], *, name: bool) -> Evidence:
    """What the scorer reads about a sentence answer."""
    c = citations[cand.rank]
    return Evidence(
        cand.sentence.text,
        cand.around,
        f"{c.title}\n{c.text}",
        cand.coverage,
        cand.context,
        hits[cand.rank].dense,
        name=name,
        lead=lead_of(hits[cand.rank], max(h.score for h in hits)),
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
        reason = f"no clear {asked_for(intent)}: the closest, {answer.answer}, {below(confidence, limit)}"
    else:
        reason = f"no sentence clearly answers it: the closest {below(confidence, limit)}"
    return replace(_abstain(answer.question, answer.citations, found, reason), confidence=confidence)


def _choose_name(
    question: str, intent: QuestionIntent, scored: Sequence[Candidate], analyze: Callable[[str], list[str]]
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
    citations: tuple[Citation, ...], scored: Sequence[Candidate], answered: Sentence | None
) -> tuple[Citation, ...]:
    """The citations with their focus: the answer's sentence for its passage, else each passage's sentence
    holding most of the question's terms (scored is best first)."""
    best: dict[int, Sentence] = {answered.citation: answered} if answered is not None else {}
    for cand in scored:
        if cand.coverage > 0 and cand.sentence.citation not in best:
            best[cand.sentence.citation] = cand.sentence
    return tuple(replace(c, focus=(best[c.n].start, best[c.n].end)) if c.n in best else c for c in citations)


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
    for x in sentences(prose):
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
