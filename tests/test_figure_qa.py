"""The figure benchmarks' matching rule (bench/figure_qa.py): which answers count as right."""

from __future__ import annotations

import pytest

from assistant.figures.extraction import extract_figures
from bench.figure_qa import is_correct, normalise


def _judge(sentence: str, golds: list[str]) -> bool:
    """Whether the first figure of the sentence, given as the answer, matches a gold answer."""
    figure = extract_figures(sentence)[0]
    return is_correct(figure.text, figure, golds)


@pytest.mark.parametrize(
    ("sentence", "golds", "right"),
    [
        ("Over 2,000 buildings burned.", ["2,000"], True),  # the qualifier and the counted noun drop
        ("It cost $5 million.", ["5 million"], True),
        ("It took 3.5 billion years.", ["3.5 billion years ago"], False),  # nothing else is stripped
        ("He had 5½ sacks.", ["5½"], True),  # a fraction is part of its number ...
        ("He had 2½ sacks.", ["2", "two"], False),  # ... so 2½ is not 2
        ("He had 2½ sacks.", ["2 1/2"], True),  # and ½ reads as 1/2
    ],
)
def test_a_figure_answer_is_right_when_a_form_of_it_equals_a_gold(
    sentence: str, golds: list[str], right: bool
) -> None:
    assert _judge(sentence, golds) is right


def test_normalise_spells_numbers_and_fractions_one_way() -> None:
    assert normalise("Twenty-five") == normalise("25")
    assert normalise("the 75,000 fans") == "75000 fans"
    assert normalise("5½") == normalise("5 1/2") != normalise("5")
    assert normalise("5½") != normalise("51/2")


def test_an_abstention_is_never_right() -> None:
    assert not is_correct(None, None, ["2"])
