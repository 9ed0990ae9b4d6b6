"""The scorer's features: what the rules miss (counted noun, subject, period) and off-topic signals."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from assistant.answering.features import (
    FEATURES,
    OTHER_SUBJECT,
    Evidence,
    answer_features,
    best_cover,
    missing_top,
    subject_words,
)
from assistant.answering.questions import analyse_question
from assistant.figures.extraction import sentence_figures
from assistant.storage.lexical import Analyzer

ANALYZE = Analyzer()
DILEMMAS = "MSMEs are faced with five dilemmas on the path towards digitalization."
HOOLI = "Hooli reported revenue of 75 million dollars in 2023, driven by its new compression product."
CHINA = "The scale of China's digital economy came to 45.5 trillion yuan in 2021."


def features(
    question: str, sentence: str, figure_text: str, *, context: str = "", **evidence_fields: object
) -> dict[str, float]:
    intent = analyse_question(question)
    figure = next(f for f in sentence_figures(sentence) if f.text == figure_text)
    evidence = Evidence(sentence, context, sentence, 0.5, 0.0, 0.5, figure=figure, score=2.0)
    evidence = replace(evidence, **evidence_fields)  # type: ignore[arg-type]
    weights = {t: 1.0 for t in ANALYZE(question)}
    return answer_features(
        question,
        intent,
        evidence,
        support=0.5,
        top_dense=0.5,
        passages=[sentence],
        weights=weights,
        analyze=ANALYZE,
    )


def test_every_feature_is_given_for_every_answer() -> None:
    out = features("How many dilemmas do MSMEs face?", DILEMMAS, "five dilemmas")
    assert list(out) == [*FEATURES, OTHER_SUBJECT]  # the model's features, then the rule's


def test_a_count_of_something_else_is_marked() -> None:
    asked = features("How many dilemmas do MSMEs face?", DILEMMAS, "five dilemmas")
    other = features("How many people were employed in the digital economy?", DILEMMAS, "five dilemmas")
    assert asked["noun_other"] == 0.0
    assert other["noun_other"] == 1.0


def test_the_asked_period_against_the_figures_period() -> None:
    same = features("What was Hooli's revenue in 2023?", HOOLI, "75 million dollars")
    other = features("What was Hooli's revenue in 2022?", HOOLI, "75 million dollars")
    assert (same["period_asked"], same["period_same"], same["period_other"]) == (1.0, 1.0, 0.0)
    assert (other["period_asked"], other["period_same"], other["period_other"]) == (1.0, 0.0, 1.0)


def test_the_subject_of_the_question_in_the_sentence() -> None:
    hooli = features("What was Hooli's revenue in 2023?", HOOLI, "75 million dollars")
    china = features("What was Hooli's revenue in 2021?", CHINA, "45.5 trillion yuan")
    assert hooli["subject_sentence"] == 1.0 and hooli["subject_passage"] == 1.0
    assert china["subject_sentence"] == 0.0 and china["subject_passage"] == 0.0


def test_the_subject_is_the_questions_names_first() -> None:
    intent = analyse_question("Who is the president of France?")
    assert subject_words("Who is the president of France?", intent) == ["france"]
    # without names: the topic words, but not the one naming the measured quantity
    intent = analyse_question("How much data did the factory produce?")
    assert subject_words("How much data did the factory produce?", intent) == ["factory", "produce"]


def test_the_measured_quantity_near_the_figure() -> None:
    near = features(
        "What was the unemployment rate in 2021?",
        "The unemployment rate was 5.1 percent in 2021.",
        "5.1 percent",
    )
    far = features(
        "What was the unemployment rate in 2021?",
        "Unemployment fell, officials said at length in a long report, and exports rose 5.1 percent in 2021.",
        "5.1 percent",
    )
    assert near["measure_near"] == 1.0
    assert far["measure_near"] == 0.0 and far["measure_sentence"] == 1.0


@pytest.mark.parametrize(
    ("passages", "expected"),
    [
        (["The president of France lives in Paris."], 1.0),
        (["The president of the academy spoke.", "France is a country."], 0.5),
        (["Nothing about it here."], 0.0),
    ],
)
def test_best_cover_is_the_most_any_one_passage_holds(passages: list[str], expected: float) -> None:
    weights = {"presid": 1.0, "franc": 1.0}
    assert best_cover(passages, weights, ANALYZE) == pytest.approx(expected)


def test_without_an_answer_only_the_questions_features_are_set() -> None:
    intent = analyse_question("How many people live in Warsaw?")
    out = answer_features(
        "How many people live in Warsaw?",
        intent,
        None,
        support=0.1,
        top_dense=0.2,
        passages=["Paris is large."],
        weights={"warsaw": 2.0, "live": 1.0},
        analyze=ANALYZE,
    )
    assert out["figure"] == 0.0 and out["coverage"] == 0.0
    assert out["kind_count"] == 1.0 and out["top_dense"] == 0.2 and out["best_cover"] == 0.0


def test_an_answer_from_a_passage_about_another_named_subject_is_marked() -> None:
    india = "India's digital economy stood at 285 billion dollars in 2020."
    china = "China's digital economy came to 45.5 trillion yuan in 2021."
    question = "How large was China's digital economy in 2020?"
    intent = analyse_question(question)
    figure = sentence_figures(india)[0]
    evidence = Evidence(india, "", india, 0.7, 0.0, 0.6, figure=figure)
    weights = {t: 1.0 for t in ANALYZE(question)}

    def other(passages: list[str]) -> float:
        found = answer_features(
            question,
            intent,
            evidence,
            support=0.7,
            top_dense=0.6,
            passages=passages,
            weights=weights,
            analyze=ANALYZE,
        )
        return found[OTHER_SUBJECT]

    assert other([india, china]) == 1.0  # China is named elsewhere, not in the answer's passage
    assert other([india]) == 0.0  # nothing else names it: the off-topic signals speak instead


def test_the_heaviest_missing_term_is_what_a_near_miss_lacks() -> None:
    weights = {"huguenot": 3.0, "arriv": 1.0, "year": 1.0}
    assert missing_top("Many Huguenots arrived that year.", weights, ANALYZE) == 0.0
    assert missing_top("Many settlers arrived that year.", weights, ANALYZE) == pytest.approx(3 / 5)
    assert missing_top("Huguenots came.", weights, ANALYZE) == pytest.approx(1 / 5)


def test_the_sentences_own_similarity_else_the_passages() -> None:
    unmeasured = features("What was Hooli's revenue in 2023?", HOOLI, "75 million dollars")
    measured = features("What was Hooli's revenue in 2023?", HOOLI, "75 million dollars", sentence_dense=0.8)
    assert unmeasured["sentence_dense"] == unmeasured["dense"] == 0.5
    assert measured["sentence_dense"] == 0.8 and measured["dense"] == 0.5


def test_the_place_in_the_rules_order_and_the_signed_margin() -> None:
    pick = features("What was Hooli's revenue in 2023?", HOOLI, "75 million dollars", runner_up=1.5)
    behind = features(
        "What was Hooli's revenue in 2023?", HOOLI, "75 million dollars", runner_up=2.3, choice=1
    )
    far_behind = features(
        "What was Hooli's revenue in 2023?", HOOLI, "75 million dollars", runner_up=9.0, choice=3
    )
    assert (pick["choice"], pick["margin"]) == (1.0, pytest.approx(0.5))
    assert (behind["choice"], behind["margin"]) == (0.5, pytest.approx(-0.3))
    assert (far_behind["choice"], far_behind["margin"]) == (0.25, -1.0)  # capped
    assert behind["margin_choice"] == pytest.approx(-0.15)


def test_the_passage_cover_and_the_figures_in_the_sentence() -> None:
    out = features("How many dilemmas do MSMEs face?", DILEMMAS, "five dilemmas")
    firms = DILEMMAS.replace("MSMEs", "Firms")
    other = features("How many dilemmas do MSMEs face?", firms, "five dilemmas")
    assert other["passage_cover"] < out["passage_cover"]
    assert out["sentence_figures"] == pytest.approx(math.log(2))  # one figure
    assert out["figure_coverage"] == out["coverage"] and out["figure_dense"] == out["dense"]
