"""The words figures are read with: number words and scales, ordinals, units with their kind and currency,
qualifiers and currency signs. Data and two small helpers; figures.py does the reading."""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.figures.model import FigureKind
from assistant.text.words import word_list

SMALL = {
    w: i
    for i, w in enumerate(
        word_list(
            "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
            "sixteen seventeen eighteen nineteen"
        )
    )
}
TENS = {
    w: 10 * (i + 2) for i, w in enumerate(word_list("twenty thirty forty fifty sixty seventy eighty ninety"))
}
FRACTIONS = {"½": 0.5, "¼": 0.25, "¾": 0.75, "⅓": 1 / 3, "⅔": 2 / 3}
SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
# "bn", "mn", "tn" are unambiguous; "m", "k", "b" only count as scales right after a currency ("£1.1m", "$5k")
ABBREV_SCALES = {"bn": 1e9, "mn": 1e6, "mln": 1e6, "tn": 1e12, "trn": 1e12}
CURRENCY_ABBREV_SCALES = {**ABBREV_SCALES, "m": 1e6, "k": 1e3, "b": 1e9}
ORDINAL_WORDS = {
    w: i + 1
    for i, w in enumerate(
        word_list(
            "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
            "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth"
        )
    )
}
ORDINAL_WORDS |= {
    w: 10 * (i + 3) for i, w in enumerate(word_list("thirtieth fortieth fiftieth sixtieth seventieth"))
}
ORDINAL_WORDS |= {"eightieth": 80, "ninetieth": 90, "hundredth": 100, "thousandth": 1000, "millionth": 10**6}

# (kind, unit, currency, surfaces): a surface with a capital letter matches case-sensitively ("MB" is not "mb")
UNIT_TABLE: tuple[tuple[FigureKind, str, str | None, tuple[str, ...]], ...] = (
    ("money", "yuan", "CNY", ("yuan", "RMB", "Rmb", "renminbi", "CNY")),
    ("money", "US dollars", "USD", ("US dollars", "U.S. dollars", "USD", "dollars", "dollar")),
    ("money", "Hong Kong dollars", "HKD", ("Hong Kong dollars", "HKD")),
    ("money", "Australian dollars", "AUD", ("Australian dollars", "AUD")),
    ("money", "Canadian dollars", "CAD", ("Canadian dollars", "CAD")),
    ("money", "Singapore dollars", "SGD", ("Singapore dollars", "SGD")),
    ("money", "euros", "EUR", ("euros", "euro", "EUR")),
    # bare "pounds" is a weight as often as money; "£" and "sterling" say money
    ("money", "pounds", "GBP", ("pounds sterling", "sterling", "GBP")),
    ("money", "yen", "JPY", ("yen", "JPY")),
    ("money", "rupees", "INR", ("rupees", "INR")),
    ("money", "Swiss francs", "CHF", ("Swiss francs", "CHF")),
    ("percent", "percent", None, ("percent", "per cent", "%", "pct")),
    ("percent", "percentage points", None, ("percentage points", "percentage point", "pts", "pt")),
    ("percent", "basis points", None, ("basis points", "basis point", "bps")),
    ("data_size", "ZB", None, ("ZB", "zettabytes", "zettabyte")),
    ("data_size", "EB", None, ("EB", "exabytes", "exabyte")),
    ("data_size", "PB", None, ("PB", "petabytes", "petabyte")),
    ("data_size", "TB", None, ("TB", "terabytes", "terabyte")),
    ("data_size", "GB", None, ("GB", "gigabytes", "gigabyte")),
    ("data_size", "MB", None, ("MB", "megabytes", "megabyte")),
    ("data_size", "KB", None, ("KB", "kilobytes", "kilobyte")),
    ("data_size", "bytes", None, ("bytes",)),
    ("duration", "years", None, ("years", "year")),
    ("duration", "months", None, ("months", "month")),
    ("duration", "weeks", None, ("weeks", "week")),
    ("duration", "days", None, ("days", "day")),
    ("duration", "hours", None, ("hours", "hour")),
    ("duration", "minutes", None, ("minutes", "minute")),
    ("duration", "seconds", None, ("seconds", "second")),
    ("duration", "decades", None, ("decades", "decade")),
    ("duration", "centuries", None, ("centuries", "century")),
    ("number", "square kilometres", None, ("square kilometres", "square kilometers", "km2", "km²", "sq km")),
    ("number", "km", None, ("km", "kilometres", "kilometers", "kilometre", "kilometer")),
    ("number", "square miles", None, ("square miles", "sq mi", "mi2", "mi²")),
    ("number", "miles", None, ("miles", "mile", "mi")),
    ("number", "metres", None, ("metres", "meters", "metre", "meter")),
    ("number", "kg", None, ("kg", "kgs", "kilograms", "kilogram")),
    ("number", "pounds", None, ("pounds", "pound", "lb", "lbs")),
    ("number", "feet", None, ("feet", "foot", "ft")),
    ("number", "inches", None, ("inches", "inch")),
    ("number", "yards", None, ("yards", "yard")),
    ("number", "tonnes", None, ("tonnes", "tons", "tonne", "ton")),
    ("number", "hectares", None, ("hectares", "hectare")),
    ("number", "acres", None, ("acres", "acre")),
    ("number", "degrees", None, ("degrees", "degree", "°C", "°F")),
    ("number", "MW", None, ("MW", "megawatts")),
    ("number", "GW", None, ("GW", "gigawatts")),
    ("number", "kWh", None, ("kWh",)),
    ("number", "Mbps", None, ("Mbps", "Gbps")),
    ("number", "kelvin", None, ("K", "kelvins", "kelvin")),
    ("number", "kPa", None, ("kPa", "kilopascals", "kilopascal")),
    ("number", "kN", None, ("kN", "kilonewtons")),
    ("number", "lbf", None, ("lbf", "pounds-force")),
    ("number", "nm", None, ("nm", "nanometres", "nanometers")),
    ("number", "karats", None, ("karats", "karat", "carats", "carat")),
    ("number", "cm", None, ("cm", "centimetres", "centimeters", "centimetre", "centimeter")),
    ("number", "mm", None, ("mm", "millimetres", "millimeters", "millimetre", "millimeter")),
    ("number", "mph", None, ("mph", "miles per hour")),
    ("number", "km/h", None, ("km/h", "kph", "kilometres per hour", "kilometers per hour")),
    ("number", "knots", None, ("knots",)),
)
UNITS_EXACT = {s: (k, u, c) for k, u, c, ss in UNIT_TABLE for s in ss if s != s.lower()}
UNITS_LOWER = {s: (k, u, c) for k, u, c, ss in UNIT_TABLE for s in ss if s == s.lower()}
CURRENCY_UNITS = {c: u for _, u, c, _ in UNIT_TABLE if c} | {
    "TWD": "New Taiwan dollars",
    "BRL": "reais",
    "KRW": "won",
}


