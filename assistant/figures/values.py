"""The value of a number: numerals, number words, and the scale after them (" million", "bn", "m" after a currency)."""

from __future__ import annotations

import math
import re

from assistant.figures import vocabulary as vocab
from assistant.figures.patterns import CURRENCY_SCALE, SCALE_WORD


def numeral_value(token: str) -> float | None:
    value = float(token.replace(",", ""))
    return value if math.isfinite(value) else None  # "1" * 10000 is a token, but not a value


def words_value(words: str) -> float:
    total, current = 0.0, 0.0
    for w in re.findall(r"[a-z]+", words.lower()):
        if w == "a":
            current = 1.0
        elif w in vocab.SMALL:
            current += vocab.SMALL[w]
        elif w in vocab.TENS:
            current += vocab.TENS[w]
        elif w in ("hundred", "dozen"):
            current = (current or 1.0) * (100 if w == "hundred" else 12)
        elif w in vocab.SCALES:
            total += (current or 1.0) * vocab.SCALES[w]
            current = 0.0
    return total + current


def scale_at(text: str, p: int, currency: str | None) -> tuple[float, int]:
    """(scale, end) of a scale word at p: " million", " bn", and "m"/"k" after a currency."""
    if sm := SCALE_WORD.match(text, p):
        return vocab.SCALES.get(sm.group(1).lower()) or vocab.ABBREV_SCALES[sm.group(1).lower()], sm.end()
    if currency and (cm := CURRENCY_SCALE.match(text, p)):
        return vocab.CURRENCY_ABBREV_SCALES[cm.group(1).lower()], cm.end()
    return 1.0, p


def glued_scale(sfx: str, currency: str | None) -> float | None:
    """The scale of letters glued to a number ("1.5bn", "£1.1m"), or None."""
    table = vocab.CURRENCY_ABBREV_SCALES if currency else vocab.ABBREV_SCALES
    return table.get(sfx.lower())
