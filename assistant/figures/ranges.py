"""Ranges and scores after a number: "10 to 15 percent", "between 3 and 5 million", "1629–1631", "24–10"."""

from __future__ import annotations

from assistant.figures import vocabulary as vocab
from assistant.figures.patterns import DAY_OF_MONTH, FROM, NUMERAL, RANGE
from assistant.figures.prefix import Prefix
from assistant.figures.values import glued_scale, numeral_value, scale_at, words_value


def read_range(
    text: str,
    p: int,
    base: float | None,
    scale: float,
    currency: str | None,
    pre: Prefix,
    *,
    token: str,
    year_like: bool,
) -> tuple[int, float | None, float, bool] | None:
    """(end, value, range_to, is_score) for a range whose separator starts at p, or None."""
    m = RANGE.match(text, p)
    if m is None or base is None:
        return None
    sep = m.group("sep").strip()
    if m.group("cur") and vocab.CURRENCY_PREFIXES.get(m.group("cur")) != currency:
        return None
    # "rose from 10 to 15 percent" is a change between two figures; "from 1562 to 1598" is a period
    if (sep == "and" and pre.between is None) or (
        sep in ("to", "through") and FROM.search(pre.before) and not year_like
    ):
        return None
    end, second_scale = m.end(), 1.0
    second_token = m.group("num") or ""
    if second_token:
        if not NUMERAL.fullmatch(second_token) or text[end : end + 1] in ("/", ":"):
            return None
        second = numeral_value(second_token)
        if second_sfx := m.group("sfx"):
            glued = glued_scale(second_sfx, currency)
            if glued is not None:
                second_scale = glued
            elif vocab.lookup_unit(second_sfx) is not None and second_sfx not in ("pt", "pts"):
                end = m.end("num")  # the unit ("%") is read by the caller and applies to both ends
            else:
                return None
    else:
        second = words_value(m.group("words"))
    # "12–15 June 2021", "between 12 and 15 June": days of a date span, read as dates
    if second is None or DAY_OF_MONTH.match(text, end):
        return None
    if second_scale == 1.0:
        second_scale, end = scale_at(text, end, currency)
    if scale == 1.0 and second_scale != 1.0:
        base *= second_scale  # "between 3 and 5 million": the scale belongs to both ends
    upper = second * second_scale
    dash = sep in ("-", "–", "‐", "")
    if year_like and dash and len(second_token) == 2:  # "2011–12"
        upper = base // 100 * 100 + second
        return end, base, upper + 100 if upper <= base else upper, False
    if upper >= base:
        return end, base, upper, False
    if dash and token.isdigit() and second_token.isdigit() and scale == second_scale == 1.0 and not currency:
        return end, base, upper, True
    return None  # "outnumbered the French 20 to 1": a ratio, two figures
