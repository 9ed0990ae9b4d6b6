"""The answer scorer's refit: every question is judged by a model that never saw its article or report."""

from __future__ import annotations

import random

import pytest

import bench.fit_scorer as fit_scorer
from assistant.answering.features import FEATURES


def _rows(sources: int, per_source: int, seed: int = 7) -> list[dict[str, object]]:
    """Answered rows whose rightness follows coverage, from `sources` articles of two sets."""
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    for s in range(sources):
        for _ in range(per_source):
            features = dict.fromkeys(FEATURES, 0.0)
            features["coverage"] = rng.random()
            features["top_dense"] = 0.5 + 0.4 * rng.random()
            rows.append(
                {
                    "set": "squad" if s % 2 else "tatqa",
                    "group": "answerable",
                    "source": f"article-{s}",
                    "abstained": False,
                    "right": rng.random() < features["coverage"],
                    "features": features,
                }
            )
    return rows


def test_each_fold_is_judged_by_a_model_fitted_on_the_other_folds(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _rows(sources=12, per_source=10)
    fitted_on: list[set[str]] = []
    real_model = fit_scorer.model

    def recording(rs, penalty, threshold):  # type: ignore[no-untyped-def]
        fitted_on.append({str(r["source"]) for r in rs})
        return real_model(rs, penalty, threshold)

    judged_sources: list[set[str]] = []
    real_judged = fit_scorer.judged

    def judging(rs, scorer):  # type: ignore[no-untyped-def]
        judged_sources.append({str(r["source"]) for r in rs})
        return real_judged(rs, scorer)

    monkeypatch.setattr(fit_scorer, "model", recording)
    monkeypatch.setattr(fit_scorer, "judged", judging)
    out = fit_scorer.out_of_fold(rows, penalty=1.0, folds=4)

    assert len(out) == len(rows)  # every question judged once
    assert sorted(str(r["source"]) for r in out) == sorted(str(r["source"]) for r in rows)
    assert len(fitted_on) == len(judged_sources) >= 2
    for trained, judged in zip(fitted_on, judged_sources, strict=True):
        assert not trained & judged  # no article both fitted on and judged
        assert trained | judged == {f"article-{s}" for s in range(12)}


def test_out_of_fold_probabilities_follow_the_signal_and_the_threshold_decides() -> None:
    out = fit_scorer.out_of_fold(_rows(sources=10, per_source=30), penalty=1.0, folds=5)
    low = [float(r["p"]) for r in out if r["features"]["coverage"] < 0.2]  # type: ignore[index]
    high = [float(r["p"]) for r in out if r["features"]["coverage"] > 0.8]  # type: ignore[index]
    assert sum(high) / len(high) > 0.7 > 0.3 > sum(low) / len(low)
    row = {**out[0], "p": 0.4, "blocked": False}
    assert fit_scorer.given(row, 0.35) and not fit_scorer.given(row, 0.45)
    assert fit_scorer.given(row, 0.0)
    assert not fit_scorer.given({**row, "blocked": True}, 0.35)  # a rule withholds it
    assert fit_scorer.given({**row, "blocked": True}, 0.0)  # 0: whatever the rules found
    assert not fit_scorer.given({**row, "abstained": True}, 0.0)


def _judged(name: str, p: float, right: bool, n: int) -> list[dict[str, object]]:
    row = {"set": name, "group": "answerable", "abstained": False, "blocked": False, "p": p, "right": right}
    return [dict(row) for _ in range(n)]


def test_the_threshold_is_the_lowest_at_which_both_all_answers_and_the_benchs_own_reach_the_target() -> None:
    # SQuAD's answers are right only above 0.55; TAT-QA's many right answers at 0.4 lift the pooled
    # precision to 0.875 from the lowest threshold, while SQuAD's own stays at 0.5 until 0.575
    rows = (
        _judged("squad", 0.55, False, 10) + _judged("squad", 0.7, True, 10) + _judged("tatqa", 0.4, True, 60)
    )
    assert fit_scorer.precisions(rows, 0.2) == (70 / 80, 0.5, 80)
    assert fit_scorer.lowest_threshold(rows, 0.8) == 0.575
    assert fit_scorer.lowest_threshold(rows, 0.5) == 0.2  # both at or above 0.5 from the start
    # a near miss answered wrong counts against the bench's precision; an off-topic question does not
    near = [{**r, "group": "near miss"} for r in _judged("squad", 0.9, False, 10)]
    off = [{**r, "group": "off-topic"} for r in _judged("squad", 0.9, False, 10)]
    assert fit_scorer.precisions(rows + near + off, 0.6) == (10 / 20, 10 / 20, 20)
    assert fit_scorer.lowest_threshold(rows + near, 0.8) == fit_scorer.THRESHOLDS[-1]  # never reached
