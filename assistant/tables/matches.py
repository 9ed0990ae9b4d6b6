"""What matching a question to tables works with and returns: each retrieved cell with its piece and hit,
row and column keys, the match found and how clearly, and the words that make a question a comparison."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from assistant.tables.cells import TableCell, table_cells
from assistant.tables.model import TablePiece

# An answer needs a row this well matched (F1 of the question's topic words against the row label, idf
# weighted); else the answerer abstains.
MIN_ROW_MATCH = 0.34

MORE = re.compile(
    r"\b(?:higher|highest|more|most|larger|largest|greater|greatest|bigger|biggest|maximum|max|increased?)\b",
    re.I,
)
LESS = re.compile(
    r"\b(?:lower|lowest|less|least|smaller|smallest|fewer|fewest|minimum|min|decreased?)\b", re.I
)
THRESHOLD = re.compile(
    r"\b(?P<op>less\s+than|lower\s+than|below|under|more\s+than|greater\s+than|higher\s+than|above|over|exceed(?:s|ed)?)"
    r"\s*(?:\$\s*)?(?P<minus>[-−–]\s*)?(?P<n>\d[\d,]*(?:\.\d+)?)\s*(?:%|(?P<scale>thousands?|millions?|billions?)\b)?",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class MatchFeatures:
    """How clearly a table answer was found, for a confidence scorer: match strengths 0..1 and margins."""

    row_match: float  # the chosen row's word match
    column_match: float  # the chosen column's period and header match
    row_margin: float  # lead over the best row with another value
    column_margin: float  # lead over the best column with another value
    comparison: bool  # the answer is a header or label that won a comparison

    def to_dict(self) -> dict[str, float | bool]:
        return {
            "row_match": round(self.row_match, 4),
            "column_match": round(self.column_match, 4),
            "row_margin": round(self.row_margin, 4),
            "column_margin": round(self.column_margin, 4),
            "comparison": self.comparison,
        }


@dataclass(frozen=True, slots=True)
class PieceCell:
    """A cell of a retrieved table piece, with the citation (position in the hits) it came with."""

    cell: TableCell
    hit: int
    piece: TablePiece
    doc: str


@dataclass(frozen=True, slots=True)
class TableMatch:
    """What the table answerer found: the answer text, the cell it came from, the cells compared, and how
    clearly; `answered` is False when it abstains, `closest` then holds the best rows' cells."""

    answered: bool
    text: str
    cell: PieceCell | None
    features: MatchFeatures
    compared: tuple[PieceCell, ...] = ()
    closest: tuple[PieceCell, ...] = ()


def cells_of(pieces: Sequence[tuple[int, str, TablePiece]]) -> list[PieceCell]:
    """Every cell of the retrieved pieces (hit position, document id, piece), grid rows numbered as in the
    full table; a cell two hits share comes once."""
    seen: set[tuple[str, int, int, int]] = set()
    out = []
    for hit, doc, piece in pieces:
        for cell in table_cells(piece.table):
            row = piece.grid_row(cell.row)
            key = (doc, piece.number, row, cell.column)
            if key in seen:
                continue
            seen.add(key)
            out.append(PieceCell(replace(cell, row=row), hit, piece, doc))
    return out


RowKey = tuple[str, int, int]  # (document, table number, grid row)
ColKey = tuple[str, int, int, str]  # (document, table number, column, header: blocks of a table differ)


def row_key(pc: PieceCell) -> RowKey:
    return (pc.doc, pc.piece.number, pc.cell.row)


def col_key(pc: PieceCell) -> ColKey:
    return (pc.doc, pc.piece.number, pc.cell.column, pc.cell.column_header)


def own_label(cell: TableCell) -> str:
    """The last level of a row's label; "Total" for a row of figures without a label (a table's total)."""
    own = cell.row_label[-1] if cell.row_label else ""
    return own if own.strip() else "Total"


def abstain(
    cells: Sequence[PieceCell], rows: dict[RowKey, float], features: MatchFeatures | None = None
) -> TableMatch:
    """No clear cell: the cells of the three best-matched rows, to show instead; row_match is the best row's."""
    ranked = sorted({row_key(pc): rows[row_key(pc)] for pc in cells}.items(), key=lambda x: -x[1])
    keep = {k for k, s in ranked[:3] if s > 0}
    closest = tuple(pc for pc in cells if row_key(pc) in keep)
    top = ranked[0][1] if ranked else 0.0
    features = features or MatchFeatures(0.0, 0.0, 0.0, 0.0, False)
    features = replace(features, row_match=max(features.row_match, top))
    return TableMatch(False, "", None, features, (), closest)
