"""Counted nouns: the plural a count is of ("1.5 million 5G base stations" -> "base stations")."""

from __future__ import annotations

import re

from assistant.text.words import STOPWORDS, word_list, words


def counted_noun(text: str) -> str | None:
    """The counted noun that text starts with, read as after a number: "5G base stations in 2021" -> "base stations"."""
    found = counted_noun_at(" " + text, 0, bare=False)
    return found[1] if found else None


_NEXT_WORD = re.compile(r"(\s*,\s*|\s+)(?:(and|or)\s+)?([A-Za-z0-9][\w&'’-]*)")


_IRREGULAR_PLURALS = frozenset(
    word_list(
        "people children men women staff personnel police cattle feet teeth mice geese data media criteria "
        "species series aircraft livestock sheep deer fish alumni"
    )
)


_NOT_PLURALS = frozenset(
    word_list(
        "is was has does this its his hers ours yours theirs us as thus less across perhaps always whereas plus "
        "minus yes news means towards afterwards besides unless whilst sometimes"
    )
)


_STOP = STOPWORDS | words(
    """after among before being between during each her his just must my no only onto our per shall since still such
    until while year-on-year your"""
)


# a modifier joins the counted noun only on positive evidence that it is a noun itself: adjectives are too
# many to list, so "base stations" needs "base" here, and "distinct divisors" stays "divisors"
_NOUN_SUFFIXES = word_list("tion sion ment ness ity ery ance ence ship age ism ist")


_COMPOUND_NOUNS = frozenset(
    word_list(
        "base data power service delivery user phone car bus train rail border trade school health care research "
        "energy water network internet computer software security charging parking payment information member "
        "student tourist government business market industry family household passenger cargo container field"
    )
)


def _is_plural(word: str) -> bool:
    lower = word.lower()
    if lower in _IRREGULAR_PLURALS:
        return True
    if (
        len(lower) < 3
        or lower[-1] != "s"
        or lower in _NOT_PLURALS
        or lower.endswith(("ss", "us", "is", "'s", "’s"))
    ):
        return False
    return lower.replace("-", "").isalpha()


def counted_noun_at(text: str, p: int, *, bare: bool) -> tuple[int, str] | None:
    """(end, noun) for the counted noun after a number: "1.5 million 5G base stations" -> "base stations".

    Up to three modifiers may stand between ("micro, small and medium-sized enterprises"); the modifier right
    before the plural joins it when it is known as a noun ("base stations", not "small enterprises").
    bare: only a directly following lower-case plural counts (for year-like numbers: "1500 soldiers").
    """
    modifiers: list[str] = []
    for i in range(4):
        m = _NEXT_WORD.match(text, p)
        if m is None or (i == 0 and (m.group(1).strip() or m.group(2))):
            return None
        word = m.group(3)
        if _is_plural(word):
            if bare and (modifiers or not word.islower()):
                return None
            last = modifiers[-1] if modifiers and not m.group(1).strip() and not m.group(2) else ""
            noun_like = last.isalpha() and (last in _COMPOUND_NOUNS or last.endswith(_NOUN_SUFFIXES))
            return m.end(), f"{last} {word}" if noun_like else word
        if i == 3 or word.lower() in _STOP or not any(c.isalpha() for c in word):
            return None
        modifiers.append(word)
        p = m.end()
    return None
