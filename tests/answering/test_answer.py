"""Answer assembly on hand-made hits: abstention, sentence answers, the figure that fits, the other figures."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.answering.answer import build_answer
from assistant.answering.questions import analyse_question
from assistant.answering.results import ABSTAIN, Answer
from assistant.answering.support import BORROWED, question_weights
from assistant.assistant import Assistant
from assistant.ingest.chunking import Chunk
from assistant.retrieval.search import Hit
from assistant.schema import HitOut, json_object
from assistant.storage.lexical import Analyzer
from tests.fakes import FakeEmbedder

ANALYZE = Analyzer()

GDP = (
    "The China Internet Development Report 2022 shows that the scale of China's digital economy came to 45.5 "
    "trillion yuan in 2021, accounting for 39.8 percent of China's GDP."
)
DATA = "In 2021, China's data output came to 6.6ZB, with a year-on-year increase of 29.4 percent."
PEOPLE = (
    "Zhang Yong, chairman of the Board of Directors and CEO of Alibaba Group, said that the digital economy "
    "is rooted in the real economy."
)
HARBOUR = (
    "The harbour handled 12 million containers last year. Dockers unloaded 300 ships in a single month, "
    "and the quay was extended by 450 metres."
)
REVENUE = "In 2020, revenue was $10 million. In 2021, revenue rose to $12 million."
TOOLS = "As of June, the popularity rate of digital R&D tools reached 75.1 percent across China's industry."


def hit(text: str, *, doc: str = "doc", start: int = 0, title: str = "", score: float = 1.0) -> Hit:
    chunk = Chunk(f"{doc}:{start}", doc, start, start + len(text), text)
    return Hit(chunk, score, title, f"{doc}.txt", dense=0.5, lexical=1.0)


def idf_over(texts: list[str]) -> Callable[[str], float]:
    """Inverse document frequency over the given passages, as the index computes it over its chunks."""
    docs = [set(ANALYZE(t)) for t in texts]

    def idf(term: str) -> float:
        df = sum(term in d for d in docs)
        return math.log(1.0 + (len(docs) - df + 0.5) / (df + 0.5))

    return idf


def ask(question: str, *texts: str, min_confidence: float | None = 0.0) -> Answer:
    """The rules' answer (min_confidence 0: the scorer never withholds it; see the scorer tests below)."""
    hits = [hit(t, doc=f"doc{i}", score=1.0 - i / 10) for i, t in enumerate(texts)]
    return build_answer(
        question, hits, analyze=ANALYZE, idf=idf_over(list(texts)), min_confidence=min_confidence
    )


# --- abstention ------------------------------------------------------------------------------------------


def test_no_support_abstains_and_still_cites_the_closest_passages() -> None:
    answer = ask("How many penguins live in Antarctica?", HARBOUR, GDP)
    assert answer.abstained
    assert answer.answer == ABSTAIN
    assert answer.figure is None and answer.sentence is None and answer.figures == ()
    assert [c.doc_id for c in answer.citations] == ["doc0", "doc1"]
    assert answer.to_dict()["citations"][0]["text"] == HARBOUR


def test_no_hits_abstains() -> None:
    answer = build_answer("How large was China's digital economy?", [], analyze=ANALYZE)
    assert answer.abstained and answer.citations == ()


def test_a_figure_for_another_year_is_not_the_answer() -> None:
    answer = ask("How large was China's digital economy in 2020?", GDP)
    assert answer.abstained


