"""Locate an operand in the cited tables: the row its words name (idf-weighted F1 against row labels, a clear
lead over other rows required), then the row's cell in the column of a year."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.tables.matches import PieceCell
from assistant.text.patterns import PERIOD_YEAR

Analyze = Callable[[str], list[str]]
Idf = Callable[[str], float] | None

# a row needs this match (F1 of the operand's words against its label) and this lead over the next row with
# other figures; else the operand is not found
MIN_ROW_MATCH = 0.5
MIN_ROW_MARGIN = 0.05
# or a weaker match that stands far ahead of every other row ("total income from continuing operations"
# names the table's "Total" row when the table is about that income)
MIN_CLEAR_MATCH = 0.3
MIN_CLEAR_MARGIN = 0.25
PHRASE_BONUS = 0.15  # the row's label stands whole in the operand's words
PARENT_WEIGHT = (
    0.25  # a section's words weigh a quarter in a row label: "Total" under "Liabilities" is a total
)

_SPACED_YEAR = re.compile(r"\b([12]) ([09]) (\d) (\d)\b")  # "2 0 1 8", as some reports set a year
_YEAR = re.compile(rf"(?<![\d.,]){PERIOD_YEAR}(?![\d.,%])")
_SHORT_FY = re.compile(r"\bF[Y]?\s?['’]?(\d{2})\b", re.IGNORECASE)
_CHANGE = re.compile(
    r"\bchange\b|\bvs\.?\b|\bversus\b|\bvariance\b|%\s*change|\bincrease\b|\bdecrease\b", re.I
)
_PERIOD_WORDS = (
    "year years fiscal fy quarter month months ended ending end period as at of december january february "
    "march april may june july august september october november amount value"
)


@dataclass(frozen=True, slots=True)
class Located:
    """A row found for an operand's words: its cells, its match and its lead over the next row."""

    cells: tuple[PieceCell, ...]
    match: float
    margin: float


RowKey = tuple[str, int, int]


def row_key(pc: PieceCell) -> RowKey:
    return (pc.doc, pc.piece.number, pc.cell.row)


def column_years(pc: PieceCell) -> tuple[int, ...]:
    """The one year a cell's column stands for ("2019", "December 31, 2 0 1 9", "FY19"), or () for a
    comparison column or one naming no year or several."""
    period = pc.cell.period
    if period.change or period.during or _CHANGE.search(pc.cell.column_header):
        return ()
    if len(period.years) == 1:
        return period.years
    years = _years_in(pc.cell.column_header)
    if not years:
        years = _years_in(_year_row_above(pc))
    return (years.pop(),) if len(years) == 1 else ()


def _years_in(text: str) -> set[int]:
    text = _SPACED_YEAR.sub(r"\1\2\3\4", text)
    return {int(y) for y in _YEAR.findall(text)} | {2000 + int(y) for y in _SHORT_FY.findall(text)}


def _year_row_above(pc: PieceCell) -> str:
    """The cell of the nearest row above in the same column that holds only years, when the table reader
    left such a row in the body ("2019 | 2018" under a "December 31" header); "" when none."""
    table = pc.piece.table
    at = pc.cell.row - pc.piece.first_row + table.header_rows  # the cell's row in the piece's grid
    for r in range(min(at, len(table.grid)) - 1, -1, -1):
        row = table.grid[r]
        texts = [c for c in row[1:] if c.strip()]
        if texts and all(
            _years_in(c) and not re.sub(r"[\s\d,.$€£%()FYfy'’-]", "", _YEAR.sub("", c)) for c in texts
        ):
            return row[pc.cell.column] if pc.cell.column < len(row) else ""
    return ""


def find_row(
    words: str, cells: Sequence[PieceCell], *, analyze: Analyze, idf: Idf, exclude: set[RowKey] | None = None
) -> Located | None:
    """The row whose label the words name best, when it matches well and clearly; None otherwise."""
    terms = _terms(words, analyze)
    if not terms:
        return None
    scores = row_scores(words, terms, cells, analyze=analyze, idf=idf)
    rows: dict[RowKey, list[PieceCell]] = {}
    for pc in cells:
        rows.setdefault(row_key(pc), []).append(pc)
    ranked = sorted((k for k in scores if not exclude or k not in exclude), key=lambda k: -scores[k])
    if not ranked:
        return None
    best = ranked[0]
    values = tuple(pc.cell.text for pc in rows[best])
    rival = max(
        (scores[k] for k in ranked[1:] if tuple(pc.cell.text for pc in rows[k]) != values), default=0.0
    )
    match, margin = scores[best], scores[best] - rival
    clear = match >= MIN_CLEAR_MATCH and margin >= MIN_CLEAR_MARGIN
    if not clear and (match < MIN_ROW_MATCH or margin < MIN_ROW_MARGIN):
        return None
    return Located(tuple(rows[best]), match, margin)


