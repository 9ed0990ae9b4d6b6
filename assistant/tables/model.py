"""A table as the loaders read it: a grid of cell texts with its header rows, caption and unit note."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


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
    """The part of a table a chunk holds: the table's header rows and a run of whole body rows.

    `table` has the full table's caption, unit note and header rows, then the piece's body rows;
    `number` is the table's place among the document's tables (0 = first), `first_row` the grid index
    in the full table of the piece's first body row.
    """

    table: Table
    number: int
    first_row: int

    def grid_row(self, row: int) -> int:
        """The full table's grid index of this piece's grid row `row` (a body row)."""
        return self.first_row + row - self.table.header_rows

    def to_json(self) -> dict[str, Any]:
        return {"table": self.table.to_json(), "number": self.number, "first_row": self.first_row}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TablePiece:
        return cls(Table.from_json(data["table"]), int(data["number"]), int(data["first_row"]))


def rectangular(rows: list[list[str]]) -> tuple[tuple[str, ...], ...]:
    """Rows padded with empty cells to the widest row, cell texts on one line and stripped; empty rows dropped."""
    width = max((len(r) for r in rows), default=0)
    grid = [tuple(" ".join(c.split()) for c in r) + ("",) * (width - len(r)) for r in rows]
    return tuple(r for r in grid if any(r))


_NUMBERISH = re.compile(r"^[\s$€£¥(+\-–—]*\d[\d,.\s]*%?\)?\s*[a-zA-Z%]{0,3}$")
_YEAR = re.compile(r"^(?:FY\s?|fiscal\s+)?(?:19|20)\d{2}\b", re.IGNORECASE)


def is_value(text: str) -> bool:
    """Whether a cell holds a figure rather than a label or a header ("1,450", "(3.1)", "12%", "$ 5")."""
    return bool(_NUMBERISH.match(text)) and not _YEAR.match(text.strip())


def infer_header_rows(grid: tuple[tuple[str, ...], ...], marked: int = 0) -> int:
    """How many leading rows are column headers: those the format marks (<th>, <thead>, a pipe table's first
    row) and any unmarked rows after them before the first row with a figure beyond its label (at most
    four in all, and at least one)."""
    guess = 1
    for i, row in enumerate(grid[:5]):
        if any(is_value(c) for c in row[1:]):
            guess = max(1, i)
            break
    return max(1, min(max(marked, guess), len(grid) - 1 if len(grid) > 1 else 1))


def column_headers(table: Table) -> list[str]:
    """Each column's header path joined with spaces (a spanning header once, then the level below)."""
    out = []
    for col in range(table.width):
        parts: list[str] = []
        for row in table.grid[: table.header_rows]:
            text = row[col]
            if text and text not in parts:
                parts.append(text)
        out.append(" ".join(parts))
    return out


def row_labels(table: Table) -> list[tuple[str, ...]]:
    """Each body row's label path: section rows (a label and nothing else) stand as parents of the rows below,
    until the next section or a total row."""
    labels: list[tuple[str, ...]] = []
    section = ""
    for row in table.body:
        label = row[0] if row else ""
        rest = any(c for c in row[1:])
        if label and not rest:
            section = label.rstrip(":")
            labels.append((label,))
            continue
        labels.append((section, label) if section and label else (label,))
        if label.lower().startswith("total"):
            section = ""
    return labels


def row_line(table: Table, body_row: int, headers: list[str] | None = None) -> str:
    """A body row as text that names its cells: "Revenue: 2023 1,450; 2022 1,200"."""
    headers = headers if headers is not None else column_headers(table)
    row = table.body[body_row]
    label = " – ".join(p for p in row_labels(table)[body_row] if p)
    cells = [f"{headers[c]} {row[c]}".strip() for c in range(1, len(row)) if row[c]]
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
    headers = column_headers(table)
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
