"""Find a derived figure's operands among the cited table cells: one row across the periods asked, or one
cell per item named; each with the strength of its match, or the name of the operand that was not found."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.derivations.locate import RowKey, cell_in_row, column_years, find_row, row_key
from assistant.derivations.questions import DerivedQuestion
from assistant.tables.matches import PieceCell

# a row named "Total ..." (or "Net ...") below the part is the whole a share without one is taken of
_TOTAL = re.compile(r"^\s*(?:total|net\s+total|sum)\b", re.IGNORECASE)
_TOTAL_HEADER = re.compile(r"\btotal\b", re.IGNORECASE)
_COUNTED = re.compile(r"\b(?:components?|segments?|items?|types?|categories|category|kinds?|lines?)\b", re.I)
# rows a count of items leaves out: totals and net figures sum the items up
_SUMMARY = re.compile(r"^\s*(?:total|net|sum|subtotal)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FoundOperand:
    """An operand found: what the question called it, the cell, and how well it matched (0..1)."""

    name: str
    cell: PieceCell
    match: float
    margin: float


@dataclass(frozen=True, slots=True)
class Search:
    """The operands found, or the name of the first one that was not (`missing`)."""

    found: tuple[FoundOperand, ...]
    missing: str | None = None
    reason: str | None = None  # why it was not found, when more can be said than "no figure"


Analyze = Callable[[str], list[str]]


def find_operands(
    asked: DerivedQuestion,
    cells: Sequence[PieceCell],
    *,
    analyze: Analyze,
    idf: Callable[[str], float] | None,
) -> Search:
    """The cells a derived question's operands are (see the module docstring)."""
    numeric = [pc for pc in cells if pc.cell.value is not None]
    if asked.operation == "count":
        return _count_cells(asked, numeric, analyze, idf)
    if asked.items:
        return _by_item(asked, numeric, analyze, idf)
    return _by_period(asked, numeric, analyze, idf)


def _years_of(pc: PieceCell) -> tuple[int, ...]:
    return column_years(pc)


def table_years(cells: Sequence[PieceCell]) -> list[int]:
    """The years the cells' columns stand for, oldest first."""
    return sorted({y for pc in cells for y in _years_of(pc)})


def _locate(
    words: str,
    year: int | None,
    cells: Sequence[PieceCell],
    analyze: Analyze,
    idf: Callable[[str], float] | None,
    *,
    percent: bool,
    exclude: set[RowKey] | None = None,
) -> tuple[PieceCell, float, float] | None:
    """The cell an operand's words and year name: its row, then the row's cell for the year."""
    row = find_row(words, cells, analyze=analyze, idf=idf, exclude=exclude)
    if row is None:
        return None
    cell = cell_in_row(row.cells, year, percent=percent, words=words, analyze=analyze)
    if cell is None:
        return None
    return cell, row.match, row.margin


def _column(pc: PieceCell) -> tuple[str, int, int]:
    return (pc.doc, pc.piece.number, pc.cell.column)


def _by_period(
    asked: DerivedQuestion, cells: Sequence[PieceCell], analyze: Analyze, idf: Callable[[str], float] | None
) -> Search:
    """One row, its cells in the columns of the years asked (every year of the row when none is named for a
    total or an average; the row's two years when none is named for a change)."""
    subject = asked.subject
    years = list(asked.years)
    row = find_row(subject, cells, analyze=analyze, idf=idf)
    if row is None:
        return Search((), subject)
    if not years:
        years = sorted({y for pc in row.cells if pc.cell.value is not None for y in _years_of(pc)})
        if asked.operation in ("change", "percentage change") and len(years) != 2:
            why = f"the question names no years and the row has {len(years)}"
            return Search((), f"{subject}: the years to compare", why)
        if len(years) < 2:
            return Search((), f"{subject}: the periods to combine")
    if asked.operation in ("change", "percentage change"):
        years = sorted(years)  # the earlier first: a change runs from it to the later
    found: list[FoundOperand] = []
    for year in years:
        pc = cell_in_row(row.cells, year, percent=asked.percent_operands, words=subject, analyze=analyze)
        if pc is None:
            return Search(tuple(found), f"{subject}, {year}")
        found.append(FoundOperand(f"{subject}, {year}", pc, row.match, row.margin))
    if len({_column(f.cell) for f in found}) < len(found):
        return Search((), f"{subject}: one figure per year")
    return Search(tuple(found))