# Figure choice, one rule per group: (question, the one passage, the expected answer).
FIGURE_CHOICE: dict[str, list[tuple[str, str, str]]] = {
    "a figure dated by another year is ruled out unless the dating is in doubt": [
        (  # the sentence names 2005 but dates no figure by it: the figure dated 2009 is not ruled out
            "How much was NASA's spending on the Apollo program estimated to be in 2005 after inflation?",
            "In 2009, NASA held a symposium on project costs which presented an estimate of the Apollo program "
            "costs in 2005 dollars as roughly $170 billion.",
            "roughly $170 billion",
        ),
        (  # another figure is dated by the asked year: that one, not the figure of 2021
            "What was the revenue in 2020?",
            "Revenue was $12 million in 2021, up from $10 million in 2020.",
            "$10 million",
        ),
        (
            "What was the revenue in 2019?",
            "Revenue was $12 million in 2021, up from $10 million in 2020.",
            ABSTAIN,
        ),
    ],
    "a part stands as near the question words as its whole": [
        (
            "How many of the previous MVPs appeared at the pregame show?",
            "The pregame show featured the on-field introduction of 39 of the 43 previous Super Bowl MVPs.",
            "39",
        ),
        (
            "How many hymns did Luther write for the first choral hymnal?",
            "Luther wrote 24 of the 32 hymns in the first choral hymnal, with settings by Johann Walter.",
            "24",
        ),
    ],
    "a count of what the question names is the number asked for": [
        (
            "What are the most passes that Greg Olsen has had?",
            "Tight end Greg Olsen caught a career-high 77 passes for 1,104 yards and seven touchdowns.",
            "77 passes",
        ),
    ],
    "a figure in another clause stands further from the question words": [
        (
            "In what year did ABC resume its television relationship with Disney?",
            "As a result, ABC and Disney's first television collaboration ended in 1961 (the network would resume "
            "its relationship with Disney in 1985, when the anthology series returned to the network).",
            "1985",
        ),
        (
            "When did Doctor Who win an award for Best Drama Series?",
            "The show has received recognition as one of Britain's finest television programmes, winning the 2006 "
            "British Academy Television Award for Best Drama Series and five consecutive (2005–2010) awards at the "
            "National Television Awards during Russell T Davies' tenure as executive producer.",
            "2006",
        ),
    ],
    "a year after since answers how long": [
        (
            "How long has Radio Tyneside been the voluntary hospital radio service?",
            "Radio Tyneside has been the voluntary hospital radio service for most hospitals across Newcastle and "
            "Gateshead since 1951, broadcasting on Hospedia and online.",
            "1951",
        ),
        (
            "How long has the Doctor Who Magazine been in circulation?",
            "Numerous non-fiction books about the series have also been published, and a dedicated Doctor Who "
            "Magazine with newsstand circulation has been published regularly since 1979.",
            "1979",
        ),
    ],
}


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [pytest.param(*case, id=rule) for rule, cases in FIGURE_CHOICE.items() for case in cases],
)
def test_the_figure_chosen_from_one_passage(question: str, text: str, expected: str) -> None:
    assert ask(question, text).answer == expected


def test_a_figure_of_an_unrelated_kind_is_not_the_answer() -> None:
    # the sentence is about Alibaba, but it holds no money figure: a count would be an unrelated number
    answer = ask("How much revenue did Alibaba Group earn?", PEOPLE + " It named three stages of growth.")
    assert answer.abstained


def test_a_missing_key_word_abstains_rather_than_answer_another_rate() -> None:
    answer = ask("What was the unemployment rate in China?", TOOLS, GDP)
    assert answer.abstained
    assert ask("What was the popularity rate of digital R&D tools?", TOOLS, GDP).answer == "75.1 percent"


# --- sentences and figures -------------------------------------------------------------------------------


def test_a_question_not_asking_for_a_figure_gets_the_best_sentence() -> None:
    answer = ask("Who is the chairman of Alibaba Group?", GDP, PEOPLE)
    assert not answer.abstained
    assert answer.figure is None
    assert answer.answer == PEOPLE
    assert answer.sentence is not None and answer.sentence.text == PEOPLE and answer.sentence.citation == 2


