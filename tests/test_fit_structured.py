"""The structured-confidence refit's pure parts: reliability bins, the calibration error, the fit."""

from __future__ import annotations

import pytest

from assistant.answering.confidence import TABLE, TABLE_FEATURES
from bench.common import reliability
from bench.fit_structured import ABSTAINED, given, hand_set, model_of


def test_reliability_bins_by_confidence_and_weights_the_error_by_count() -> None:
    pairs = [(0.05, False), (0.15, False), (0.15, True), (0.95, True), (0.95, True), (1.0, False)]
    rows, ece = reliability(pairs)
    assert [(b, n) for b, n, _, _ in rows] == [
        ("0.0-0.1", 1),
        ("0.1-0.2", 2),
        ("0.9-1.0", 3),
    ]  # 1.0 in the last
    by_bin = {b: (m, r) for b, _, m, r in rows}
    assert by_bin["0.1-0.2"] == pytest.approx((0.15, 0.5))
    assert by_bin["0.9-1.0"] == pytest.approx((2.9 / 3, 2 / 3))
    expected = (1 * 0.05 + 2 * 0.35 + 3 * abs(2.9 / 3 - 2 / 3)) / 6
    assert ece == pytest.approx(expected)


def test_a_calibrated_set_has_no_error_and_an_overconfident_one_has() -> None:
    calibrated = [(0.25, i < 1) for i in range(4)] + [(0.75, i < 3) for i in range(4)]
    assert reliability(calibrated)[1] == pytest.approx(0.0)
    assert reliability([(0.95, i < 5) for i in range(10)])[1] == pytest.approx(0.45)


def test_the_fit_learns_that_a_clear_row_is_right_more_often() -> None:
    rows = [
        {"features": {"row_match": m, "column_match": 1.0}, "right": right}
        for m, rights in ((0.4, [True, False, False, False]), (1.0, [True, True, True, False]))
        for right in rights
        for _ in range(5)
    ]
    model = model_of(TABLE, rows, penalty=0.01, threshold=0.0)
    assert model.features == TABLE_FEATURES
    assert model.probability({"row_match": 0.4, "column_match": 1.0}) == pytest.approx(0.25, abs=0.02)
    assert model.probability({"row_match": 1.0, "column_match": 1.0}) == pytest.approx(0.75, abs=0.02)


def test_the_hand_set_formulas_are_the_ones_replaced_and_a_threshold_withholds() -> None:
    assert hand_set(TABLE, {"row_match": 1.0, "column_match": 1.0, "row_margin": 1.0}) == pytest.approx(1.0)
    assert hand_set("derived", {"min_match": 0.5, "min_margin": 0.25}) == pytest.approx(0.65)
    model = model_of(TABLE, [{"features": {"row_match": 1.0}, "right": r} for r in (True, False)], 1.0, 0.0)
    row = {"kind": TABLE, "features": {"row_match": 1.0}}
    assert given(row, {TABLE: model}, 0.4) and not given(row, {TABLE: model}, 0.6)
    assert given({"kind": "prose", "features": {}}, {TABLE: model}, 0.99)  # the prose scorer's to judge
    assert not given({"kind": ABSTAINED, "features": {}}, {TABLE: model}, 0.0)


def test_out_of_fold_judges_each_report_by_a_model_fitted_without_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import bench.fit_structured as fs

    rows = [
        {"report": n, "features": {"row_match": 0.4 + 0.6 * (i % 2), "column_match": 1.0}, "right": i % 3 > 0}
        for n in range(10)
        for i in range(6)
    ]
    fitted_on: list[set[int]] = []
    real = fs.model_of

    def recording(kind, rs, penalty, threshold):  # type: ignore[no-untyped-def]
        fitted_on.append({int(r["report"]) for r in rs})
        return real(kind, rs, penalty, threshold)

    monkeypatch.setattr(fs, "model_of", recording)
    pairs = fs.out_of_fold(TABLE, rows, penalty=1.0)
    assert len(pairs) == len(rows) and len(fitted_on) == fs.FOLDS
    for k, reports in enumerate(fitted_on):
        assert reports == {n for n in range(10) if n % fs.FOLDS != k}  # never its own fold
    assert all(0.0 < p < 1.0 for p, _ in pairs)
