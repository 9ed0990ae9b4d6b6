"""Why the assistant abstained, in words a user reads: "no count about people employed in the passages"."""

from __future__ import annotations

import math

from assistant.answering.questions import QuestionIntent

_KIND_WORDS = {
    "year": "year",
    "date": "date",
    "count": "count",
    "money": "amount of money",
    "percent": "percentage",
    "duration": "duration",
    "ordinal": "rank",
    "data_size": "amount of data",
}


def asked_for(intent: QuestionIntent) -> str:
    """What the question asks for, in a few words: "count for people employed", "percentage for unemployment"."""
    kind = _KIND_WORDS.get(intent.kind or "", "figure")
    about = list(intent.measure) or _topic(intent)
    return f"{kind} for {' '.join(about[:4])}" if about else kind


def _topic(intent: QuestionIntent) -> list[str]:
    """The question's topic words, without the period, for messages."""
    return [w for w in intent.focus if w != intent.period]


def off_topic_reason(intent: QuestionIntent) -> str:
    about = " ".join(_topic(intent)[:5])
    return f"nothing in the documents is about {about}" if about else "nothing in the documents is about it"


def rule_reason(intent: QuestionIntent, *, low: bool) -> str:
    """Why the rules abstained before choosing anything: no passage holds the question's words together, or
    none names what the question measures."""
    if low:
        return off_topic_reason(intent)
    return f"no passage mentions {' '.join(intent.measure)}"


def below(confidence: float, threshold: float) -> str:
    """The withheld answer's confidence against the threshold, to two places and rounded down, so that one
    just under it (0.4995) reads "has confidence 0.49 (below 0.5)", never "0.50 (below 0.5)"."""
    shown = math.floor(confidence * 100 + 1e-9) / 100
    return f"has confidence {shown:.2f} (below {threshold:g})"