MISSIONS = (
    "Apollo 8 was the first manned spacecraft to orbit another celestial body, while the final Apollo 17 "
    "mission marked the sixth Moon landing."
)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Which Apollo mission was the sixth Moon landing?", "Apollo 17"),
        ("Which spacecraft first orbited another celestial body?", "Apollo 8"),
        ("What mission marked the sixth Moon landing after Apollo 8?", "Apollo 17"),
        ("Which report gave the scale of the digital economy?", "China Internet Development Report 2022"),
    ],
)
def test_a_question_for_a_numbered_name_gets_the_name_with_its_sentence(question: str, expected: str) -> None:
    answer = ask(question, GDP, MISSIONS)
    assert answer.answer == expected and answer.figure is None
    assert answer.sentence is not None and expected in answer.sentence.text


def test_a_name_question_without_such_a_name_gets_the_sentence() -> None:
    answer = ask("Which mission did the digital economy report describe?", GDP)
    assert answer.answer == GDP


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How large was China's digital economy in 2021?", "45.5 trillion yuan"),
        ("What share of China's GDP did the digital economy account for?", "39.8 percent"),
        ("How much data did China produce in 2021?", "6.6ZB"),
        ("How fast did China's data output grow in 2021?", "29.4 percent"),
    ],
)
def test_the_figure_of_the_asked_kind_is_chosen(question: str, expected: str) -> None:
    answer = ask(question, GDP, DATA)
    assert answer.answer == expected
    assert answer.figure is not None and answer.figure.figure.text == expected
    assert answer.sentence is not None and expected in answer.sentence.text


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How many containers did the harbour handle last year?", "12 million containers"),
        ("How many ships did the dockers unload in a month?", "300 ships"),
        ("By how many metres was the quay extended?", "450 metres"),
    ],
)
def test_the_figure_with_the_asked_unit_is_chosen(question: str, expected: str) -> None:
    assert ask(question, HARBOUR).answer == expected


def test_the_figure_for_the_asked_period_is_chosen() -> None:
    assert ask("What was the revenue in 2021?", REVENUE).answer == "$12 million"
    assert ask("What was the revenue in 2020?", REVENUE).answer == "$10 million"


def test_a_number_the_question_names_is_not_the_answer() -> None:
    text = "Super Bowl 50 was watched by 111.9 million viewers, and 71,088 people attended the game."
    assert ask("How many people attended Super Bowl 50?", text).answer == "71,088 people"


def test_the_figure_nearest_the_question_words_is_chosen() -> None:
    text = "23.9% of households had children under 18, 43.8% were married couples and 15.2% had a female householder."
    assert ask("What percentage of households had a female householder?", text).answer == "15.2%"
    assert ask("What percentage of households had children under 18?", text).answer == "23.9%"


def test_a_conversion_in_parentheses_gives_way_unless_its_unit_is_asked() -> None:
    text = "Fresno is approximately 220 miles (350 km) northwest of Los Angeles."
    assert ask("How far is Fresno from Los Angeles?", text).answer == "approximately 220 miles"
    assert ask("How many km is Fresno from Los Angeles?", text).answer == "350 km"


@pytest.mark.parametrize(
    ("follow_up", "standalone", "own", "borrowed"),
    [
        (
            "And what share of GDP was that?",
            "And what share of GDP was India's digital economy in 2022?",
            "gdp",
            "india",
        ),
        (
            "How many agents were there?",
            "How many agents were there in Kenya's mobile money in 2021?",
            "agent",
            "kenya",
        ),
    ],
)
def test_words_borrowed_from_an_earlier_question_weigh_less(
    follow_up: str, standalone: str, own: str, borrowed: str
) -> None:
    weights = question_weights(follow_up, analyse_question(standalone), ANALYZE, None)
    assert weights[ANALYZE(own)[0]] == 1.0
    assert weights[ANALYZE(borrowed)[0]] == BORROWED


