"""Units and scales written around a table: "in thousands", "$'000", "(in millions)", "€m", "%"."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SCALE_WORDS = {
    "thousand": "thousand",
    "thousands": "thousand",
    "000": "thousand",
    "000s": "thousand",
    "k": "thousand",
    "million": "million",
    "millions": "million",
    "m": "million",
    "mn": "million",
    "mm": "million",
    "billion": "billion",
    "billions": "billion",
    "bn": "billion",
    "b": "billion",
}
_CURRENCIES = {
    "$": "USD",
    "us$": "USD",
    "usd": "USD",
    "dollars": "USD",
    "€": "EUR",
    "eur": "EUR",
    "euros": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "¥": "JPY",
    "jpy": "JPY",
    "rmb": "CNY",
    "cny": "CNY",
    "a$": "AUD",
    "aud": "AUD",
    "c$": "CAD",
    "cad": "CAD",
    "chf": "CHF",
    "sek": "SEK",
    "inr": "INR",
}
# "in thousands", "(in millions of dollars)", "$ in millions", "in € million", "amounts in USD thousands"
_IN_SCALE = re.compile(
    r"\bin\s+(?:(?P<cur1>US\$|A\$|C\$|[$€£¥]|USD|EUR|GBP|JPY|RMB|CNY|AUD|CAD|CHF)\s*)?"
    r"(?P<scale>thousands?|millions?|billions?|000s?)\b(?:\s+of\s+(?P<cur2>[a-z]+))?",
    re.IGNORECASE,
)
# "$'000", "€'000", "$000", "€m", "£bn", "$ million", "US$ million", "RMB'000"
_CUR_SCALE = re.compile(
    r"(?P<cur>US\$|A\$|C\$|[$€£¥]|USD|EUR|GBP|JPY|RMB|CNY|AUD|CAD|CHF)\s*['’]?\s*"
    r"(?P<scale>000s?|thousands?|millions?|billions?|m|mn|bn|k)\b",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"%|\bper\s*cent\b|\bpercent(?:age)?\b", re.IGNORECASE)
_CURRENCY_ONLY = re.compile(r"(?:^|\s|\()(US\$|A\$|C\$|[$€£¥])(?=\s|\)|$)|\b(USD|EUR|GBP|RMB|CNY)\b")


@dataclass(frozen=True, slots=True)
class UnitNote:
    """What a note says of the figures it covers: a currency or "%", and a scale word."""

    unit: str | None = None
    scale: str | None = None

    def __bool__(self) -> bool:
        return self.unit is not None or self.scale is not None

    def describe(self) -> str:
        """ "USD million", "thousand", "%"."""
        return " ".join(p for p in (self.unit, self.scale) if p)


def read_unit(text: str) -> UnitNote:
    """The unit and scale a header, caption or note states ("2019 €m" -> EUR million; "in thousands")."""
    if not text:
        return UnitNote()
    m = _CUR_SCALE.search(text)
    if m:
        return UnitNote(_currency(m.group("cur")), _SCALE_WORDS.get(m.group("scale").lower()))
    m = _IN_SCALE.search(text)
    if m:
        cur = m.group("cur1") or m.group("cur2") or ""
        other = _CURRENCY_ONLY.search(text)
        if not cur and other:
            cur = other.group(1) or other.group(2) or ""
        return UnitNote(_currency(cur) if cur else None, _SCALE_WORDS.get(m.group("scale").lower()))
    if _PERCENT.search(text):
        return UnitNote("%", None)
    m = _CURRENCY_ONLY.search(text)
    if m:
        return UnitNote(_currency(m.group(1) or m.group(2)), None)
    return UnitNote()


def _currency(text: str) -> str | None:
    return _CURRENCIES.get(text.strip().lower(), text.strip().upper() or None)


def unit_note_in(text: str) -> str:
    """The unit note a short text is, or holds ("(in millions, except per share data)"), else ""."""
    m = _IN_SCALE.search(text) or _CUR_SCALE.search(text)
    if m is None:
        return ""
    return text.strip()
