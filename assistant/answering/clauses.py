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
# "How was X calculated?": what follows the participle, in a sentence about X or one that starts with it
# (a footnote's "(2) Calculated based on the deferral method ...")
_HOW = re.compile(
    r"^\s*how\s+(?:is|are|was|were)\s+(?P<subject>.+?)\s+"
    r"(?P<verb>calculated|determined|derived|measured|estimated|computed|valued)\s*\??\s*$",
    re.IGNORECASE,
)
_LEAD_MARK = re.compile(r"^\s*(?:\(\w{1,3}\)|\d{1,2}[.)]|[*†‡]+)?\s*")
MIN_SUBJECT = 0.5  # share of the subject's words the sentence must hold before the verb


def asked_clause(question: str, sentence: str, analyze: Callable[[str], list[str]]) -> str | None:
    """What follows the verb in a sentence that says what the question's subject is, represents or
    comprises; None when the question is not of that kind or the sentence does not say it that way."""
    how = _HOW.match(question)
    if how is not None:
        return _how_clause(how, sentence, analyze)
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


def _how_clause(how: re.Match[str], sentence: str, analyze: Callable[[str], list[str]]) -> str | None:
    """What follows "calculated" (or the question's participle) in a sentence that starts with it or names
    the question's subject before it."""
    subject = set(analyze(how.group("subject")))
    verb = re.compile(rf"\b{how.group('verb')}\b\s*", re.IGNORECASE)
    for found in verb.finditer(sentence):
        lead = _LEAD_MARK.match(sentence)
        starts = lead is not None and lead.end() == found.start()
        before = set(analyze(sentence[: found.start()]))
        if not starts and len(subject & before) < MIN_SUBJECT * len(subject):
            continue
        rest = sentence[found.end() :].strip()
        if len(rest.split()) >= 2:
            return rest
    return None