def lookup_unit(word: str) -> tuple[FigureKind, str, str | None] | None:
    """(kind, normalised unit, currency) for a unit word such as "yuan", "per cent", "ZB", "months"."""
    key = " ".join(word.split())
    return UNITS_EXACT.get(key) or UNITS_LOWER.get(key.lower())


def alternation(words: Iterable[str]) -> str:
    """Longest-first alternation; lower-case words match in any case, others exactly."""
    parts = []
    for w in sorted(set(words), key=len, reverse=True):
        pattern = re.escape(w).replace(r"\ ", r"\s+")
        parts.append(f"(?i:{pattern})" if w == w.lower() else pattern)
    return "|".join(parts)


QUALIFIERS = {
    "more than": "more than", "over": "over", "nearly": "nearly", "about": "about", "around": "around",
    "approximately": "approximately", "approx.": "approximately", "almost": "almost", "up to": "up to",
    "at least": "at least", "at most": "at most", "less than": "less than", "fewer than": "less than",
    "some": "some", "roughly": "roughly", "under": "under", "below": "below", "above": "above",
    "close to": "close to", "in excess of": "more than", "as many as": "as many as", "as much as": "as much as",
    "upwards of": "more than", "just over": "just over", "just under": "just under", "no more than": "at most",
    "no less than": "at least", "not less than": "at least", "not more than": "at most",
    "greater than": "more than", "an estimated": "about", "estimated": "about", "circa": "about", "ca.": "about",
    "c.": "about", "~": "about", ">": "more than", "<": "less than", "≥": "at least", "≤": "at most",
}  # fmt: skip
# a year keeps only these ("around 1500"); "over 2018" compares with a year rather than qualifying it
YEAR_QUALIFIERS = frozenset({"about", "around", "approximately"})
YEAR_DROPPED_QUALIFIERS = frozenset({"over", "under", "above", "below"})
CURRENCY_PREFIXES = {
    "US$": "USD", "U.S.$": "USD", "$": "USD", "HK$": "HKD", "A$": "AUD", "AU$": "AUD", "C$": "CAD", "CA$": "CAD",
    "S$": "SGD", "NT$": "TWD", "R$": "BRL", "€": "EUR", "£": "GBP", "¥": "¥", "￥": "¥", "₹": "INR", "₩": "KRW",
    "RMB": "CNY", "CNY": "CNY", "USD": "USD", "EUR": "EUR", "GBP": "GBP", "JPY": "JPY", "HKD": "HKD", "Rs": "INR",
    "Rs.": "INR", "INR": "INR", "CHF": "CHF",
}  # fmt: skip
