"""Reading questions: the kind, unit, period, part and focus a question asks for."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.answering.questions import analyse_question

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
