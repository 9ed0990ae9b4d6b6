"""Answers that compute a figure from cited figures (a change, growth rate, total, average, share, ratio or
count), with the working: each operand cited by table, row and column; or an abstention naming the operand
that was not found or why the operands do not combine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from assistant.answering.results import ABSTAIN, Answer, Citation, CitedFigure
from assistant.derivations.compute import derive
from assistant.derivations.model import Derivation
from assistant.derivations.operands import FoundOperand, find_operands
from assistant.derivations.questions import read_derived
from assistant.tables.cells import cell_figure, cell_ref
from assistant.tables.matches import cells_of
from assistant.tables.matching import asks_choice
from assistant.tables.model import row_line


def answer_derived(
    question: str,
    citations: tuple[Citation, ...],
    *,
    analyze: Callable[[str], list[str]],
    idf: Callable[[str], float] | None,
) -> Answer | None:
    """The derived answer, or an abstention saying what is missing; None when the question asks for no
    derived figure (a question of which year or which row wins asks for a header or a label) or no cited
    passage is a table."""
    asked = None if asks_choice(question) else read_derived(question)
    if asked is None:
        return None
    pieces = [(c.n, c.doc_id, c.piece) for c in citations if c.piece is not None]
    if not pieces:
        return None
    search = find_operands(asked, cells_of(pieces), analyze=analyze, idf=idf)
    derivation = derive(asked, search)
    figures = tuple(_cited(f) for f in search.found)
    cited = _focus(citations, search.found)
    if derivation.value is None:
        return Answer(
            question,
            f"{ABSTAIN} {_sentence(derivation)}",
            True,
            None,
            None,
            figures,
            cited,
            derivation=derivation,
        )
    return Answer(question, derivation.text, False, None, None, figures, cited, derivation=derivation)


def _sentence(derivation: Derivation) -> str:
    """The refusal as a sentence: "No figure found for Net sales, 2017."."""
    why = derivation.refusal or "nothing was computed"
    return why[0].upper() + why[1:] + "."


def _cited(found: FoundOperand) -> CitedFigure:
    pc = found.cell
    body = pc.cell.row - pc.piece.first_row  # the cell's row among the piece's body rows
    line = row_line(pc.piece.table, body) if 0 <= body < len(pc.piece.table.body) else pc.cell.text
    return CitedFigure(cell_figure(pc.cell, line), pc.hit, line, cell_ref(pc.piece.number, pc.cell))


def _focus(citations: tuple[Citation, ...], found: tuple[FoundOperand, ...]) -> tuple[Citation, ...]:
    """The citations, each holding an operand marked with the first operand's cell."""
    first: dict[int, FoundOperand] = {}
    for f in found:
        first.setdefault(f.cell.hit, f)
    return tuple(
        replace(c, cell=cell_ref(first[c.n].cell.piece.number, first[c.n].cell.cell)) if c.n in first else c
        for c in citations
    )
