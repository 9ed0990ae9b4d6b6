"""Every cell of a table as a figure: its row label path, column header path, period, unit, scale and value."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from assistant.figures.extraction import Figure
from assistant.tables.model import Table, body_headers, row_labels
from assistant.tables.units import UnitNote, read_unit

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DATE = re.compile(
    rf"\b(?P<month>{_MONTHS})\.?\s+(?P<day>\d{{1,2}}),?\s+(?P<year>(?:19|20)\d{{2}})\b"
    rf"|\b(?P<day2>\d{{1,2}})\s+(?P<month2>{_MONTHS})\.?,?\s+(?P<year2>(?:19|20)\d{{2}})\b",
    re.IGNORECASE,
)
_QUARTER = re.compile(
    r"\b(?:Q(?P<q>[1-4])|(?P<qw>first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter)"
    r"(?:\s*(?:of\s+)?(?:FY\s?|fiscal\s+)?['’]?(?P<year>(?:19|20)?\d{2}))?\b",
    re.IGNORECASE,
)
_YEAR = re.compile(
    r"(?<![\d.,$€£])(?:FY\s?|fiscal\s+(?:year\s+)?)?['’]?((?:19|20)\d{2})(?![\d.,%])", re.IGNORECASE
)
_SPLIT_YEAR = re.compile(r"\b((?:19|20)\d{2})\s*/\s*((?:19|20)?\d{2})\b")
_SHORT_FY = re.compile(r"\bFY?\s?['’]?(\d{2})\b(?![.,]\d)")
_QUARTER_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_CHANGE = re.compile(
    r"\bvs\.?\b|\bversus\b|\bchanges?\b|\bgrowth\b|\bvariance\b|\bincrease\b|\bdecrease\b|\bdifference\b",
    re.I,
)
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


@dataclass(frozen=True, slots=True)
class Period:
    """A period a header names: its years, and a quarter or a day when it names one."""

    text: str
    years: tuple[int, ...] = ()
    quarter: int | None = None
    date: str | None = None  # "december 31" (lower case, month spelled out as written)
    change: bool = False  # "2019 vs 2018", "% change": a comparison of periods, not one
    # a movement column between an opening and a closing balance ("Dec 29, 2018 | Acquisitions | Other |
    # Dec 28, 2019"): what happened during the period the closing column ends
    during: bool = False

    def __bool__(self) -> bool:
        return bool(self.years or self.quarter or self.date)


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


def read_period(text: str) -> Period:
    """The period a header names: "2019", "FY2019", "Q3 2023", "December 31, 2019", "2019 vs 2018"."""
    change = bool(_CHANGE.search(text))
    date = _DATE.search(text)
    if date:
        month = (date.group("month") or date.group("month2")).lower()[:3]
        day = int(date.group("day") or date.group("day2"))
        on = tuple(int(y) for y in _YEAR.findall(text)) or (int(date.group("year") or date.group("year2")),)
        return Period(f"{date.group(0)}", on, None, f"{month} {day}", change)
    quarter = _QUARTER.search(text)
    split = _SPLIT_YEAR.search(text)
    if split and not quarter:  # "2018/2019", "2018/19": one fiscal year, named by the year it ends in
        end = split.group(2)
        ends = int(end) if len(end) == 4 else 100 * (int(split.group(1)) // 100) + int(end)
        return Period(split.group(0), (ends,), None, None, change)
    years = [int(y) for y in _YEAR.findall(text)]
    years += [2000 + int(y) for y in _SHORT_FY.findall(text)]
    if quarter:
        q = int(quarter.group("q")) if quarter.group("q") else _QUARTER_WORDS[quarter.group("qw").lower()]
        short = quarter.group("year")
        if short and len(short) == 2:
            years.append(2000 + int(short))
        shown = quarter.group(0)
        if years and str(years[0]) not in shown:
            shown = f"{shown} {years[0]}"
        return Period(shown, tuple(dict.fromkeys(years)), q, None, change)
    if years:
        shown = (
            " vs ".join(str(y) for y in dict.fromkeys(years)) if change and len(years) > 1 else str(years[0])
        )
        return Period(shown, tuple(dict.fromkeys(years)), None, None, change)
    return Period("", (), None, None, change)


def _movements(periods: list[Period]) -> list[Period]:
    """Columns without a period between an opening and a later closing column (a roll-forward: "Dec 29,
    2018 | Acquisitions | Transfers | Dec 28, 2019") take the closing column's period, marked `during`."""
    dated = [c for c in range(1, len(periods)) if periods[c] and not periods[c].change]
    if len(dated) != 2 or dated[1] - dated[0] < 2:
        return periods
    first, last = periods[dated[0]], periods[dated[1]]
    if not first.years or not last.years or (first.years, first.date) == (last.years, last.date):
        return periods
    if max(first.years) > max(last.years):
        return periods
    out = list(periods)
    for c in range(dated[0] + 1, dated[1]):
        if not periods[c] and not periods[c].change:
            out[c] = Period(last.text, last.years, last.quarter, last.date, False, True)
    return out


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
        periods = _movements([known[h][0] for h in headers])
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
