"""Expand a table's rows of spanning cells (colspan, rowspan) into a rectangular grid of cell texts."""

from __future__ import annotations

from dataclasses import dataclass

MAX_SPAN = 1000  # a span beyond this is a typo or an attack, not a table


@dataclass(frozen=True, slots=True)
class SpanCell:
    """A cell as a markup language writes it: its text and how many columns and rows it covers."""

    text: str
    colspan: int = 1
    rowspan: int = 1
    header: bool = False


def span_number(value: str | None) -> int:
    """A colspan/rowspan attribute as a count of at least 1 ("2", " 3 ", "x" -> 1)."""
    try:
        n = int(str(value).strip()) if value is not None else 1
    except ValueError:
        return 1
    return min(max(n, 1), MAX_SPAN)


def expand(rows: list[list[SpanCell]]) -> tuple[list[list[str]], list[bool]]:
    """The grid with every spanning cell's text repeated in each slot it covers, and for each row whether all
    its cells are header cells."""
    grid: list[list[str | None]] = []
    headers: list[bool] = []
    pending: dict[tuple[int, int], str] = {}  # (row, column) -> text carried down by a rowspan
    for r, row in enumerate(rows):
        out: list[str | None] = []
        for cell in row:
            _carry(pending, r, out)
            for _ in range(cell.colspan):
                for below in range(1, min(cell.rowspan, len(rows) - r)):
                    pending[(r + below, len(out))] = cell.text
                out.append(cell.text)
        _carry(pending, r, out)
        grid.append(out)
        headers.append(bool(row) and all(c.header for c in row))
    return [[c or "" for c in row] for row in grid], headers


def _carry(pending: dict[tuple[int, int], str], r: int, out: list[str | None]) -> None:
    """Fill the next slots of row r taken by cells spanning down from the rows above."""
    while (r, len(out)) in pending:
        out.append(pending.pop((r, len(out))))