def test_the_part_of_a_time_the_question_asks_for() -> None:
    text = "On June 4, 2014, the league announced the change, and the physician Wei Yilin (1277–1347) was honoured."
    assert ask("In what year did the league announce the change?", text).answer == "2014"
    assert ask("When did the league announce the change?", text).answer == "June 4, 2014"
    assert ask("When was the physician Wei Yilin born?", text).answer == "1277"
    assert ask("When did the physician Wei Yilin die?", text).answer == "1347"


def test_the_chosen_figure_is_cited_with_its_sentence() -> None:
    answer = ask("How much data did China produce in 2021?", GDP, DATA)
    assert answer.figure is not None
    assert answer.figure.citation == 2
    out = answer.to_dict()["figure"]
    assert out["text"] == "6.6ZB" and out["kind"] == "data_size" and out["unit"] == "ZB"
    assert out["value"] == pytest.approx(6.6) and out["period"] == "2021" and out["citation"] == 2
    assert out["qualifier"] is None
    assert (
        DATA[: out["end"]].endswith("6.6ZB") or answer.figure.sentence[out["start"] : out["end"]] == "6.6ZB"
    )


# --- what each citation is cited for -------------------------------------------------------------------

FILLER = (
    "The report was released at a summit in Wuzhen, a water town in Zhejiang Province, in the autumn. " * 3
)


def test_each_citation_focuses_on_the_sentence_it_is_cited_for() -> None:
    first, second = FILLER + GDP, PEOPLE + " " + DATA
    answer = ask("How much data did China produce in 2021?", first, second)
    assert answer.sentence is not None and answer.sentence.citation == 2
    focus = {c.n: c.focus for c in answer.citations}
    # the answer's passage: its sentence, in document offsets (the hit starts at 0)
    assert focus[2] is not None and second[focus[2][0] : focus[2][1]] == DATA
    # another passage: its sentence holding most of the question's terms, not its first
    assert focus[1] is not None and first[focus[1][0] : focus[1][1]] == GDP
    assert answer.to_dict()["citations"][1]["focus"] == {"start": focus[2][0], "end": focus[2][1]}


def test_a_passage_without_the_questions_words_has_no_focus() -> None:
    answer = ask("How much data did China produce in 2021?", DATA, HARBOUR)
    assert [c.focus is None for c in answer.citations] == [False, True]
    assert answer.to_dict()["citations"][1]["focus"] is None


def test_an_abstention_still_focuses_its_closest_passages() -> None:
    answer = ask("What was the unemployment rate in China in 2022?", FILLER + GDP)
    assert answer.abstained
    (cited,) = answer.citations
    assert cited.focus is not None and cited.text[cited.focus[0] : cited.focus[1]] == GDP


def test_an_excerpt_starts_at_the_focus_only_when_it_would_not_be_shown() -> None:
    answer = ask("How large was China's digital economy in 2021?", FILLER + GDP, GDP + " " + FILLER)
    far, near = answer.citations
    assert far.excerpt(120) == "…" + GDP  # the sentence ends past 120 characters: start there
    assert far.excerpt(len(FILLER + GDP)) == FILLER + GDP  # it fits: the passage from its start
    assert near.excerpt(len(GDP)) == near.text


# --- the other figures -----------------------------------------------------------------------------------


def test_figures_are_the_other_figures_of_the_cited_passages() -> None:
    answer = ask("How large was China's digital economy in 2021?", GDP, DATA)
    texts = [f.figure.text for f in answer.figures]
    assert "45.5 trillion yuan" not in texts
    assert texts[:2] == ["2021", "39.8 percent"]  # the answer sentence's own figures come first
    assert {"6.6ZB", "29.4 percent"} <= set(texts)  # then those of the other cited passages
    assert {f.citation for f in answer.figures if f.figure.text == "6.6ZB"} == {2}


def test_figures_are_listed_once_when_passages_overlap() -> None:
    overlap = [hit(GDP, doc="report", start=0), hit(GDP + " " + DATA, doc="report", start=0, score=0.9)]
    answer = build_answer(
        "How large was China's digital economy in 2021?", overlap, analyze=ANALYZE, min_confidence=0.0
    )
    texts = [f.figure.text for f in answer.figures]
    assert len(texts) == len(set(texts))
    assert texts.count("39.8 percent") == 1 and "6.6ZB" in texts


