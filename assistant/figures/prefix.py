"""What stands before a number: a qualifier ("about"), a sign, a currency, an opening parenthesis, "between"."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.figures import vocabulary as vocab
from assistant.figures.patterns import PREFIX


@dataclass(frozen=True, slots=True)
class Prefix:
    start: int  # where the figure's text starts (qualifier, sign, currency or "(")
    qualifier: str | None
    currency: str | None
    paren: int | None  # index of a "(" right before the number: maybe an accounting negative
    minus: bool
    between: int | None  # index of "between" before the number ("between 3 and 5 million")
    before: str  # the text before all of it, for context rules


def read_prefix(text: str, s: int, floor: int) -> Prefix:
    lo = max(floor, s - 60)
    m = PREFIX.search(text, lo, s)
    assert m is not None  # every group is optional, so the empty match at the end always exists
    starts = [m.start(g) for g in ("qual", "minus1", "cur", "paren", "minus2") if m.group(g) is not None]
    start = min(starts) if starts else s
    qual, cur = m.group("qual"), m.group("cur")
    return Prefix(
        start=start,
        qualifier=vocab.QUALIFIERS.get(" ".join(qual.lower().split())) if qual else None,
        currency=vocab.CURRENCY_PREFIXES.get(cur) if cur else None,
        paren=m.start("paren") if m.group("paren") else None,
        minus=bool(m.group("minus1") or m.group("minus2")),
        between=m.start("between") if m.group("between") else None,
        before=text[lo : m.start("between") if m.group("between") else start],
    )
