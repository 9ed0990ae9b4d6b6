"""The answer scorer: a logistic model over the answer's features, giving the probability that it is right."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.answering.features import OTHER_SUBJECT

# The fitted weights ship with the package; bench/fit_scorer.py writes them (a one-command refit).
WEIGHTS_FILE = Path(__file__).with_name("scorer_weights.json")
# answers at or above this confidence are shown plainly; below it (and above the threshold) as "probably ..."
SURE = 0.8


@dataclass(frozen=True, slots=True)
class Scorer:
    """Logistic regression on standardised features, and the abstention threshold chosen with it."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float  # the default minimum confidence to answer
    off_topic_dense: float  # below this best-passage similarity (and with little cover) nothing is about it
    off_topic_cover: float

    def probability(self, values: Mapping[str, float]) -> float:
        """P(the answer is right); a feature the values lack counts as 0, one the model lacks is ignored,
        so a caller (a table answer, say) may pass extra features before a refit learns them."""
        z = self.intercept
        for name, m, s, c in zip(self.features, self.mean, self.scale, self.coef, strict=True):
            z += c * (values.get(name, 0.0) - m) / s
        return _sigmoid(z)

    def off_topic(self, values: Mapping[str, float]) -> bool:
        """Nothing in the collection is about the question: its words are not found together in any passage
        retrieved, and the best passage is far less similar to it than the passages of answered questions."""
        return (
            values.get("best_cover", 1.0) < self.off_topic_cover
            and values.get("top_dense", 1.0) < self.off_topic_dense
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": list(self.coef),
            "intercept": self.intercept,
            "threshold": self.threshold,
            "off_topic": {"dense": self.off_topic_dense, "cover": self.off_topic_cover},
        }


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def scorer_from_dict(data: Mapping[str, Any]) -> Scorer:
    """A Scorer from the weights file's JSON; every list must name one value per feature."""
    features = tuple(str(f) for f in data["features"])

    def floats(key: str) -> tuple[float, ...]:
        values: Sequence[Any] = data[key]
        if len(values) != len(features):
            raise ValueError(f"scorer weights: {key} has {len(values)} values for {len(features)} features")
        return tuple(float(v) for v in values)

    off = data.get("off_topic", {})
    return Scorer(
        features,
        floats("mean"),
        tuple(s if s > 0 else 1.0 for s in floats("scale")),
        floats("coef"),
        float(data["intercept"]),
        float(data["threshold"]),
        float(off.get("dense", 0.0)),
        float(off.get("cover", 0.0)),
    )


@lru_cache(maxsize=4)
def load_scorer(path: Path = WEIGHTS_FILE) -> Scorer:
    """The shipped scorer (read once)."""
    return scorer_from_dict(json.loads(path.read_text(encoding="utf-8")))


OFF_TOPIC = "off_topic"
OTHER = "other_subject"  # the answer's passage does not name the subject another passage names
LOW = "low"


def threshold_for(scorer: Scorer, min_confidence: float | None) -> float:
    """The minimum confidence to answer: the caller's, else the scorer's default."""
    return scorer.threshold if min_confidence is None else min_confidence


def decide(
    scorer: Scorer, values: Mapping[str, float], confidence: float, min_confidence: float | None
) -> str | None:
    """None to give the answer; OFF_TOPIC, OTHER or LOW to abstain. A minimum of 0 gives whatever the rules
    found."""
    threshold = threshold_for(scorer, min_confidence)
    if threshold <= 0:
        return None
    if scorer.off_topic(values):
        return OFF_TOPIC
    if values.get(OTHER_SUBJECT, 0.0) > 0:
        return OTHER
    return LOW if confidence < threshold else None


# Table and derived answers have their own fitted models (bench/fit_structured.py writes them): their
# features are how clearly the cells matched, not the prose scorer's.
STRUCTURED_FILE = Path(__file__).with_name("structured_weights.json")
TABLE = "table"
DERIVED = "derived"
# what each model reads: the match strengths and margins, whether the answer is a header that won a
# comparison, whether its column matched by a period, whether the report's prose restates the figure
TABLE_FEATURES = (
    "row_match",
    "column_match",
    "row_margin",
    "column_margin",
    "comparison",
    "period",
    "restated",
)
DERIVED_FEATURES = ("min_match", "min_margin", "operands", "count", "percent", "restated")


@lru_cache(maxsize=4)
def load_structured(path: Path = STRUCTURED_FILE) -> dict[str, Scorer]:
    """The shipped table and derived answer models (read once), by kind."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {kind: scorer_from_dict(data[kind]) for kind in (TABLE, DERIVED)}


def _numeric(values: Mapping[str, float | bool]) -> dict[str, float]:
    return {k: float(v) for k, v in values.items()}


def table_confidence(match: Mapping[str, float | bool], model: Scorer | None = None) -> float:
    """P(a table answer is right) from how clearly its row and column matched (tables/matches.py), and
    whether its column matched by period and the prose restates it (the keys of TABLE_FEATURES)."""
    model = model or load_structured()[TABLE]
    return round(model.probability(_numeric(match)), 4)


def derivation_confidence(features: Mapping[str, float | bool], model: Scorer | None = None) -> float:
    """P(a derived figure is right) from its weakest operand's match and margin, how many operands it
    combines, its operation and whether the prose restates it (the keys of DERIVED_FEATURES)."""
    model = model or load_structured()[DERIVED]
    return round(model.probability(_numeric(features)), 4)
