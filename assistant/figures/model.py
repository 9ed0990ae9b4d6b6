"""The Figure: one quantity found in a text, with its value, unit, kind and context."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal, get_args

# What a figure measures.
FigureKind = Literal[
    "money", "percent", "count", "data_size", "duration", "date", "year", "ordinal", "number"
]
KINDS: tuple[FigureKind, ...] = get_args(FigureKind)


@dataclass(frozen=True, slots=True)
class Figure:
    """One quantity in a text: `text == source[start:end]`, with its normalised value and what it measures.

    A score ("24–10") has unit "score" and keeps its second side in `range_to`; a decade ("the 1990s") is a
    year with unit "decade"; a time of day ("2:45 a.m.", "7:00 to 9:00 a.m.") is a date with unit "time of day"
    and its value in hours after midnight. `change` is "increase", "decrease" or "change", prefixed with
    "year-on-year " when the text says so.
    """

    text: str
    start: int
    end: int
    value: float | None
    unit: str | None
    kind: FigureKind
    currency: str | None = None
    qualifier: str | None = None
    range_to: float | None = None
    change: str | None = None
    period: str | None = None
    negative: bool = False

    def to_dict(self) -> dict[str, object]:
        """All fields, JSON-ready."""
        return asdict(self)


TIME_OF_DAY = "time of day"  # the unit of a time-of-day figure (kind "date", value in hours after midnight)
