"""Why the assistant abstained, in words: the confidence a withheld answer had, never shown as reaching the bar."""

from __future__ import annotations

from assistant.answering.reasons import below


def test_a_confidence_just_under_the_threshold_never_reads_as_reaching_it() -> None:
    assert below(0.4995, 0.5) == "has confidence 0.49 (below 0.5)"  # not "0.50 (below 0.5)"
    assert below(0.29, 0.475) == "has confidence 0.29 (below 0.475)"  # 0.29 * 100 is 28.999...
    assert below(0.0, 0.5) == "has confidence 0.00 (below 0.5)"
    assert below(0.62, 0.7) == "has confidence 0.62 (below 0.7)"
