"""The period a table header names: "2019", "FY2019", "Q3 2023", "December 31, 2019", "2019 vs 2018"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.text.patterns import CENTURY, PERIOD_YEAR

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DATE = re.compile(
    rf"\b(?P<month>{_MONTHS})\.?\s+(?P<day>\d{{1,2}}),?\s+(?P<year>{PERIOD_YEAR})\b"
    rf"|\b(?P<day2>\d{{1,2}})\s+(?P<month2>{_MONTHS})\.?,?\s+(?P<year2>{PERIOD_YEAR})\b",
    re.IGNORECASE,
)
_QUARTER = re.compile(
    r"\b(?:Q(?P<q>[1-4])|(?P<qw>first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter)"
    rf"(?:\s*(?:of\s+)?(?:FY\s?|fiscal\s+)?['’]?(?P<year>{CENTURY}?\d{{2}}))?\b",
    re.IGNORECASE,
)
_YEAR = re.compile(
    rf"(?<![\d.,$€£])(?:FY\s?|fiscal\s+(?:year\s+)?)?['’]?({PERIOD_YEAR})(?![\d.,%])", re.IGNORECASE
)
_SPLIT_YEAR = re.compile(rf"\b({PERIOD_YEAR})\s*/\s*({CENTURY}?\d{{2}})\b")
_SHORT_FY = re.compile(r"\bFY?\s?['’]?(\d{2})\b(?![.,]\d)")
_QUARTER_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_CHANGE = re.compile(
    r"\bvs\.?\b|\bversus\b|\bchanges?\b|\bgrowth\b|\bvariance\b|\bincrease\b|\bdecrease\b|\bdifference\b",
    re.I,
)


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


def movements(periods: list[Period]) -> list[Period]:
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
