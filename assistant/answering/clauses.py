"""The part of a sentence a question about what something is asks for: "What does order intake represent?"
is answered by what follows "Order intake represents" in the sentence that says so, not the whole sentence."""

from __future__ import annotations

import re
from collections.abc import Callable

# "What does X represent?", "What do the tax fees comprise of?", "What are segment assets composed of?"
_ASKS = re.compile(
    r"^\s*what\s+(?:does|do|did|is|are|was|were)\s+(?P<subject>.+?)\s+"
    r"(?P<verb>represent|refer\s+to|comprise(?:\s+of)?|consist\s+of|include|mean|exclude|"
    r"(?:composed|comprised|made\s+up|defined)\s+(?:of|as))\s*\??\s*$",
    re.IGNORECASE,
)
# the sentence's verb for each verb a question asks with: a definition may say "is" for "refer to"
_IS = r"(?:is|are|was|were)"
_STATES = {
    "represent": rf"represents?|represented|{_IS}\s+represented\s+by",
    "refer": rf"refers?\s+to|{_IS}\s+defined\s+as|means|{_IS}",
    "mean": rf"means|{_IS}\s+defined\s+as|refers?\s+to|{_IS}",
    "comprise": rf"comprises?(?:\s+of)?|{_IS}\s+(?:comprised|composed|made\s+up)\s+of|consists?\s+of|includes?",
    "consist": rf"consists?\s+of|comprises?(?:\s+of)?|{_IS}\s+(?:comprised|composed|made\s+up)\s+of|includes?",
    "include": rf"includes?|{_IS}\s+included|comprises?(?:\s+of)?|consists?\s+of",
    "exclude": r"excludes?|excluding|does\s+not\s+include",
    "composed": rf"{_IS}\s+(?:composed|comprised|made\s+up)\s+of|comprises?(?:\s+of)?|consists?\s+of|includes?",
    "comprised": rf"{_IS}\s+(?:comprised|composed|made\s+up)\s+of|comprises?(?:\s+of)?|consists?\s+of|includes?",
    "made": rf"{_IS}\s+made\s+up\s+of|{_IS}\s+(?:comprised|composed)\s+of|comprises?|consists?\s+of|includes?",
    "defined": rf"{_IS}\s+defined\s+as|means|refers?\s+to|{_IS}",
}
MIN_SUBJECT = 0.5  # share of the subject's words the sentence must hold before the verb


def asked_clause(question: str, sentence: str, analyze: Callable[[str], list[str]]) -> str | None:
    """What follows the verb in a sentence that says what the question's subject is, represents or
    comprises; None when the question is not of that kind or the sentence does not say it that way."""
    m = _ASKS.match(question)
    if m is None:
        return None
    subject = set(analyze(m.group("subject")))
    if not subject:
        return None
    verb = m.group("verb").split()[0].lower()
    states = re.compile(rf"\b(?:{_STATES[verb]})\b\s*:?\s*", re.IGNORECASE)
    for found in states.finditer(sentence):
        before = set(analyze(sentence[: found.start()]))
        if len(subject & before) < MIN_SUBJECT * len(subject):
            continue
        rest = sentence[found.end() :].strip()
        if len(rest.split()) >= 2:
            return rest
    return None