def _by_item(
    asked: DerivedQuestion, cells: Sequence[PieceCell], analyze: Analyze, idf: Callable[[str], float] | None
) -> Search:
    """One cell per item, in the period asked (the latest year of the table when none is asked and the
    columns are years); a share's whole is looked for as a total first, else the total of the part's row
    or column."""
    year = asked.years[-1] if asked.years else None
    if year is None:
        known = table_years(cells)
        year = known[-1] if known else None
    found: list[FoundOperand] = []
    for n, item in enumerate(asked.items):
        name = f"{item}, {year}" if asked.years else item
        if n == 1 and asked.operation == "share":
            whole = _whole(item, found[0].cell, cells, analyze, idf)
            if whole is None:
                return Search(tuple(found), name)
            found.append(FoundOperand(name, whole[0], whole[1], whole[2]))
            continue
        hit = _locate(item, year, cells, analyze, idf, percent=asked.percent_operands)
        if hit is None and year is not None and not asked.years:
            hit = _locate(item, None, cells, analyze, idf, percent=asked.percent_operands)
        if hit is None:
            return Search(tuple(found), name)
        found.append(FoundOperand(name, hit[0], hit[1], hit[2]))
    if asked.operation == "share" and len(found) == 1:
        below = _total_below(found[0].cell, cells)
        if below is None:
            return Search(tuple(found), "the total it is a share of")
        found.append(FoundOperand(below.cell.label, below, found[0].match, found[0].margin))
    if len({(row_key(f.cell), f.cell.cell.column) for f in found}) < len(found):
        return Search((), asked.items[-1], "it matched the same figure as another operand")
    return Search(tuple(found))


def _whole(
    words: str,
    part: PieceCell,
    cells: Sequence[PieceCell],
    analyze: Analyze,
    idf: Callable[[str], float] | None,
) -> tuple[PieceCell, float, float] | None:
    """The whole a part is a share of: the part row's "Total" column when the words name the part's own row
    ("operating leases of more than 5 years in the total operating leases"); else, in the part's column,
    the row the words name as a total ("total product sales" for "product sales"), else the row they name."""
    own = find_row(words, cells, analyze=analyze, idf=idf)
    if own is not None and row_key(own.cells[0]) == row_key(part):
        totals = [
            pc
            for pc in own.cells
            if pc.cell.value is not None and pc is not part and _TOTAL_HEADER.search(pc.cell.column_header)
        ]
        return (totals[0], own.match, own.margin) if len(totals) == 1 else None
    years = column_years(part)
    year = years[0] if years else None
    exclude = {row_key(part)}
    tries = [words] if _TOTAL.match(words) else [f"total {words}", words]
    for text in tries:
        row = find_row(text, cells, analyze=analyze, idf=idf, exclude=exclude)
        if row is None:
            continue
        same = [pc for pc in row.cells if pc.cell.column == part.cell.column and pc.cell.value is not None]
        cell = same[0] if len(same) == 1 else cell_in_row(row.cells, year, percent=part.cell.unit == "%")
        if cell is not None:
            return cell, row.match, row.margin
    return None


def _total_below(part: PieceCell, cells: Sequence[PieceCell]) -> PieceCell | None:
    """The first total row below a cell, in its column."""
    below = [
        pc
        for pc in cells
        if _column(pc) == _column(part)
        and pc.cell.row > part.cell.row
        and _TOTAL.match(pc.cell.label.split(" – ")[-1])
    ]
    return min(below, key=lambda pc: pc.cell.row, default=None)


def _count_cells(
    asked: DerivedQuestion, cells: Sequence[PieceCell], analyze: Analyze, idf: Callable[[str], float] | None
) -> Search:
    """The cells a count looks at: the row's cells across its years ("how many years did X exceed ..."), or
    the column's cells of the year asked, totals left out ("how many segments were above ... in 2019")."""
    years = list(asked.years)
    known = table_years(cells)
    probe = years[-1] if years else (known[-1] if known else None)
    if asked.items == ("columns",):
        found = find_row(asked.subject, cells, analyze=analyze, idf=idf)
        if found is None:
            return Search((), asked.subject)
        match, margin = found.match, found.margin
        row = [pc for pc in found.cells if _years_of(pc) and pc.cell.value is not None]
        if len(years) >= 2:
            lo, hi = min(years), max(years)
            row = [pc for pc in row if lo <= _years_of(pc)[0] <= hi]
        if len({_years_of(pc) for pc in row}) != len(row) or not row:
            return Search((), f"{asked.subject}: one figure per year")
        return Search(
            tuple(FoundOperand(f"{asked.subject}, {_years_of(pc)[0]}", pc, match, margin) for pc in row)
        )
    if probe is None:
        return Search((), f"{asked.subject}: the year to count in")
    column = [pc for pc in cells if _years_of(pc) == (probe,)]
    if not column:
        return Search((), f"{asked.subject}, {probe}")
    key = _column(column[0])
    rows = [pc for pc in column if _column(pc) == key and not _SUMMARY.match(pc.cell.label.split(" – ")[-1])]
    # "components of deferred tax assets": the rows of the section whose label holds all the words; a table
    # in sections none of which is named is not counted across them
    wanted = set(analyze(_COUNTED.sub(" ", asked.subject)))
    sectioned = [pc for pc in rows if len(pc.cell.row_label) > 1]
    section = [pc for pc in sectioned if wanted and wanted <= set(analyze(pc.cell.row_label[0]))]
    if section:
        rows = section
    elif sectioned:
        return Search((), f"{asked.subject}: the section to count in")
    return Search(tuple(FoundOperand(f"{pc.cell.label}, {probe}", pc, 1.0, 0.0) for pc in rows))
