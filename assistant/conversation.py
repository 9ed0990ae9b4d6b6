"""Follow-up questions: fold the key terms of earlier questions into retrieval when a question leans on them."""

from __future__ import annotations

import re
from collections.abc import Sequence

_WORD = re.compile(r"[A-Za-z0-9][\w.%-]*")
# Words that point back at something said before.
_REFERRING = frozenset(
    [
        "that",
        "it",
        "its",
        "this",
        "these",
        "those",
        "they",
        "them",
        "their",
        "there",
        "then",
        "same",
        "above",
        "former",
        "latter",
    ]
)
_FOLLOW_UP_START = re.compile(r"^\s*(and|also|what about|how about|and what|and how|then|so)\b", re.I)
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "from",
        "by",
        "with",
        "and",
        "or",
        "but",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "do",
        "does",
        "did",
        "has",
        "have",
        "had",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "much",
        "many",
        "large",
        "big",
        "did",
        "does",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "they",
        "them",
        "their",
        "there",
        "then",
        "same",
        "above",
        "former",
        "latter",
        "about",
        "also",
        "so",
        "than",
        "as",
        "into",
        "over",
        "under",
        "more",
        "most",
        "less",
        "least",
        "share",
        "rate",
        "grow",
        "growth",
        "fast",
    ]
)


def content_words(text: str) -> list[str]:
    """The words of a question that carry its topic (no question words or stopwords), in order, lower-case."""
    out: list[str] = []
    for word in _WORD.findall(text):
        w = word.lower().strip(".")
        if w and w not in _STOP and w not in out:
            out.append(w)
    return out


def is_follow_up(question: str) -> bool:
    """True when a question refers back ("that", "it", "this year") or is too short to stand alone."""
    words = [w.lower() for w in _WORD.findall(question)]
    if _FOLLOW_UP_START.search(question):
        return True
    if any(w in _REFERRING for w in words):
        return True
    return len(content_words(question)) < 2


def contextualize(question: str, history: Sequence[str]) -> str:
    """The retrieval query: the question, plus the previous question's topic words when it is a follow-up."""
    if not history or not is_follow_up(question):
        return question
    own = set(content_words(question))
    borrowed = [w for w in content_words(history[-1]) if w not in own]
    return f"{question} {' '.join(borrowed)}".strip() if borrowed else question
