"""A table as the loaders read it: a grid of cell texts with its header rows, caption and unit note."""

from __future__ import annotations

from dataclasses import dataclass


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


@dataclass(frozen=True, slots=True)
class PlacedTable:
    """A table and the span [start, end) of its text in the document."""

    start: int
    end: int
    table: Table


def rectangular(rows: list[list[str]]) -> tuple[tuple[str, ...], ...]:
    """Rows padded with empty cells to the widest row, cell texts stripped; empty rows dropped."""
    width = max((len(r) for r in rows), default=0)
    grid = [tuple(c.strip() for c in r) + ("",) * (width - len(r)) for r in rows]
    return tuple(r for r in grid if any(r))


def table_text(table: Table) -> str:
    """The table as plain text: the caption, then one line per row with cells between " | "."""
    lines = [table.caption] if table.caption else []
    lines.extend(" | ".join(row) for row in table.grid)
    return "\n".join(lines)