def _terms(words: str, analyze: Analyze) -> list[str]:
    period = set(analyze(_PERIOD_WORDS))
    text = _YEAR.sub(" ", words)
    return [t for t in dict.fromkeys(analyze(text)) if t not in period]


def row_scores(
    words: str, terms: Sequence[str], cells: Sequence[PieceCell], *, analyze: Analyze, idf: Idf
) -> dict[RowKey, float]:
    """Each row's match: F1 of the words against the row label (a section's words at half weight), idf
    weighted; words only the table's headers or caption hold are left out of the recall."""

    def weight(t: str) -> float:
        return 1.0 + (idf(t) if idf else 0.0)

    period = set(analyze(_PERIOD_WORDS))
    lowered = " ".join(words.lower().split())
    wanted_total = sum(weight(t) for t in terms)
    heads: dict[tuple[str, int], set[str]] = {}
    out: dict[RowKey, float] = {}
    for pc in cells:
        key = row_key(pc)
        if key in out:
            continue
        table = pc.piece.table
        if key[:2] not in heads:
            head = " ".join(" ".join(r) for r in table.grid[: table.header_rows])
            heads[key[:2]] = set(analyze(f"{head} {table.caption}"))
        label = pc.cell.row_label
        if not any(label):
            label = _unlabelled_total(pc)
        own = set(analyze(_plain(label[-1] if label else ""))) - period
        parents = set(analyze(_plain(" ".join(label[:-1])))) - period - own
        if not own:
            out[key] = 0.0
            continue
        explained = heads[key[:2]]
        wanted = [t for t in terms if t in own or t in parents or t not in explained]
        total = sum(weight(t) for t in wanted) or wanted_total
        hit = sum(weight(t) for t in wanted if t in own) + sum(weight(t) for t in wanted if t in parents)
        covered = sum(weight(t) for t in own if t in terms) + PARENT_WEIGHT * sum(
            weight(t) for t in parents if t in terms
        )
        size = sum(weight(t) for t in own) + PARENT_WEIGHT * sum(weight(t) for t in parents)
        precision = covered / size if size else 0.0
        recall = hit / total if total else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        phrase = _plain(label[-1]).lower().strip() if label else ""
        if len(phrase) > 3 and re.search(rf"\b{re.escape(phrase)}\b", lowered):
            f1 += PHRASE_BONUS
        out[key] = f1
    return out


def label_of(pc: PieceCell) -> str:
    """A cell's row label as the working shows it: "Inventories – Total" for a total row left unlabelled."""
    label = pc.cell.row_label if any(pc.cell.row_label) else _unlabelled_total(pc)
    return " – ".join(p for p in label if p)


def _unlabelled_total(pc: PieceCell) -> tuple[str, ...]:
    """A row without a label under a section's rows is the section's total, as statements set it under a
    rule: ("Long-lived assets", "Total"); () when no section row stands above it."""
    table = pc.piece.table
    at = pc.cell.row - pc.piece.first_row + table.header_rows
    for r in range(min(at, len(table.grid)) - 1, table.header_rows - 1, -1):
        row = table.grid[r]
        if row and row[0].strip() and not any(c.strip() for c in row[1:]):
            return (row[0].strip().rstrip(":"), "Total")
    return ()


def _plain(label: str) -> str:
    """A row label without footnote marks and parenthesised notes: "Revenue (1)" -> "Revenue"."""
    return re.sub(r"(?<=[a-z])\d{1,2}\b|\(\d{1,2}(?:,\d{1,2})*\)|\*+", " ", label)


def cell_in_row(
    row: Sequence[PieceCell],
    year: int | None,
    *,
    percent: bool,
    words: str = "",
    analyze: Analyze | None = None,
) -> PieceCell | None:
    """The row's figure for a year (with no year: of the columns naming none): of several, a percentage only
    when the operand is one, then the column whose header shares most of the words, then the year's first
    column when it is not a percentage; None when none or still several."""
    numeric = [pc for pc in row if pc.cell.value is not None]
    if year is None:
        undated = [pc for pc in numeric if not column_years(pc)]
        candidates = undated or numeric
    else:
        candidates = [pc for pc in numeric if column_years(pc) == (year,)]
    if len({pc.cell.text for pc in candidates}) > 1:
        kind = [pc for pc in candidates if (pc.cell.unit == "%") == percent]
        candidates = kind or candidates
    if len({pc.cell.text for pc in candidates}) > 1 and words and analyze is not None:
        wanted = set(analyze(words))
        shared = {
            id(pc): len(wanted & set(analyze(_YEAR.sub(" ", pc.cell.column_header)))) for pc in candidates
        }
        most = max(shared.values())
        if most:
            candidates = [pc for pc in candidates if shared[id(pc)] == most]
    if len({pc.cell.text for pc in candidates}) > 1:
        first = min(candidates, key=lambda pc: pc.cell.column)  # "Amount" before "% of total"
        return first if year is not None and not percent and first.cell.unit != "%" else None
    return candidates[0] if candidates else None
