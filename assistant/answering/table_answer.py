"""Answers from the tables among the cited passages: the cell where the question's row and column cross,
cited by table, row and column, or an abstention that shows the closest rows."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import replace

from assistant.answering.questions import QuestionIntent
from assistant.answering.results import ABSTAIN, Answer, Citation, CitedFigure, Sentence, TableAnswer
from assistant.tables.cells import TableCell, cell_figure, cell_ref
from assistant.tables.matches import MIN_ROW_MATCH, PieceCell, cells_of
from assistant.tables.matching import match_table
from assistant.tables.model import row_line

PREFER_RANKED_PROSE = True  # see choose()
_AMOUNT = re.compile(r"\b(?:amount|how\s+much|how\s+many|number|total|value|percentage|rate|ratio)\b", re.I)


def answer_from_tables(
    question: str,
    citations: tuple[Citation, ...],
    intent: QuestionIntent,
    *,
    analyze: Callable[[str], list[str]],
    idf: Callable[[str], float] | None,
) -> Answer | None:
    """The table answer, or a table abstention showing the closest rows, or None when no cited passage is
    a table or the question is not one a table answers."""
    pieces = [(c.n, c.doc_id, c.piece) for c in citations if c.piece is not None]
    if not pieces:
        return None
    # a question answered from a table asks for a figure unless it names no measure at all: "What was the
    # amount of X?" is one even where the question reader sees no kind of figure
    wants = intent.kind is not None or _AMOUNT.search(question) is not None
    found = match_table(question, cells_of(pieces), analyze=analyze, idf=idf, wants_figure=wants)
    if found is None:
        return None
    if not found.answered or found.cell is None:
        info = TableAnswer(None, None, found.features, (), found.closest)
        return Answer(
            question, ABSTAIN, True, None, None, (), _cite_rows(citations, found.closest), table=info
        )
    pc = found.cell
    citation = next(c for c in citations if c.n == pc.hit)
    line, start = _row_text(citation, pc)
    sentence = Sentence(line, citation.n, start, start + len(line))
    # a comparison is answered by a header or label: the cells compared are its figures, none is the answer
    figure = (
        None
        if found.features.comparison
        else CitedFigure(cell_figure(pc.cell, line), citation.n, line, cell_ref(pc.piece.number, pc.cell))
    )
    cited = tuple(
        replace(c, focus=(start, start + len(line)), cell=cell_ref(pc.piece.number, pc.cell))
        if c.n == pc.hit
        else c
        for c in citations
    )
    info = TableAnswer(pc, citation.n, found.features, found.compared)
    others = tuple(
        CitedFigure(cell_figure(o.cell, line), citation.n, line, cell_ref(o.piece.number, o.cell))
        for o in found.compared
        if o is not pc or figure is None
    )
    text = found.text if found.features.comparison else _with_scale(pc.cell)
    return Answer(question, text, False, sentence, figure, others, cited, table=info)


def _with_scale(cell: TableCell) -> str:
    """A cell's text with the scale its header or caption gives: "1,450" of a table "in millions" ->
    "1,450 million"."""
    if cell.scale and cell.value is not None and cell.scale not in cell.text.lower():
        return f"{cell.text} {cell.scale}"
    return cell.text


def choose(tabled: Answer | None, prose: Answer) -> Answer:
    """The table's answer, unless the prose answers with a figure from a passage ranked above the table's:
    the retriever tells which of the two the question is about ("What was the increase in cost of
    revenue?" is answered in the text, in millions, beside a table in thousands)."""
    if tabled is None:
        return prose
    if tabled.abstained:
        return prefer_table(prose, tabled)
    info = tabled.table
    table_rank = info.citation if info is not None and info.citation is not None else 0
    prose_rank = prose.sentence.citation if prose.sentence is not None else math.inf
    from_prose = prose.figure is not None and not prose.abstained and not _from_table(prose)
    if PREFER_RANKED_PROSE and from_prose and prose_rank < table_rank:
        return prose
    return tabled


def _from_table(answer: Answer) -> bool:
    return answer.sentence is not None and any(
        c.n == answer.sentence.citation and c.piece is not None for c in answer.citations
    )


def prefer_table(prose: Answer, tabled: Answer | None) -> Answer:
    """The prose answer unless it abstained or came from a table row read as a sentence: then the table's
    abstention, which shows the closest rows."""
    if tabled is None:
        return prose
    if prose.abstained or _from_table(prose):
        return tabled
    # a row fitted but no column did ("headcount in 2022" with the 2022 cell empty): a sentence without a
    # figure does not answer that better than the closest rows do
    near = tabled.table is not None and tabled.table.features.row_match >= MIN_ROW_MATCH
    return tabled if near and prose.figure is None else prose


def _row_text(citation: Citation, pc: PieceCell) -> tuple[str, int]:
    """The cell's row line in the cited passage and its document offset (the passage start when not found)."""
    piece = pc.piece
    body = piece.local_row(pc.cell.row) - piece.table.header_rows if pc.cell.row in piece.rows else -1
    if 0 <= body < len(piece.table.body):
        line = row_line(piece.table, body)
        at = citation.text.find(line)
        if at >= 0:
            return line, citation.start + at
    return pc.cell.text, citation.start


def _cite_rows(citations: tuple[Citation, ...], closest: tuple[PieceCell, ...]) -> tuple[Citation, ...]:
    """The citations, those holding the closest rows focused on the first of them."""
    first: dict[int, PieceCell] = {}
    for cell in closest:
        first.setdefault(cell.hit, cell)
    out = []
    for c in citations:
        pc = first.get(c.n)
        if pc is None:
            out.append(c)
            continue
        line, start = _row_text(c, pc)
        out.append(replace(c, focus=(start, start + len(line))))
    return tuple(out)
