"""Follow-up questions: rewrite a question that leans on earlier ones into one that stands alone.

"How large was China's digital economy in 2021?" then "And what share of GDP was that?" is searched as
"And what share of GDP was China's digital economy in 2021?". Pure functions over plain strings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.text.patterns import MONTH, YEAR
from assistant.text.words import STOPWORDS, words

# How many earlier questions are read to resolve a chain of follow-ups.
MAX_DEPTH = 6

_WORD = re.compile(r"[A-Za-z0-9][\w.%'’-]*")
_YEAR = YEAR
_MONTH = MONTH
_PREP = r"(?:(?:in|during|for|by|since|until|through|between|from|at\s+the\s+end\s+of|as\s+of)\s+)"
# A time frame: "in 2021", "in the first half of 2022", "in June 2022", "in fiscal 2021", "between 2019 and 2021".
_PERIOD = re.compile(
    rf"\b{_PREP}?(?:the\s+)?"
    rf"(?:(?:first|second|third|fourth|last)\s+(?:half|quarter)\s+of\s+)?"
    rf"(?:{_MONTH}\.?\s+)?(?:(?:fiscal(?:\s+year)?|FY|Q[1-4]|H[12])\s*)?{_YEAR}"
    rf"(?:\s*(?:-|–|to|and)\s*{_YEAR})?",
    re.I,
)
# Time frames that point back at the previous one; the shifts move its year.
_SAME_PERIOD = re.compile(r"\b(?:in\s+|during\s+)?(?:that\s+year|the\s+same\s+year|that\s+time|then)\b", re.I)
_SHIFTED_PERIOD = re.compile(
    r"\b(?:in\s+)?(?P<before>the\s+(?:year|one)\s+before|the\s+previous\s+year|a\s+year\s+(?:earlier|before))"
    r"|\b(?:in\s+)?(?P<after>the\s+(?:year|one)\s+after|the\s+following\s+year|a\s+year\s+later|the\s+next\s+year)",
    re.I,
)
_YEAR_IN = re.compile(_YEAR)
_MONTH_NAME = re.compile(_MONTH, re.I)
_FOLLOW_UP_START = re.compile(r"^\s*(?:and|also|what about|how about|and what about|then|so)\b[\s,]*", re.I)
_TRAILING = re.compile(r"[\s?.!]*$")

# Words that stand for something said before. "that" and "there" only count in some places (see _refers).
_PRONOUNS = frozenset(["it", "that", "this", "these", "those", "they", "them", "there"])
_POSSESSIVES = frozenset(["its", "their"])


_AUX = words("is are was were be been do does did has have had will would can could should may might")
_FUNCTION = (
    STOPWORDS
    | _AUX
    | _PRONOUNS
    | _POSSESSIVES
    | words("above cent did do does former how latter per same so them then there they what why year years")
)
# Words that name what is measured rather than what it is measured of: a follow-up asking for another
# measure ("what share...", "how fast...") keeps the subject and drops these.
_MEASURE = words(
    """much many large big fast high low long quickly share rate growth grow grew grown size scale percent
    percentage proportion portion fraction number amount total value level increase increased decrease rise
    rose fall fell change changed reach reached account come came amounted worth figure compare compared"""
)
# Verbs that carry no topic of their own ("How much electricity did wind generate?").
_VERBS = words(
    """generate generated produce produced supply supplied make made hold held handle handled record recorded
    report reported stand stood see saw"""
)
_STOP = _FUNCTION | _MEASURE | _VERBS
_QUANTITY = re.compile(
    r"\bhow\s+(?:much|many|large|big|fast|high|low|long|far|old|quickly)\b|\bby\s+how\s+much\b"
    r"|\bwhat\s+(?:(?:was|is|were|are)\s+)?(?:the\s+|its\s+|their\s+)?(?:share|percentage|percent|proportion"
    r"|portion|fraction|number|amount|rate|size|value|level|total|scale|growth|increase)\b",
    re.I,
)


def content_words(text: str) -> list[str]:
    """The words of a question that carry its topic (no question, measure or stop words), in order, lower-case."""
    out: list[str] = []
    for word in _WORD.findall(text):
        w = _bare(word).lower()
        if w and w not in _STOP and w not in out:
            out.append(w)
    return out


def period_of(text: str) -> str:
    """The first time frame a question names ("in 2021", "in June 2022"), or ''."""
    m = _PERIOD.search(text)
    return m.group(0).strip() if m else ""


def asks_quantity(question: str) -> bool:
    """True for questions answered by a figure: how much, how many, what share, ..."""
    return bool(_QUANTITY.search(question))


def is_follow_up(question: str) -> bool:
    """True when a question needs the previous one's subject to be understood.

    It refers back ("that", "it", "its"), is a bare continuation ("And in 2020?", "What about India?")
    or names too little to stand alone ("How much?").
    """
    if _elliptical(question) is not None:
        return True
    rest = _strip_periods(question)
    return _refers(rest) or len(_topic_words(rest)) < 2


def contextualize(question: str, history: Sequence[str]) -> str:
    """The question as it would be asked on its own, given the conversation's earlier questions.

    A pronoun takes the previous question's subject ("How fast did it grow?"); a bare continuation
    replaces one part of the previous question ("And in 2020?", "What about India?"); a question with a
    little subject of its own takes the previous names ("How many agents were there?"). Each also takes
    the previous time frame when it names none. A question that stands alone only takes that time frame,
    and only when it asks for a figure. The previous question is itself read in the light of the ones
    before it, so a chain of follow-ups keeps its topic.
    """
    earlier = [h.strip() for h in history if h.strip()][-MAX_DEPTH:]
    if not earlier:
        return question
    previous = earlier[0]
    for asked in earlier[1:]:
        previous = _resolve(asked, previous)
    return _resolve(question, previous)


# --- the rewriting -------------------------------------------------------------------------------


def _resolve(question: str, previous: str) -> str:
    past = period_of(previous)
    question = _fill_periods(question, past)
    own = period_of(question)
    rest = _elliptical(question)
    if rest is not None:
        return _continue(question, rest, previous, past)
    bare = _strip_periods(question)
    if _refers(bare) or len(_topic_words(bare)) < 2:
        return _with_subject(question, _subject_runs(previous), "" if own else past)
    if not own and past and asks_quantity(question):
        return _append(question, past)
    return question


def _continue(question: str, rest: str, previous: str, past: str) -> str:
    """A bare continuation: the previous question with one of its parts replaced by the new one."""
    period = period_of(rest)
    if period:
        # "And in 2020?": the same question about another time
        words = " ".join(_WORD.findall(period))
        return _PERIOD.sub(words, previous, count=1) if past else _append(previous, words)
    month = re.fullmatch(rf"\s*(?:in\s+|during\s+)?({_MONTH})\.?[\s?.!]*", rest, re.I)
    if month and past and (year := _YEAR_IN.search(past)):
        # "And in December?": that month of the same year
        return _PERIOD.sub(f"in {month.group(1)} {year.group(0)}", previous, count=1)
    names = [w for w in _WORD.findall(rest) if _is_name(w)]
    if names:
        # "What about India?": the same question about another place, company or person
        old = [m for m in _WORD.finditer(previous) if _is_name(m.group(0)) and m.start() > 0]
        if old:
            first = old[0]
            phrase = re.sub(r"^the\s+", "", rest.strip(" ?.!,"), flags=re.I)
            if first.group(0).endswith(("'s", "’s")):
                phrase += "'s"
            return previous[: first.start()] + phrase + previous[first.end() :]
        return _append(previous, rest.strip(" ?.!,"))
    if any(_bare(w).lower() in _MEASURE for w in _WORD.findall(rest)):
        # "And its growth rate?": another measure of the same subject
        return _with_subject(question, _subject_runs(previous), past)
    if re.match(r"\s*(?:in|on|at|for|during|by|from|since|under|over)\b", rest, re.I):
        # "And in rural areas?": the same question, narrowed
        return _append(previous, rest.strip(" ?.!,"))
    # "And data output?": the same question about another subject
    runs = _subject_runs(previous)
    if runs and runs[0] in previous:
        return previous.replace(runs[0], rest.strip(" ?.!,"), 1)
    return _append(previous, rest.strip(" ?.!,"))


def _with_subject(question: str, runs: list[str], period: str) -> str:
    """The question with its pronoun replaced by the subject (or the subject appended), and the period.

    runs are the previous question's topic phrases, longest first: the longest stands for the pronoun and
    names among the others ("China") are added. Without a pronoun to replace, a question with a subject
    of its own only takes the names; one without ("Why?") takes every topic word it does not name.
    """
    mentioned = {w.lower() for w in content_words(question)}

    def missing(phrase: str) -> list[str]:
        return [w for w in phrase.split() if _bare(w).lower() not in mentioned]

    subject = runs[0] if runs and missing(runs[0]) else ""
    replaced = _replace_pronoun(question, subject) if subject else None
    if replaced is not None:
        names = [_bare(w) for run in runs[1:] for w in missing(run) if _is_name(w)]
        question = _append(replaced, " ".join(names), sep=", ")
    elif _topic_words(_strip_periods(question)):
        # "How many agents were there?": its own subject, in the previous one's place and time
        names = [_bare(w) for run in runs for w in missing(run) if _is_name(w)]
        question = _append(question, " ".join(names), sep=", ")
    else:
        question = _append(question, " ".join(w for run in runs for w in missing(run)), sep=", ")
    return _append(question, period) if period and not period_of(question) else question


def _replace_pronoun(question: str, subject: str) -> str | None:
    words = list(_WORD.finditer(question))
    for i, m in enumerate(words):
        w = m.group(0).lower()
        after = words[i + 1].group(0).lower() if i + 1 < len(words) else ""
        if w in _POSSESSIVES:
            owner = subject + ("'" if subject.endswith("s") else "'s")
            return question[: m.start()] + owner + question[m.end() :]
        standalone = not after or after in _STOP
        pronoun = w in ("it", "they", "them") or (w in ("that", "this", "these", "those") and standalone)
        if pronoun and _refers_at(words, i):
            return question[: m.start()] + subject + question[m.end() :]
    return None


def _append(question: str, extra: str, *, sep: str = " ") -> str:
    """Text added at the end of a question, before its question mark."""
    if not extra:
        return question
    end = _TRAILING.search(question)
    cut = end.start() if end else len(question)
    return f"{question[:cut]}{sep}{extra}{question[cut:].strip()}"


def _fill_periods(question: str, past: str) -> str:
    """'that year' becomes the previous time frame; 'the year before' moves its year back by one."""
    if not past:
        return question
    year = _YEAR_IN.search(past)
    if year is not None:

        def shift(m: re.Match[str]) -> str:
            step = -1 if m.group("before") else 1
            moved = past[: year.start()] + str(int(year.group(0)) + step) + past[year.end() :]
            return moved if moved.lower().startswith(("in ", "during ", "by ", "for ")) else f"in {moved}"

        question = _SHIFTED_PERIOD.sub(shift, question, count=1)
    if not period_of(question):
        question = _SAME_PERIOD.sub(past, question, count=1)
    return question


# --- reading a question --------------------------------------------------------------------------


def _elliptical(question: str) -> str | None:
    """What follows "and" / "what about" in a question without a verb of its own ("And in 2020?"), else None."""
    m = _FOLLOW_UP_START.match(question)
    if not m:
        return None
    rest = question[m.end() :]
    words = [w.lower() for w in _WORD.findall(rest)]
    if not words or any(
        w in _AUX or w in ("what", "which", "who", "how", "why", "when", "where") for w in words
    ):
        return None
    return rest


def _refers(question: str) -> bool:
    words = list(_WORD.finditer(question))
    return any(_refers_at(words, i) for i in range(len(words)))


def _refers_at(words: list[re.Match[str]], i: int) -> bool:
    w = words[i].group(0).lower()
    before = words[i - 1].group(0).lower() if i > 0 else ""
    after = words[i + 1].group(0).lower() if i + 1 < len(words) else ""
    if w in _POSSESSIVES or w in ("it", "they", "them", "this", "these", "those"):
        return True
    if w == "that":
        # "was that", "did that grow": a pronoun; "industries that use data": a relative clause
        return not before or before in _STOP
    if w == "there":
        # "are there", "there were": existential, not a place
        return before not in _AUX and after not in _AUX
    return False


def _strip_periods(text: str) -> str:
    return _PERIOD.sub(" ", text)


def _bare(word: str) -> str:
    """A word without its possessive or trailing punctuation."""
    word = word.strip(".%-")
    for suffix in ("'s", "’s", "'", "’"):
        if word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _is_name(word: str) -> bool:
    """A capitalised word that is not an acronym measure like GDP: China, India's, Huawei."""
    bare = _bare(word)
    return (
        len(bare) > 1
        and bare[0].isupper()
        and not bare.isupper()
        and bare.lower() not in _STOP
        and not _MONTH_NAME.fullmatch(bare)
    )


def _topic_words(text: str) -> list[str]:
    return [
        w for w in _WORD.findall(text) if _bare(w).lower() not in _STOP and not _YEAR_IN.fullmatch(_bare(w))
    ]


def _subject_runs(question: str) -> list[str]:
    """Runs of topic words in their own spelling ("of"/"the" may join them), longest first."""
    words = list(_WORD.finditer(_strip_periods(question)))
    keep = [
        _bare(m.group(0)).lower() not in _STOP and not _YEAR_IN.fullmatch(_bare(m.group(0))) for m in words
    ]
    runs: list[list[str]] = []
    current: list[str] = []
    for i, m in enumerate(words):
        bridge = m.group(0).lower() in ("of", "the") and current and i + 1 < len(words) and keep[i + 1]
        if keep[i] or bridge:
            current.append(m.group(0))
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return [" ".join(r).strip(" ?.!,") for r in sorted(runs, key=len, reverse=True)]
