"""Questions about the seed article's figures, answered end to end with the real packaged model.

Each answerable question names the figure the article gives for it; the questions the article cannot answer
(another year, another company's revenue, a quantity it never mentions) must abstain rather than return an
unrelated number.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.answering.results import ABSTAIN, Answer
from assistant.assistant import Assistant
from assistant.embedding.model import SentenceTransformerEmbedder
from assistant.storage.build import build_index

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "china-digital-economy-2022.txt"

pytestmark = pytest.mark.slow

# (question, the figure's text, its kind)
ANSWERABLE: list[tuple[str, str, str]] = [
    ("How large was China's digital economy in 2021?", "45.5 trillion yuan", "money"),
    ("What share of China's GDP did the digital economy account for?", "39.8 percent", "percent"),
    ("How much data did China produce in 2021?", "6.6ZB", "data_size"),
    ("What was China's data output in 2021?", "6.6ZB", "data_size"),
    ("How fast did China's data output grow in 2021?", "29.4 percent", "percent"),
    ("What rank did China's data output reach in the world?", "second", "ordinal"),
    (
        "How many MSMEs does China have?",
        "more than 40 million micro, small and medium-sized enterprises",
        "count",
    ),
    ("What percentage of market entities are MSMEs?", "more than 99 percent", "percent"),
    (
        "How many MSMEs benefit from the Enterprise Security Cloud service?",
        "nearly one million MSMEs",
        "count",
    ),
    (
        "What share of key processes of industrial enterprises were digitally controlled as of June?",
        "55.7 percent",
        "percent",
    ),
    ("What was the popularity rate of digital R&D tools?", "75.1 percent", "percent"),
    (
        "How many people will Huawei ensure access to the digital society for?",
        "about 120 million people",
        "count",
    ),
    ("How many countries will Huawei's connectivity effort cover?", "more than 80 countries", "count"),
    ("By what year will Huawei connect people in remote areas?", "2025", "year"),
    ("When did ANEXT Bank open in Singapore?", "June 2022", "date"),
    ("When was the China International Digital Economy Expo 2021 held?", "Sept. 7, 2021", "date"),
    ("How many stages can the development of the digital economy be divided into?", "three stages", "count"),
    ("How many years did the transformation of Binjiang Factory take?", "more than two years", "duration"),
    ("How many dilemmas do MSMEs face on the path towards digitalization?", "five dilemmas", "count"),
]

UNANSWERABLE = [
    "What was the size of China's digital economy in 2020?",  # only 2021 is given
    "How much revenue did Alibaba Group earn in 2021?",  # Alibaba is named, its revenue is not
    "How many 5G base stations does China have?",  # 5G is named, base stations are not
    "What was the unemployment rate in China in 2022?",  # other rates are given, not this one
    "How many online delivery workers are there in China?",  # the jobs are named, not counted
]


@pytest.fixture(scope="module")
def seed_assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """The repository's corpus, copied to a temporary folder and indexed once with the real model."""
    base = tmp_path_factory.mktemp("seed-questions")
    corpus = base / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    embedder = SentenceTransformerEmbedder()
    build_index(corpus, base / "index", embedder)
    return Assistant.open(base / "index", embedder=embedder)


def test_the_question_set_is_large_enough() -> None:
    assert len(ANSWERABLE) + len(UNANSWERABLE) >= 15
    assert len(UNANSWERABLE) >= 3


@pytest.mark.parametrize(("question", "text", "kind"), ANSWERABLE, ids=[q for q, _, _ in ANSWERABLE])
def test_answerable(seed_assistant: Assistant, question: str, text: str, kind: str) -> None:
    answer = seed_assistant.ask(question)
    assert not answer.abstained
    assert answer.answer == text
    assert answer.figure is not None and answer.figure.figure.kind == kind
    _assert_cited(answer, text)


@pytest.mark.parametrize("question", UNANSWERABLE)
def test_unanswerable_abstains(seed_assistant: Assistant, question: str) -> None:
    answer = seed_assistant.ask(question)
    assert answer.abstained, answer.answer
    assert answer.answer == ABSTAIN
    assert answer.figure is None and answer.figures == ()
    assert answer.citations  # the closest passages are still shown


def test_a_question_not_about_a_figure_gets_a_sentence(seed_assistant: Assistant) -> None:
    answer = seed_assistant.ask("Who is the chairman of Huawei?")
    assert not answer.abstained and answer.figure is None
    assert "Liang Hua" in answer.answer


def test_a_question_for_a_numbered_name_gets_the_name(seed_assistant: Assistant) -> None:
    answer = seed_assistant.ask("Which report gave the scale of China's digital economy?")
    assert answer.answer == "China Internet Development Report 2022" and answer.figure is None
    assert answer.sentence is not None and "45.5 trillion yuan" in answer.sentence.text


def test_json_answer_carries_the_figure_and_the_other_figures(seed_assistant: Assistant) -> None:
    out = seed_assistant.ask("How large was China's digital economy in 2021?").to_dict()
    figure = out["figure"]
    assert figure["text"] == "45.5 trillion yuan"
    assert figure["value"] == pytest.approx(4.55e13)
    assert (figure["unit"], figure["kind"], figure["currency"]) == ("yuan", "money", "CNY")
    assert figure["period"] == "2021" and figure["qualifier"] is None
    assert out["citations"][figure["citation"] - 1]["source"] == SEED.name
    others = [f["text"] for f in out["figures"]]
    assert "45.5 trillion yuan" not in others
    assert "39.8 percent" in others  # from the answer's own sentence
    assert len(others) == len({(f["text"], f["kind"], f["unit"], f["period"]) for f in out["figures"]})
    assert {f["citation"] for f in out["figures"]} <= {c["n"] for c in out["citations"]}


def _assert_cited(answer: Answer, text: str) -> None:
    assert answer.sentence is not None and answer.figure is not None
    assert text in answer.sentence.text
    cited = answer.citations[answer.figure.citation - 1]
    assert cited.source == SEED.name
    assert answer.sentence.text in cited.text
