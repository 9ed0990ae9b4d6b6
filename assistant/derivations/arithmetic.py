"""Exact arithmetic on cited figures: Decimal values read as written, results with the formula that made them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

SCALE_FACTORS = {"thousand": Decimal(10**3), "million": Decimal(10**6), "billion": Decimal(10**9)}
PERCENT_PLACES = 2  # a percentage is shown with two decimals: +9.74 percent
RATIO_PLACES = 2  # and so is a ratio: 2.93

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?|\.\d+")
_NEGATIVE = re.compile(r"\(\s*[$€£¥]?\s*[\d.,]+\s*%?\s*\)|^[\-–—−]\s*[$€£¥]?\s*[\d.,]")


def exact_value(text: str) -> Decimal | None:
    """The signed number a figure's text writes, exactly: "(3.1)" -> -3.1, "$ 1,450" -> 1450, "12.5%" -> 12.5."""
    numbers = _NUMBER.findall(text)
    if len(numbers) != 1:
        return None
    try:
        value = Decimal(numbers[0].replace(",", ""))
    except InvalidOperation:
        return None
    return -value if _NEGATIVE.search(text.strip()) else value


def places(value: Decimal) -> int:
    """How many decimals a value is written with (0 for an integer)."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def rounded(value: Decimal, decimals: int) -> Decimal:
    """Half-up rounding to a number of decimals, as reports round."""
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def written(value: Decimal) -> str:
    """A value with thousands separators, its decimals as they are: 4421.8 -> "4,421.8", -78816 -> "-78,816"."""
    decimals = places(value)
    return f"{value:,.{decimals}f}"


def signed(value: Decimal) -> str:
    """A change as users read it: "+392.5", "-21.7", "0"."""
    text = written(value)
    return f"+{text}" if value > 0 else text


def term(value: Decimal) -> str:
    """An operand inside a formula: a negative one in parentheses so that "5 - (-3.1)" reads right."""
    return f"({written(value)})" if value < 0 else written(value)


def rescale(value: Decimal, scale: str | None, to: str | None) -> Decimal:
    """A value written in one scale, written in another ("60.3" million -> "60300.0" thousand)."""
    if scale == to or scale is None or to is None:
        return value
    return value * SCALE_FACTORS[scale] / SCALE_FACTORS[to]


def change(old: Decimal, new: Decimal) -> tuple[Decimal, str]:
    """The change from old to new (new - old) and its formula."""
    return new - old, f"{term(new)} - {term(old)}"


def percentage_change(old: Decimal, new: Decimal) -> tuple[Decimal, str] | None:
    """(new - old) / old x 100 and its formula; None when old is zero."""
    if old == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 28
        value = (new - old) / old * 100
    return value, f"({term(new)} - {term(old)}) / {term(old)} x 100"


def total(values: Sequence[Decimal]) -> tuple[Decimal, str]:
    """The sum and its formula."""
    return sum(values, Decimal(0)), " + ".join(term(v) for v in values)


def average(values: Sequence[Decimal]) -> tuple[Decimal, str]:
    """The mean and its formula."""
    with localcontext() as ctx:
        ctx.prec = 28
        value = sum(values, Decimal(0)) / len(values)
    return value, f"({' + '.join(term(v) for v in values)}) / {len(values)}"


def ratio(part: Decimal, whole: Decimal, *, percent: bool) -> tuple[Decimal, str] | None:
    """part / whole (x 100 when a percentage) and its formula; None when whole is zero."""
    if whole == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 28
        value = part / whole * (100 if percent else 1)
    return value, f"{term(part)} / {term(whole)}" + (" x 100" if percent else "")
