"""Words: spelling word lists, the function words every stage ignores, and the lexical token pattern."""

from __future__ import annotations

import re


def word_list(spaced: str) -> tuple[str, ...]:
    """The words of a whitespace-separated list, in order: word lists read better than quoted strings."""
    return tuple(spaced.split())


def words(spaced: str) -> frozenset[str]:
    """The words of a whitespace-separated list, as a set."""
    return frozenset(spaced.split())


# The lexical analyser's tokens: numbers stay whole ("45.5", "1,234"), other words split on non-letters.
TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+|\d+", re.UNICODE)


# The function words every stage skips when it looks for what a text is about. Each stage adds the words of
# its own job (figure nouns, question words, measure words) to these.
STOPWORDS = words(
    """a about also an and are as at be been but by can could for from had has have in into is it its least less
    may might more most not of on or over should than that the their these this those to under was were when where
    which who whom whose will with would"""
)
