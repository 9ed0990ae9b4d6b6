"""Scoring figures against a question: kind, unit, period, change and focus words; narrowing and numbers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.answering.fit import figure_fit, in_question, narrow, numbers_in, unit_fit
from assistant.answering.questions import QuestionIntent, analyse_question
from assistant.figures.extraction import extract_figures
from assistant.figures.model import Figure
from tests.answering.test_questions import (
    DATA_SENTENCE,
    GDP_SENTENCE,
    HUAWEI_SENTENCE,
    LUTHER_DEATH,
    LUTHER_WAKING,
)


def _ranked(question: str, sentence: str) -> list[str]:
    intent = analyse_question(question)
    figures = extract_figures(sentence)
    return [f.text for f in sorted(figures, key=lambda f: -figure_fit(f, intent, sentence))]


def _fit(question: str, sentence: str, surface: str) -> float:
    figure = next(f for f in extract_figures(sentence) if f.text == surface)
    return figure_fit(figure, analyse_question(question), sentence)


def test_share_question_prefers_the_percentage() -> None:
    question = "What share of GDP was the digital economy in 2021?"
    assert _ranked(question, GDP_SENTENCE)[0] == "39.8 percent"
    assert _fit(question, GDP_SENTENCE, "39.8 percent") > _fit(question, GDP_SENTENCE, "45.5 trillion yuan")


def test_size_question_prefers_the_amount() -> None:
    question = "How large was China's digital economy in 2021?"
    assert _ranked(question, GDP_SENTENCE)[0] == "45.5 trillion yuan"
    assert _fit(question, GDP_SENTENCE, "45.5 trillion yuan") > _fit(question, GDP_SENTENCE, "39.8 percent")


@pytest.mark.parametrize(
    ("question", "sentence", "best"),
    [
        ("How much data did China produce in 2021?", DATA_SENTENCE, "6.6ZB"),
        ("How fast did China's data output grow in 2021?", DATA_SENTENCE, "29.4 percent"),
        ("What rank did China's data output reach in the world?", DATA_SENTENCE, "second"),
        ("When did China's data output reach 6.6ZB?", DATA_SENTENCE, "2021"),
        ("How many people will Huawei connect by 2025?", HUAWEI_SENTENCE, "about 120 million people"),
        ("How many countries will Huawei reach by 2025?", HUAWEI_SENTENCE, "more than 80 countries"),
        ("By what year will Huawei connect 120 million people?", HUAWEI_SENTENCE, "2025"),
        # a time of day answers "what time", a date answers "when", a time only "when" with no date beside it
        ("At what time did Luther die?", LUTHER_DEATH, "2:45 a.m."),
        ("When did Luther die?", LUTHER_DEATH, "18 February 1546"),
        ("When did Luther waken with more chest pains?", LUTHER_WAKING, "1 a.m."),
    ],
)
def test_best_figure_in_a_sentence(question: str, sentence: str, best: str) -> None:
    assert _ranked(question, sentence)[0] == best


def test_a_count_of_a_plural_the_question_names_fits_as_the_number_asked_for() -> None:
    olsen = "Tight end Greg Olsen caught a career-high 77 passes for 1,104 yards and seven touchdowns."
    question = "What are the most passes that Greg Olsen has had?"
    assert _fit(question, olsen, "77 passes") >= _fit(question, olsen, "1,104 yards")
    # a singular noun names no count: "family" of "family size"
    families = "There were 111,529 families (70.4% of all households); the average family size was 3.62."
    question = "What was the average family size?"
    assert _fit(question, families, "111,529 families") < _fit(question, families, "3.62")


def test_matching_period_beats_another_year() -> None:
    question = "How large was China's digital economy in 2021?"
    other = GDP_SENTENCE.replace("in 2021", "in 2020")
    assert _fit(question, GDP_SENTENCE, "45.5 trillion yuan") > _fit(question, other, "45.5 trillion yuan")


def test_focus_words_near_the_figure_count() -> None:
    question = "What share of GDP was the digital economy in 2021?"
    unrelated = "In 2021, the share of cyclists in the city came to 39.8 percent."
    assert _fit(question, GDP_SENTENCE, "39.8 percent") > _fit(question, unrelated, "39.8 percent")


def test_not_a_figure_question_fits_nothing() -> None:
    intent = analyse_question("What is the digital economy?")
    assert all(figure_fit(f, intent, GDP_SENTENCE) == 0.0 for f in extract_figures(GDP_SENTENCE))


def test_figure_from_a_longer_text_is_found_in_its_sentence() -> None:
    text = "Intro sentence here. " + GDP_SENTENCE
    figure = next(f for f in extract_figures(text) if f.kind == "percent")
    intent = analyse_question("What share of GDP was the digital economy in 2021?")
    assert figure_fit(figure, intent, GDP_SENTENCE) == pytest.approx(
        figure_fit(figure, intent, text), abs=0.2
    )
    assert figure_fit(figure, intent, GDP_SENTENCE) > 0.8


_KINDS = st.sampled_from(
    ["money", "percent", "count", "data_size", "duration", "date", "year", "ordinal", "number"]
)


@settings(max_examples=200, deadline=None)
@given(
    st.builds(
        Figure,
        text=st.text(max_size=20),
        start=st.integers(-5, 300),
        end=st.integers(-5, 300),
        value=st.none() | st.floats(allow_nan=False, allow_infinity=False),
        unit=st.none() | st.sampled_from(["yuan", "percent", "people", "base stations", "rank", "years"]),
        kind=_KINDS,
        change=st.none() | st.just("increase"),
        period=st.none() | st.sampled_from(["2021", "as of June", "by 2025"]),
    ),
    st.builds(
        QuestionIntent,
        kind=st.none() | _KINDS,
        units=st.lists(st.sampled_from(["yuan", "percent", "people", "stations"]), max_size=2).map(tuple),
        period=st.none() | st.sampled_from(["2021", "2022", "last year"]),
        focus=st.lists(st.sampled_from(["digital", "economy", "gdp", "x"]), max_size=3).map(tuple),
        change=st.booleans(),
    ),
    st.text(max_size=200),
)
def test_fit_is_between_zero_and_one(figure: Figure, intent: QuestionIntent, sentence: str) -> None:
    assert 0.0 <= figure_fit(figure, intent, sentence) <= 1.0


def test_narrow_cuts_the_asked_part_from_a_figure() -> None:
    text = "On June 4, 2014, the physician Wei Yilin (1277–1347) was honoured."
    date, span = extract_figures(text)
    year = narrow(date, "year")
    assert (year.text, year.kind, year.value) == ("2014", "year", 2014.0)
    assert text[year.start : year.end] == "2014"
    born, died = narrow(span, "start"), narrow(span, "end")
    assert (born.text, born.value, died.text, died.value) == ("1277", 1277.0, "1347", 1347.0)
    assert text[died.start : died.end] == "1347"
    assert narrow(date, None) == date and narrow(span, "year") == span


def test_numbers_the_question_names() -> None:
    assert {"50", "13", "7"} <= numbers_in("How many yards was the field goal that made Super Bowl 50 13-7?")
    assert "3" in numbers_in("Who won three titles?")
    super_bowl = next(
        f for f in extract_figures("Super Bowl 50 drew 71,088 people and 50 bands.") if f.value == 50
    )
    assert in_question(super_bowl, numbers_in("Who played at Super Bowl 50?"))
    assert not in_question(super_bowl, numbers_in("How many bands played?"))


def test_a_figure_dated_in_another_year_does_not_fit() -> None:
    question = "How large was China's digital economy in 2020?"
    assert _fit(question, GDP_SENTENCE, "45.5 trillion yuan") == 0.0


def test_a_figure_of_a_distant_kind_does_not_fit() -> None:
    intent = analyse_question("How much revenue did the company earn?")
    count = extract_figures("The company has three stages.")[0]
    assert figure_fit(count, intent, "The company has three stages.") == 0.0


def test_a_name_in_parentheses_after_a_count_is_its_unit() -> None:
    sentence = "China has more than 40 million micro, small and medium-sized enterprises (MSMEs)."
    figure = extract_figures(sentence)[0]
    intent = analyse_question("How many MSMEs does China have?")
    assert unit_fit(figure, intent, sentence) == 1.0
    assert unit_fit(figure, intent) < 1.0
