"""Numbered names: what a "which mission / route / act" question asks for ("Apollo 17", "State Route 99").

Such a name is not a figure (its number counts nothing), so figures.py leaves it alone; a question like
"Which Apollo mission was the sixth Moon landing?" still deserves the name as its answer, not a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.text.words import words

# the kinds of thing that go by a numbered name; a question asking "what/which <one of these>" wants the name
CLASSES = words(
    """mission missions flight flights spacecraft probe probes satellite satellites rocket rockets route routes
    highway highways interstate road roads act acts bill bills amendment amendments stage stages station stations
    channel channels episode episodes format formats standard standards thesis theses psalm psalms chapter
    chapters article articles section sections schedule schedules pad pads platform platforms gate gates
    terminal terminals line lines model models version versions edition editions engine engines aircraft
    vehicle vehicles module modules reactor reactors unit units building buildings tower towers report reports
    conference conferences summit summits expo expos cup cups games olympics"""
)
_NAME = re.compile(
    # capitalised words then a number or a Roman numeral: "Apollo 17", "Super Bowl XLIV", "Scotland Act 1998"
    r"(?:[A-Z][\w'’.&-]*\s+){1,4}(?:\d{1,4}[A-Za-z]?|[IVXLC]{2,7})\b(?![.,]?\d)"
    # codes: "AS-501", "MPEG-4"; video formats: "720p", "1080i"
    r"|\b[A-Z]{1,5}-\d{1,5}\b|\b\d{3,4}[pi]\b"
)
# capitalised words that start a sentence or a date, not a name: "In 2021", "On 19 October", "June 2011"
_NOT_NAMES = words(
    """a an the in on at by for from to of and or as since until after before during between about around over
    under with this that these those its their his her our it he she they we i when while if
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec spring summer autumn fall winter
    monday tuesday wednesday thursday friday saturday sunday"""
)
_WORD = re.compile(r"[\w'’-]+")
_WHICH = re.compile(r"\b(?:what|which)\s+((?:[\w'’-]+\s+){0,3})", re.IGNORECASE)
_COPULAS = words("was is were are became become remain remained")
_VERBS = words("was is were are did does do has had have will would can could")


@dataclass(frozen=True, slots=True)
class Name:
    """A numbered name in a sentence, with its character span."""

    text: str
    start: int
    end: int


def numbered_names(sentence: str) -> list[Name]:
    """The numbered names of a sentence, leading words that cannot start a name dropped ("The Apollo 8")."""
    out = []
    for m in _NAME.finditer(sentence):
        start, text = m.start(), m.group()
        words = text.split()
        while len(words) > 1 and words[0].lower().strip(".,") in _NOT_NAMES:
            dropped = words.pop(0)
            start = sentence.index(words[0], start + len(dropped))
        text = sentence[start : m.end()]
        if len(words) == 1 and not re.fullmatch(r"[A-Z]{1,5}-\d+|\d{3,4}[pi]", text):
            continue  # a bare number left: "In 2021" was no name
        out.append(Name(text, start, m.end()))
    return out


def kind_asked(question: str) -> tuple[str | None, tuple[str, ...]]:
    """The kind of numbered thing a question asks for, and the capitalised words before it: "What Apollo
    mission was ...?" -> ("mission", ("Apollo",)); (None, ()) when it asks for none."""
    m = _WHICH.search(question)
    if m is None:
        return None, ()
    words = m.group(1).split()
    for i, word in enumerate(words):
        if word.lower() in _VERBS:
            break
        if word.lower() in CLASSES:
            return word.lower(), tuple(w for w in words[:i] if w[:1].isupper())
    return None, ()


def _stem(word: str) -> str:
    word = word.lower()
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def names_asked(
    sentence: str, kind: str, modifiers: tuple[str, ...], question_numbers: set[str]
) -> list[Name]:
    """The numbered names that can answer "which <kind>": the kind stands in the name, within two words of it
    ("the final Apollo 17 mission", "State Route 99") or after "is"/"was" ("Apollo 8 was the first manned
    spacecraft"), or the name starts with a word of the question
    ("What Apollo mission ..."). Names whose number the question gives are left out: they are its topic."""
    wanted = _stem(kind)
    lowered = {m.lower() for m in modifiers}
    out = []
    for name in numbered_names(sentence):
        if question_numbers.intersection(re.findall(r"\d+", name.text)):
            continue
        inside = [_stem(w) for w in _WORD.findall(name.text)]
        before = [_stem(w) for w in _WORD.findall(sentence[: name.start])][-2:]
        after = [_stem(w) for w in _WORD.findall(sentence[name.end :])][:6]
        # "the final Apollo 17 mission", or "Apollo 8 was the first manned spacecraft"
        near = after[:6] if after and after[0] in _COPULAS else after[:2]
        if wanted in inside or wanted in before or wanted in near or inside[0] in lowered:
            out.append(name)
    return out
