"""Every cell of a table as a figure: its row label path, column header path, period, unit, scale and value."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from assistant.figures.extraction import Figure
from assistant.tables.model import Table, body_headers, row_labels
from assistant.tables.periods import Period, movements, read_period
from assistant.tables.units import UnitNote, read_unit

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?|\.\d+")
_SYMBOL = re.compile(r"^[\s(\-–—−]*(US\$|A\$|C\$|[$€£¥])")
_SYMBOLS = {"US$": "USD", "$": "USD", "A$": "AUD", "C$": "CAD", "€": "EUR", "£": "GBP", "¥": "JPY"}
_COUNT_LABEL = re.compile(
    r"\b(?:employees|headcount|staff|people|number\s+of|customers|stores|branches|offices|subscribers|users)\b",
    re.IGNORECASE,
)
_FOOTNOTE = re.compile(r"(?<=\d)\s*\(\d\)$|(?<=\d)\s+\(\d{1,2}\)$|(?<=\d)\s*\*+$")
_OWN_MEASURE = re.compile(
    r"\bper\s+(?:share|unit|employee|head|day|tonne|customer|user|subscriber)\b|\bcents\b|\bpence\b|"
    r"\b(?:in\s+)?(?:years|months|days)\)|\bratio\b|\bmultiple\b",
    re.IGNORECASE,
)
_EMPTY_VALUES = frozenset({"-", "–", "—", "n/a", "na", "nm", "n.m.", "*", "—%", "-%"})


# What a cell holds: "text" for a cell that is no figure.
CellKind = Literal["money", "percent", "number", "text"]


@dataclass(frozen=True, slots=True)
class TableCell:
    """A figure in a table: grid position, its row label path and column header path, and what it measures."""

    row: int  # grid index in the full table
    column: int
    text: str
    row_label: tuple[str, ...]
    column_header: str
    period: Period
    value: float | None
    unit: str | None
    scale: str | None
    kind: CellKind

    @property
    def label(self) -> str:
        return " – ".join(p for p in self.row_label if p)


def parse_value(text: str) -> tuple[float | None, str | None]:
    """The signed number in a cell and "%" when it is a percentage: "(3.1)" -> -3.1; "$ 1,450" -> 1450."""
    # a footnote mark after the figure ("$130,000 (1)", "6,320,000 (2)") is no part of it
    stripped = _FOOTNOTE.sub("", text.strip())
    if not stripped or stripped.lower() in _EMPTY_VALUES:
        return None, None
    numbers = _NUMBER.findall(stripped)
    if len(numbers) != 1:
        return None, None
    letters = re.sub(r"[\d,.\s$€£¥()%+\-–—−*]", "", stripped)
    if len(letters) > 3:  # "Note 12", "3 years": a number inside words is not a figure cell
        return None, None
    value = float(numbers[0].replace(",", ""))
    if re.search(r"\(\s*[$€£¥]?\s*[\d.,]+\s*%?\s*\)|^[\-–—−]\s*[$€£¥]?\s*\d", stripped):
        value = -value
    return value, "%" if "%" in stripped else None


def table_cells(table: Table) -> list[TableCell]:
    """Every non-empty body cell beyond the label column, as a figure (kind "text" when not a number)."""
    headers_of = body_headers(table)
    labels = row_labels(table)
    # a note in the header rows' label column ("($ in billions)" above the row labels), or alone in a header
    # row ("(dollars in thousands)" under one column of a header row otherwise empty), covers the table
    notes = [r[0] for r in table.grid[: table.header_rows] if r and read_unit(r[0]).scale]
    for r in table.grid[: table.header_rows]:
        texts = {c for c in r if c}
        if len(texts) == 1 and read_unit(next(iter(texts))).scale:
            notes.extend(texts)
    corner = " ".join(dict.fromkeys(notes))
    table_note = read_unit(f"{table.unit_note} {table.caption} {corner}")
    known: dict[str, tuple[Period, UnitNote]] = {}
    out = []
    for b, row in enumerate(table.body):
        headers = headers_of[b]
        for h in headers:
            if h not in known:
                known[h] = (read_period(h), read_unit(h))
        periods = movements([known[h][0] for h in headers])
        header_notes = [known[h][1] for h in headers]
        label_note = read_unit(row[0]) if row else UnitNote()
        # a count row ("Employees", "Number of stores") is not in the table's currency or scale
        # nor a row that states its own measure ("Earnings per share (cents)", "Expected term (in years)")
        own_measure = row and (_COUNT_LABEL.search(row[0]) or _OWN_MEASURE.search(row[0]))
        row_note = UnitNote() if own_measure else table_note
        for c in range(1, len(row)):
            text = row[c]
            if not text or text.lower() in _EMPTY_VALUES:  # "–", "n/a": no figure, nothing to answer with
                continue
            value, percent = parse_value(text)
            cell_note = read_unit(text) if value is not None else UnitNote()
            symbol = _SYMBOL.match(text) if value is not None else None
            if symbol and not cell_note.unit:
                cell_note = UnitNote(_SYMBOLS[symbol.group(1)], None)
            unit = percent or cell_note.unit or header_notes[c].unit or label_note.unit or row_note.unit
            scale = None
            if unit != "%":
                scale = header_notes[c].scale or label_note.scale or row_note.scale
            kind: CellKind
            if value is None:
                kind = "text"
            elif unit == "%":
                kind = "percent"
            elif unit is not None:
                kind = "money"
            else:
                kind = "number"
            out.append(
                TableCell(
                    table.header_rows + b,
                    c,
                    text,
                    labels[b],
                    headers[c],
                    periods[c],
                    value,
                    unit,
                    scale,
                    kind,
                )
            )
    return out


@dataclass(frozen=True, slots=True)
class CellRef:
    """Where a cited figure stands in its table: the table's place in the document, the row and the column
    (grid indexes, header rows included) with their label and header text."""

    table: int
    row: int
    row_label: str
    column: int
    column_header: str
    period: str | None = None
    unit: str | None = None


def cell_ref(table: int, cell: TableCell) -> CellRef:
    unit = " ".join(p for p in (cell.unit, cell.scale) if p) or None
    return CellRef(
        table, cell.row, cell.label, cell.column, cell.column_header, cell.period.text or None, unit
    )


_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9}
_CURRENCY_UNITS = {"USD": "dollar", "EUR": "euro", "GBP": "pound", "JPY": "yen"}


def cell_figure(cell: TableCell, line: str) -> Figure:
    """A table cell as a Figure placed within its row line: value scaled, percent and currency as units."""
    at = max(line.rfind(cell.text), 0)
    value = cell.value
    if value is not None and cell.scale:
        value *= _SCALES.get(cell.scale, 1.0)
    unit = "percent" if cell.unit == "%" else _CURRENCY_UNITS.get(cell.unit or "", cell.unit)
    return Figure(
        cell.text,
        at,
        at + len(cell.text),
        value,
        unit,
        cell.kind if cell.kind != "text" else "number",
        currency=cell.unit if cell.kind == "money" else None,
        period=cell.period.text or None,
        negative=value is not None and value < 0,
    )
