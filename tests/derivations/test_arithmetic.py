"""Exact arithmetic on figures as written: signs, scales, formulas, rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.derivations import arithmetic as ar


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("4,421.8", Decimal("4421.8")),
        ("(3.1)", Decimal("-3.1")),
        ("$ (1,200.5)", Decimal("-1200.5")),
        ("-78,816", Decimal("-78816")),
        ("12.5%", Decimal("12.5")),
        ("€ 1,450", Decimal("1450")),
        ("n/a", None),
        ("1.2 to 3.4", None),
    ],
)
def test_exact_value_reads_the_sign_and_keeps_the_decimals(text: str, value: Decimal | None) -> None:
    assert ar.exact_value(text) == value
    if value is not None:
        assert ar.places(ar.exact_value(text) or Decimal(0)) == ar.places(value)


def test_a_change_runs_from_the_old_to_the_new_and_writes_negatives_in_parentheses() -> None:
    value, formula = ar.change(Decimal("-980.0"), Decimal("-1200.5"))
    assert value == Decimal("-220.5")
    assert formula == "(-1,200.5) - (-980.0)"


def test_percentage_change_is_exact_and_refuses_a_zero_base() -> None:
    found = ar.percentage_change(Decimal("4029.3"), Decimal("4421.8"))
    assert found is not None
    value, formula = found
    assert ar.rounded(value, 2) == Decimal("9.74")
    assert formula == "(4,421.8 - 4,029.3) / 4,029.3 x 100"
    assert ar.percentage_change(Decimal(0), Decimal(5)) is None


def test_average_and_total_are_exact_decimals() -> None:
    assert ar.average([Decimal("0.1"), Decimal("0.2")]) == (Decimal("0.15"), "(0.1 + 0.2) / 2")
    assert ar.total([Decimal("0.1"), Decimal("0.2"), Decimal("-0.3")]) == (
        Decimal("0.0"),
        "0.1 + 0.2 + (-0.3)",
    )


def test_rescaling_between_known_scales_is_exact() -> None:
    assert ar.rescale(Decimal("60.3"), "million", "thousand") == Decimal("60300")
    assert ar.rescale(Decimal("5"), None, "thousand") == Decimal("5")


def test_half_up_rounding_as_reports_round() -> None:
    assert ar.rounded(Decimal("2.345"), 2) == Decimal("2.35")
    assert ar.signed(Decimal("392.5")) == "+392.5"
    assert ar.signed(Decimal("-21.7")) == "-21.7"
