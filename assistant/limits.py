"""Input limits shared by every face (CLI, chat, HTTP): question length and passages per answer."""

from __future__ import annotations

import re

from assistant.errors import BadQuestion, EmptyQuestion

MAX_QUESTION_CHARS = 2000
MAX_K = 50
REQUEST_TIMEOUT = 10.0  # seconds an HTTP client has for a request's head, then for its body (Settings)
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_question(text: object, *, what: str = "question") -> str:
    """The question stripped, or a BadQuestion saying what is wrong with it."""
    if not isinstance(text, str) or not text.strip():
        raise EmptyQuestion(f"the {what} is empty")
    text = text.strip()
    if len(text) > MAX_QUESTION_CHARS:
        raise BadQuestion(f"the {what} is {len(text)} characters long; the limit is {MAX_QUESTION_CHARS}")
    if _SURROGATE.search(text):
        # Undecodable bytes on the command line, or a lone \ud800 escape in JSON: no tokenizer accepts them.
        raise BadQuestion(f"the {what} is not valid UTF-8 text")
    return text


def check_k(k: object) -> int:
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= MAX_K:
        raise BadQuestion(f"k must be between 1 and {MAX_K}")
    return k


def check_confidence(value: object) -> float | None:
    """A minimum confidence in [0, 1] (None: the default), or a BadQuestion."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= float(value) <= 1.0:
        raise BadQuestion("min_confidence must be a number between 0 and 1")
    return float(value)
