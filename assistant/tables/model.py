"""A table as the loaders read it: a grid of cell texts with its header rows, caption and unit note."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from assistant.tables.periods import read_period
from assistant.text.patterns import PERIOD_YEAR


@dataclass(frozen=True, slots=True)
class Table:
    """A rectangular grid of cell texts, spans expanded (a merged cell's text repeats in every slot it covers).

    The first `header_rows` rows are column headers (several levels when more than one); the first column
    holds row labels. `caption` is the table's title or caption, `unit_note` a note such as "in thousands"
    or "$'000" found with the table.
    """

    grid: tuple[tuple[str, ...], ...]
    header_rows: int = 1
    caption: str = ""
    unit_note: str = ""

    @property
    def width(self) -> int:
        return len(self.grid[0]) if self.grid else 0

    @property
    def body(self) -> tuple[tuple[str, ...], ...]:
        return self.grid[self.header_rows :]

    def to_json(self) -> dict[str, Any]:
        return {
            "grid": [list(r) for r in self.grid],
            "header_rows": self.header_rows,
            "caption": self.caption,
            "unit_note": self.unit_note,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Table:
        return cls(
            tuple(tuple(str(c) for c in r) for r in data["grid"]),
            int(data.get("header_rows", 1)),
            str(data.get("caption", "")),
            str(data.get("unit_note", "")),
        )


@dataclass(frozen=True, slots=True)
class PlacedTable:
    """A table and the span [start, end) of its text in the document."""

    start: int
    end: int
    table: Table


@dataclass(frozen=True, slots=True)
class TablePiece:
    """The part of a table a chunk holds: the headers in force and a run of whole body rows.

    `table` has the full table's caption and unit note, the header rows in force at the piece's first row
    (the table's, or a block's repeated inside the body), the section row above it when there is one, then
    the piece's body rows; `number` is the table's place among the document's tables (0 = first), `rows`
    the full table's grid index of each of the piece's body rows.
    """

    table: Table
    number: int
    rows: tuple[int, ...]

    @property
    def first_row(self) -> int:
        return self.rows[0] if self.rows else self.table.header_rows

    def grid_row(self, row: int) -> int:
        """The full table's grid index of this piece's grid row `row` (a body row)."""
        return self.rows[row - self.table.header_rows]

    def local_row(self, grid_row: int) -> int:
        """This piece's grid index of the full table's grid row `grid_row` (one of the piece's rows)."""
        return self.table.header_rows + self.rows.index(grid_row)

    def to_json(self) -> dict[str, Any]:
        return {"table": self.table.to_json(), "number": self.number, "rows": list(self.rows)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TablePiece:
        return cls(Table.from_json(data["table"]), int(data["number"]), tuple(int(r) for r in data["rows"]))


def rectangular(rows: list[list[str]]) -> tuple[tuple[str, ...], ...]:
    """Rows padded with empty cells to the widest row, cell texts on one line and stripped; empty rows dropped."""
    width = max((len(r) for r in rows), default=0)
    grid = [tuple(" ".join(c.split()) for c in r) + ("",) * (width - len(r)) for r in rows]
    return tuple(r for r in grid if any(r))


_NUMBERISH = re.compile(r"^[\s$€£¥(+\-–—]*\d[\d,.\s]*%?\)?\s*[a-zA-Z%]{0,3}$")
_YEAR = re.compile(rf"^(?:FY\s?|fiscal\s+)?{PERIOD_YEAR}\b", re.IGNORECASE)


def is_value(text: str) -> bool:
    """Whether a cell holds a figure rather than a label or a header ("1,450", "(3.1)", "12%", "$ 5")."""
    return bool(_NUMBERISH.match(text)) and not _YEAR.match(text.strip())


def infer_header_rows(grid: tuple[tuple[str, ...], ...], marked: int = 0) -> int:
    """How many leading rows are column headers: those the format marks (<th>, <thead>, a pipe table's first
    row) and the unmarked rows after them, up to the last row with text beyond its label before the first
    row with a figure (a row with a label only is a section of the body). At least one, at most eight."""
    guess = 0
    for i, row in enumerate(grid[:9]):
        if any(is_value(c) for c in row[1:]):
            break
        if any(row[1:]):
            guess = i + 1
    else:
        guess = 1 if len(grid) > 9 or not guess else guess
    return max(1, min(max(marked, guess), 8, len(grid) - 1 if len(grid) > 1 else 1))


def _spread(rows: tuple[tuple[str, ...], ...]) -> list[list[str]]:
    """Header rows with spanning headers spread over the columns they head, for tables written without spans:
    a level above the last with one text beyond the label column heads them all; when texts stand in at most
    half the columns, each heads the empty slots to its right."""
    out = [list(r) for r in rows]
    for r, row in enumerate(out[:-1]):
        texts = [c for c in range(1, len(row)) if row[c]]
        if len(texts) == 1:
            for c in range(1, len(row)):
                row[c] = row[texts[0]]
            continue
        if 2 * len(texts) > len(row) - 1:
            continue
        for c in range(2, len(row)):
            if not row[c] and row[c - 1]:
                row[c] = row[c - 1]
        out[r] = row
    return out


def _joined(rows: list[list[str]], width: int) -> list[str]:
    out = []
    for col in range(width):
        parts: list[str] = []
        for row in rows:
            text = row[col] if col < len(row) else ""
            if text and text not in parts:
                parts.append(text)
        out.append(" ".join(parts))
    return out


def column_headers(table: Table) -> list[str]:
    """Each column's header path joined with spaces (a spanning header once, then the level below)."""
    return _joined(_spread(table.grid[: table.header_rows]), table.width)


def _is_inner_header(row: tuple[str, ...], known: set[str]) -> bool:
    """A body row that starts a new block of the table under new headers ("Fiscal 2018", "First | Second"):
    no figure, text beyond the label, and that text a period or a header seen before."""
    rest = [c for c in row[1:] if c]
    if not rest or any(is_value(c) for c in rest):
        return False
    return all(c in known or bool(read_period(c)) for c in rest)


def body_headers(table: Table) -> list[list[str]]:
    """Each body row's column headers: the table's, or those of the block of the table it stands in when
    header rows repeat inside the body ("Fiscal 2019" rows, then "Fiscal 2018" rows)."""
    top = table.grid[: table.header_rows]
    known = {c for r in top for c in r if c}
    current = column_headers(table)
    out: list[list[str]] = []
    block: list[tuple[str, ...]] = []
    for row in table.body:
        if _is_inner_header(row, known):
            block.append(row)
            current = _joined(_spread(tuple(block)), table.width)
        else:
            block = []
        out.append(current)
    return out


def piece_of(table: Table, start: int, end: int, number: int) -> TablePiece:
    """Body rows [start, end) of a table as a TablePiece: under the headers in force at `start` (a block's
    repeated header rows inside the body, when the row follows one), after the section row above it."""
    known = {c for r in table.grid[: table.header_rows] for c in r if c}
    heads: list[tuple[str, ...]] = list(table.grid[: table.header_rows])
    block: list[tuple[str, ...]] = []
    section: int | None = None
    for i, row in enumerate(table.body[:start]):
        if _is_inner_header(row, known):
            block.append(row)
            heads = list(block)
            section = None
            continue
        block = []
        label, rest = (row[0] if row else ""), any(c for c in row[1:])
        if label and not rest:
            section = i
        elif (not label and rest) or label.lower().startswith("total"):
            section = None
    lead = [section] if section is not None else []
    body = [table.body[i] for i in [*lead, *range(start, end)]]
    piece = Table((*heads, *body), len(heads), table.caption, table.unit_note)
    rows = tuple(table.header_rows + i for i in [*lead, *range(start, end)])
    return TablePiece(piece, number, rows)


def row_labels(table: Table) -> list[tuple[str, ...]]:
    """Each body row's label path: section rows (a label and nothing else) stand as parents of the rows below,
    until the next section or a total row; a row without a label under a section is that section's total."""
    labels: list[tuple[str, ...]] = []
    section = ""
    for row in table.body:
        label = row[0] if row else ""
        rest = any(c for c in row[1:])
        if label and not rest:
            section = label.rstrip(":")
            labels.append((label,))
            continue
        if not label and rest and section:
            labels.append((section, "Total"))
            section = ""
            continue
        labels.append((section, label) if section and label else (label,))
        if label.lower().startswith("total"):
            section = ""
    return labels


def row_line(table: Table, body_row: int, headers: list[list[str]] | None = None) -> str:
    """A body row as text that names its cells: "Revenue: 2023 1,450; 2022 1,200"."""
    headers_of = headers if headers is not None else body_headers(table)
    row = table.body[body_row]
    if _is_inner_header(row, {c for r in table.grid[: table.header_rows] for c in r if c}):
        return " | ".join(c for c in row if c)
    heads = headers_of[body_row]
    label = " – ".join(p for p in row_labels(table)[body_row] if p)
    cells = [f"{heads[c]} {row[c]}".strip() for c in range(1, len(row)) if row[c]]
    if not cells:
        return label
    return f"{label}: {'; '.join(cells)}" if label else "; ".join(cells)


def table_head(table: Table) -> str:
    """The caption and unit note, then the header rows with cells between " | "."""
    lines = [table.caption] if table.caption else []
    if table.unit_note and table.unit_note not in table.caption:
        lines.append(table.unit_note)
    lines.extend(" | ".join(c for c in row if c) for row in table.grid[: table.header_rows])
    return "\n".join(lines)


def table_text(table: Table) -> str:
    """The table as plain text: its head (see table_head), then one line per body row naming its cells."""
    head = table_head(table)
    lines = [head] if head else []
    headers = body_headers(table)
    lines.extend(row_line(table, i, headers) for i in range(len(table.body)))
    return "\n".join(lines)


def row_offsets(table: Table) -> list[tuple[int, int]]:
    """(start, end) of each body row's line within table_text(table)."""
    text = table_text(table)
    lines = text.split("\n")
    first = len(lines) - len(table.body)
    out, pos = [], 0
    for i, line in enumerate(lines):
        if i >= first:
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out