def test_figures_leave_out_the_date_a_year_was_cut_from() -> None:
    text = "On June 4, 2014, the league announced the change before 71,088 people."
    answer = ask("In what year did the league announce the change?", text)
    assert answer.answer == "2014"
    assert [f.figure.text for f in answer.figures] == ["71,088 people"]


def test_a_sentence_answer_lists_the_figures_of_the_cited_passages() -> None:
    answer = ask("Who is the chairman of Alibaba Group?", PEOPLE, GDP)
    assert answer.figure is None
    assert "45.5 trillion yuan" in [f.figure.text for f in answer.figures]


# --- through the Assistant, on a tiny index built with the fake embedder ---------------------------------


def test_ask_on_a_tiny_index(index_dir: Path, fake: FakeEmbedder) -> None:
    assistant = Assistant.open(index_dir, embedder=fake)
    answer = assistant.ask("How many containers did the harbour handle last year?")
    assert answer.answer == "12 million containers"
    assert answer.citations[answer.figure.citation - 1].doc_id == "harbour.md"  # type: ignore[union-attr]
    assert assistant.ask("How many penguins live in Antarctica?").abstained


def test_search_hits_focus_on_the_sentence_holding_most_of_the_query() -> None:
    from assistant.answering.support import focus_hits

    text = FILLER + DATA
    hits = [hit(text, doc="report", start=100), hit(HARBOUR, doc="harbour")]
    first, second = focus_hits("China data output", hits, ANALYZE, idf_over([text, HARBOUR]))
    assert first.focus is not None and text[first.focus[0] - 100 : first.focus[1] - 100] == DATA
    assert second.focus is None  # no sentence holds a term of the query
    assert json_object(HitOut.of(first, 1))["focus"] == {"start": first.focus[0], "end": first.focus[1]}


# --- the scorer's verdict ------------------------------------------------------------------------------


def test_every_answer_carries_a_confidence_and_its_features() -> None:
    answer = ask("How large was China's digital economy in 2021?", GDP, PEOPLE)
    assert 0.0 < answer.confidence < 1.0
    assert answer.to_dict()["confidence"] == round(answer.confidence, 3)
    assert answer.features["coverage"] > 0 and answer.features["figure"] == 1.0
    assert "features" not in answer.to_dict()


def test_below_the_minimum_the_answer_is_withheld_with_the_reason() -> None:
    given = ask("How large was China's digital economy in 2021?", GDP, PEOPLE)
    withheld = ask("How large was China's digital economy in 2021?", GDP, PEOPLE, min_confidence=1.0)
    assert withheld.abstained and withheld.answer == ABSTAIN and withheld.figure is None
    assert withheld.confidence == given.confidence  # the confidence of the answer withheld
    assert withheld.reason is not None and "45.5 trillion yuan" in withheld.reason
    assert f"{given.confidence:.2f}" in withheld.reason and "(below 1)" in withheld.reason
    assert withheld.citations  # the closest passages are still cited


def test_a_count_of_something_else_scores_lower_than_the_count_asked_for() -> None:
    dilemmas = (
        "In the digital economy, MSMEs are faced with five dilemmas on the path towards digitalization."
    )
    asked = ask("How many dilemmas do MSMEs face in the digital economy?", dilemmas)
    other = ask("How many people were employed in the digital economy?", dilemmas)
    assert asked.answer == other.answer == "five dilemmas"  # the rules pick it either way
    assert other.confidence < asked.confidence


def test_a_rule_abstention_says_why() -> None:
    answer = ask("What was the unemployment rate in China in 2021?", GDP, DATA)
    assert answer.abstained and answer.confidence == 0.0
    assert answer.reason == "no passage mentions unemployment"
