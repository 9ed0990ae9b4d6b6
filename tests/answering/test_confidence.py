"""The answer scorer: the shipped weights, the probability, and when it abstains."""

from __future__ import annotations

import json

import pytest

from assistant.answering.confidence import (
    LOW,
    OFF_TOPIC,
    OTHER,
    WEIGHTS_FILE,
    decide,
    load_scorer,
    scorer_from_dict,
)
from assistant.answering.features import FEATURES


def scorer(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "features": ["fit", "noun_other"],
        "mean": [0.5, 0.0],
        "scale": [0.25, 1.0],
        "coef": [2.0, -3.0],
        "intercept": 0.0,
        "threshold": 0.6,
        "off_topic": {"dense": 0.3, "cover": 0.5},
    }
    data.update(changes)
    return data


def test_the_shipped_weights_name_every_feature_in_order() -> None:
    shipped = load_scorer()
    assert shipped.features == FEATURES
    assert 0.0 < shipped.threshold < 1.0
    raw = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    assert set(raw) >= {"about", "fitted", "features", "coef", "threshold"}  # says what it was fitted on


def test_probability_is_the_logistic_of_the_standardised_features() -> None:
    s = scorer_from_dict(scorer())
    assert s.probability({"fit": 0.5}) == pytest.approx(0.5)  # at the mean
    assert s.probability({"fit": 0.75}) == pytest.approx(1 / (1 + _exp(-2.0)))
    assert s.probability({"fit": 0.75, "noun_other": 1.0}) < s.probability({"fit": 0.75})
    # a feature the model does not know is ignored: a table answer may pass more
    assert s.probability({"fit": 0.5, "row_match": 1.0}) == pytest.approx(0.5)


def _exp(x: float) -> float:
    import math

    return math.exp(x)


def test_probabilities_stay_in_the_unit_interval_for_extreme_inputs() -> None:
    s = scorer_from_dict(scorer())
    assert s.probability({"fit": 1e6}) == pytest.approx(1.0)
    assert s.probability({"fit": -1e6}) == pytest.approx(0.0)


def test_a_list_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="coef has 1 values for 2 features"):
        scorer_from_dict(scorer(coef=[1.0]))


def test_decide_answers_abstains_low_or_off_topic() -> None:
    s = scorer_from_dict(scorer())
    on_topic = {"top_dense": 0.6, "best_cover": 0.9}
    off_topic = {"top_dense": 0.1, "best_cover": 0.2}
    assert decide(s, on_topic, 0.7, None) is None  # above the default threshold 0.6
    assert decide(s, on_topic, 0.5, None) == LOW
    assert decide(s, on_topic, 0.5, 0.4) is None  # the caller's minimum moves it
    assert decide(s, off_topic, 0.9, None) == OFF_TOPIC
    assert decide(s, off_topic, 0.1, 0.0) is None  # 0: whatever the rules found
    assert decide(s, {**on_topic, "other_subject": 1.0}, 0.9, None) == OTHER


def test_off_topic_needs_both_low_similarity_and_low_cover() -> None:
    s = scorer_from_dict(scorer())
    assert not s.off_topic({"top_dense": 0.1, "best_cover": 0.9})
    assert not s.off_topic({"top_dense": 0.9, "best_cover": 0.1})
    assert s.off_topic({"top_dense": 0.1, "best_cover": 0.1})


def test_the_minimum_confidence_setting_is_read_from_the_environment() -> None:
    from assistant.config import Settings

    assert Settings.from_env({}).min_confidence is None
    assert Settings.from_env({"ASSISTANT_MIN_CONFIDENCE": "0.4"}).min_confidence == 0.4
    with pytest.raises(ValueError, match="ASSISTANT_MIN_CONFIDENCE must be between 0 and 1"):
        Settings.from_env({"ASSISTANT_MIN_CONFIDENCE": "1.5"})


@pytest.mark.parametrize("bad", [-0.1, 1.1, "0.5", True])
def test_a_minimum_confidence_outside_zero_to_one_is_a_bad_question(bad: object) -> None:
    from assistant.errors import BadQuestion
    from assistant.limits import check_confidence

    with pytest.raises(BadQuestion, match="min_confidence must be a number between 0 and 1"):
        check_confidence(bad)
