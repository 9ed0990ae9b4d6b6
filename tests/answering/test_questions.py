"""Tests for question analysis and for how well a figure fits a question."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.answering.questions import (
    QuestionIntent,
    analyse_question,
    figure_fit,
    in_question,
    narrow,
    numbers_in,
    unit_fit,
)
from assistant.figures.extraction import extract_figures
from assistant.figures.model import Figure

GDP_SENTENCE = (
    "The China Internet Development Report 2022 released during the 2022 World Internet Conference Wuzhen Summit "
    "shows that the scale of China's digital economy came to 45.5 trillion yuan in 2021, accounting for 39.8 percent "
    "of China's GDP."
)
DATA_SENTENCE = (
    "In 2021, China's data output came to 6.6ZB, with a year-on-year increase of 29.4 percent, ranking the second "
    "in the world."
)
HUAWEI_SENTENCE = (
    "Huawei will ensure access to the digital society for about 120 million people in remote areas in more than 80 "
    "countries by 2025."
)

LUTHER_DEATH = (
    "An apoplectic stroke deprived him of his speech, and he died shortly afterwards at 2:45 a.m. on 18 February "
    "1546, aged 62, in Eisleben, the city of his birth."
)
LUTHER_WAKING = "At 1 a.m. he awoke with more chest pain and was warmed with hot towels."

# (question, kind, units that must be among intent.units, period, focus words that must be present, change)
QUESTIONS: list[tuple[str, str | None, tuple[str, ...], str | None, tuple[str, ...], bool]] = [
    ("How large was China's digital economy in 2021?", "money", (), "2021", ("digital", "economy"), False),
    (
        "What share of GDP was the digital economy in 2021?",
        "percent",
        ("percent",),
        "2021",
        ("gdp", "digital"),
        False,
    ),
    ("How many 5G base stations does China have?", "count", ("base stations",), None, ("5g", "china"), False),
    ("How many MSMEs does China have?", "count", ("MSMEs",), None, ("china",), False),
    ("How many people will Huawei connect by 2025?", "count", ("people",), "2025", ("huawei",), False),
    ("How many countries will Huawei reach?", "count", ("countries",), None, ("huawei",), False),
    ("How much data did China produce in 2021?", "data_size", (), "2021", ("data", "produce"), False),
    ("How big was China's data output?", "data_size", (), None, ("data", "output"), False),
    (
        "What percentage of market entities are MSMEs?",
        "percent",
        ("percent",),
        None,
        ("market", "entities"),
        False,
    ),
    (
        "What proportion of key processes were digitally controlled as of June?",
        "percent",
        (),
        None,
        ("processes",),
        False,
    ),
    (
        "What was the popularity rate of digital R&D tools?",
        "percent",
        (),
        None,
        ("popularity", "tools"),
        False,
    ),
    ("How fast did China's data output grow in 2021?", "percent", (), "2021", ("data", "output"), True),
    ("What was the growth rate of China's data output?", "percent", (), None, ("output",), True),
    ("By how much did revenue increase in fiscal 2019?", "money", (), "2019", ("revenue",), True),
    ("What rank did China's data output reach in the world?", "ordinal", (), None, ("data", "world"), False),
    ("Where does China rank in data output?", "ordinal", (), None, ("china", "data"), False),
    ("When was the China International Digital Economy Expo held?", "year", (), None, ("expo",), False),
    ("What year did ANEXT Bank open in Singapore?", "year", (), None, ("anext", "singapore"), False),
    ("In which year did Luther die?", "year", (), None, ("luther", "die"), False),
    ("On what date was the expo held?", "date", (), None, ("expo",), False),
    ("What day was Super Bowl 50 played?", "date", (), None, ("super", "bowl"), False),
    ("How long did the transformation of Binjiang Factory take?", "duration", (), None, ("binjiang",), False),
    ("How many years did All My Children run?", "duration", ("years",), None, ("children",), False),
    ("How old was Luther when he married?", "duration", ("years",), None, ("luther",), False),
    ("How much did the Apollo program cost?", "money", (), None, ("apollo", "cost"), False),
    (
        "How much was the digital economy worth in yuan?",
        "money",
        ("yuan",),
        None,
        ("digital", "economy"),
        False,
    ),
    ("What was BCE's revenue in Q4 2019?", "money", (), "2019", ("bce", "revenue"), False),
    ("What was the population of Fresno in 2015?", "count", (), "2015", ("fresno",), False),
    (
        "How many points did the Panthers defense surrender?",
        "count",
        ("points",),
        None,
        ("panthers", "defense"),
        False,
    ),
    ("What year did the Normans conquer England?", "year", (), None, ("normans", "england"), False),
    ("What was the final score of Super Bowl 50?", "number", ("score",), None, ("super", "bowl"), False),
    ("How tall was the command module?", "number", (), None, ("command", "module"), False),
    (
        "How many people lived in Fresno when the census was taken?",
        "count",
        ("people",),
        None,
        ("fresno",),
        False,
    ),
    ("What years did the original series run?", "year", (), None, ("original", "series"), False),
    ("For which TV season did color become dominant?", "year", (), None, ("color",), False),
    ("What was the only year that no series was filmed?", "year", (), None, ("series", "filmed"), False),
    ("What was the wedding date?", "date", (), None, ("wedding",), False),
    ("What was Fresno's population in 2010?", "count", (), "2010", ("fresno",), False),
    (
        "What was ABC's viewership share in 1993?",
        "percent",
        ("percent",),
        "1993",
        ("abc", "viewership"),
        False,
    ),
    ("What was Ronnie Hillman's average yards per carry?", "number", (), None, ("hillman",), False),
    ("How much rain does Fresno get on average?", "number", (), None, ("rain", "fresno"), False),
    ("What was the depreciation amount in 2018?", "money", (), "2018", ("depreciation",), False),
    ("What was the increase in cash from operations in 2019?", "money", (), "2019", ("cash",), True),
    ("When did Luther write the Large Catechism?", "year", (), None, ("large", "catechism"), False),
    (
        "What was the win/loss ratio in 2015 for the Carolina Panthers?",
        "number",
        ("score",),
        "2015",
        ("carolina", "panthers"),
        False,
    ),
    ("What was the Panthers' regular season record?", "number", ("score",), None, ("panthers",), False),
    ("What is the world record for the marathon?", None, (), None, ("world", "record", "marathon"), False),
    ("What is the digital economy?", None, (), None, ("digital", "economy"), False),
    ("Who is the chairman of Alibaba Group?", None, (), None, ("chairman", "alibaba"), False),
    ("Why is data a key factor of production?", None, (), None, ("data", "production"), False),
    ("Which team won Super Bowl 50?", None, (), None, ("team", "won"), False),
    (
        "At what time did Martin Luther die?",
        "date",
        ("time of day",),
        None,
        ("martin", "luther", "die"),
        False,
    ),
    (
        "What time do the MSPs normally decide on the motions?",
        "date",
        ("time of day",),
        None,
        ("msps",),
        False,
    ),
    ("During what time was civilization in the Amazon flourishing?", "year", (), None, ("amazon",), False),
    ("What time period does the Seven Years War cover?", "year", (), None, ("seven", "war"), False),
    # figure questions not worded "how many" / "what year": a unit named last, a comparison, typos, contractions
    ("What will the trophy weigh in pounds?", "number", ("pounds",), None, ("trophy",), False),
    ("What does the command module weigh?", "number", (), None, ("command", "module"), False),
    ("Pressures greater than what can lead to convulsions?", "number", (), None, ("pressures",), False),
    (
        "Up to what age do pupils attend preparatory schools?",
        "duration",
        ("years",),
        None,
        ("pupils",),
        False,
    ),
    ("What was the time limit on the recantation?", "duration", (), None, ("recantation",), False),
    ("What is the life expectancy in Fresno?", "duration", (), None, ("fresno",), False),
    ("How may yards did Manning throw?", "number", ("yards",), None, ("manning",), False),
    ("What's the average noise level in Newcastle?", "number", (), None, ("noise", "newcastle"), False),
    ("What might the fees to attend a boarding school rise to?", "money", (), None, ("boarding",), False),
    ("What would a parent have to pay for boarding school?", "money", (), None, ("parent",), False),
    ("What is the upper range of annual fees for day pupils?", "money", (), None, ("pupils",), False),
    ("What anniversary of the franchise was celebrated?", "ordinal", (), None, ("franchise",), False),
    ("What is Jacksonville's ranking by population?", "ordinal", (), None, ("jacksonville",), False),
    ("What range of years was the warming compared to?", "year", (), None, ("warming",), False),
    ("Over what duration will the cost be recognized?", "duration", (), None, ("recognized",), False),
    ("What did the new stadium cost to build?", "money", (), None, ("stadium",), False),
    ("What was China's data output in 2021?", "data_size", (), "2021", ("china", "data", "output"), False),
    (
        "What were Australia's coal exports last year?",
        "number",
        (),
        "last year",
        ("australia", "coal"),
        False,
    ),
    # the wording of financial reports
    (
        "What were the G&A expenses, as a percentage of total revenue?",
        "percent",
        ("percent",),
        None,
        (),
        False,
    ),
    ("How many million of receivables were sold in 2019?", "money", (), "2019", ("receivables",), False),
    ("What was the one-time transition tax in 2017?", "money", (), "2017", ("transition",), False),
    ("What was the company's accrued interest in 2019?", "money", (), "2019", ("accrued",), False),
    (
        "What is proportion of the 10 largest customers in receivables?",
        "percent",
        (),
        None,
        ("customers",),
        False,
    ),
    (
        "What is the weighted average remaining amortization period?",
        "duration",
        (),
        None,
        ("weighted",),
        False,
    ),
    ("What is the remaining estimated life of plan participants?", "duration", (), None, ("plan",), False),
    ("What was the market price per share of Prozone?", "money", (), None, ("prozone",), False),
    ("What was the average USD-INR exchange rate in 2019?", "number", (), "2019", ("exchange",), False),
    # ... and questions that only look like them
    ("Why is net debt analysed as a proportion of EBITDA?", None, (), None, ("debt",), False),
    ("What is included among non-financial assets?", None, (), None, ("assets",), False),
    ("What does the cost of products revenue comprise of?", None, (), None, ("products", "revenue"), False),
    ("What is the company paid on a cost-plus type contract?", None, (), None, ("contract",), False),
    ("How may this be explained?", None, (), None, ("explained",), False),
    ("What age of exploration began with Columbus?", None, (), None, ("exploration",), False),
    ("Who did Noble acquire the rights from in Manhattan?", None, (), None, ("noble",), False),
]


@pytest.mark.parametrize(
    ("question", "kind", "units", "period", "focus", "change"), QUESTIONS, ids=[q[0] for q in QUESTIONS]
)
def test_analyse_question(
    question: str,
    kind: str | None,
    units: tuple[str, ...],
    period: str | None,
    focus: tuple[str, ...],
    change: bool,
) -> None:
    intent = analyse_question(question)
    assert intent.kind == kind
    assert set(units) <= set(intent.units), intent.units
    assert intent.period == period
    assert set(focus) <= set(intent.focus), intent.focus
    assert intent.change == change


def test_focus_drops_question_words_stopwords_and_the_period() -> None:
    intent = analyse_question("How large was China's digital economy in 2021?")
    assert intent.focus == ("china", "digital", "economy")


def test_at_least_thirty_questions() -> None:
    assert len(QUESTIONS) >= 30


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


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_analyse_never_raises(question: str) -> None:
    intent = analyse_question(question)
    assert intent.kind is None or isinstance(intent.kind, str)


@pytest.mark.parametrize(
    ("question", "part"),
    [
        ("In what year did the league announce the change?", "year"),
        ("When did the league announce the change?", None),
        ("When was Zhu Shijie born?", "start"),
        ("When did Wei Yilin die?", "end"),
        ("When did the Ottoman Empire fall?", "end"),
        ("How many MSMEs does China have?", None),
    ],
)
def test_the_part_of_a_time_asked_for(question: str, part: str | None) -> None:
    assert analyse_question(question).part == part


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


@pytest.mark.parametrize(
    ("question", "measure"),
    [
        ("What was the unemployment rate in China in 2022?", ("unemployment",)),
        ("How much data did China produce in 2021?", ("data",)),
        ("How many 5G base stations does China have?", ("5g", "base", "stations")),
        ("How much money did the host committee raise?", ()),
        ("How many people will Huawei connect?", ()),
        ("Who is the chairman of Huawei?", ()),
        ("How many kgs of moon rocks did the program bring back?", ()),
        ("How much time remained on the clock when the Broncos made the interception?", ()),
        ("How many people attended the game?", ()),
    ],
)
def test_what_the_question_measures(question: str, measure: tuple[str, ...]) -> None:
    assert analyse_question(question).measure == measure


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
