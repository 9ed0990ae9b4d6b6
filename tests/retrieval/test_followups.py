"""Follow-up questions: which questions lean on earlier ones, how they are rewritten, and what history changes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from assistant.assistant import Assistant
from assistant.config import Settings
from assistant.retrieval.followups import content_words, contextualize, is_follow_up, period_of
from assistant.storage.build import build_index
from tests.fakes import FakeEmbedder

SIZE = "How large was China's digital economy in 2021?"

FOLLOW_UP = [
    # refers back
    ("And what share of GDP was that?", True),
    ("How fast did it grow?", True),
    ("What was its share of GDP?", True),
    ("What did they spend on research?", True),
    ("How many people live there?", True),
    # bare continuations
    ("And in 2020?", True),
    ("What about India?", True),
    ("And data output?", True),
    # too short to stand alone
    ("Why?", True),
    ("How much?", True),
    # stand alone
    (SIZE, False),
    ("How fast did data output grow?", False),
    ("And how fast did data output grow?", False),
    ("How many MSMEs are there in China?", False),  # existential "there"
    ("Which industries that use data grew fastest in 2022?", False),  # relative "that"
    ("What share of GDP did the digital economy account for in 2021?", False),
]

REWRITES = [
    # a pronoun takes the subject; the period comes along
    ([SIZE], "And what share of GDP was that?", "And what share of GDP was China's digital economy in 2021?"),
    ([SIZE], "How fast did it grow?", "How fast did China's digital economy grow in 2021?"),
    ([SIZE], "What was its share of GDP?", "What was China's digital economy's share of GDP in 2021?"),
    # a question with its own subject only borrows the period, and only when it asks for a figure
    ([SIZE], "How fast did data output grow?", "How fast did data output grow in 2021?"),
    ([SIZE], "Who chairs Alibaba Group?", "Who chairs Alibaba Group?"),
    (
        [SIZE],
        "How many countries will Huawei connect by 2025?",
        "How many countries will Huawei connect by 2025?",
    ),
    # bare continuations replace one part of the previous question
    ([SIZE], "And in 2020?", "How large was China's digital economy in 2020?"),
    ([SIZE], "What about India?", "How large was India's digital economy in 2021?"),
    ([SIZE], "And the year before?", "How large was China's digital economy in 2020?"),
    ([SIZE], "And in December?", "How large was China's digital economy in December 2021?"),
    ([SIZE], "And Germany?", "How large was Germany's digital economy in 2021?"),
    ([SIZE], "And data output?", "How large was data output in 2021?"),
    ([SIZE], "And in rural areas?", "How large was China's digital economy in 2021 in rural areas?"),
    (
        ["How many UPI transactions were there in December 2022?"],
        "And a year earlier?",
        "How many UPI transactions were there in December 2021?",
    ),
    (
        ["How much did solar output rise in Germany in 2022?"],
        "And wind power?",
        "How much did wind power rise in Germany in 2022?",
    ),
    # a time that points back takes the previous one
    (
        [SIZE],
        "What was the share of GDP that year?",
        "What was the share of GDP in 2021, China?",
    ),
    # a question with a subject of its own but no pronoun takes only the names, and the time
    (
        ["How many registered mobile money accounts did Kenya have at the end of 2021?"],
        "How many agents were there?",
        "How many agents were there, Kenya at the end of 2021?",
    ),
    # without a pronoun to replace, the subject is added at the end
    ([SIZE], "Why?", "Why, China's digital economy in 2021?"),
    # a chain of follow-ups keeps the first subject
    (
        [SIZE, "And what share of GDP was that?"],
        "How fast did it grow?",
        "How fast did China's digital economy grow in 2021?",
    ),
    (
        [SIZE, "And what share of GDP was that?"],
        "And in 2020?",
        "And what share of GDP was China's digital economy in 2020?",
    ),
    # a question that stands alone ends the chain
    (
        [SIZE, "How much data did China produce in 2021?"],
        "How fast did it grow?",
        "How fast did data grow, China in 2021?",
    ),
    # no history, blank history
    ([], "And what share of GDP was that?", "And what share of GDP was that?"),
    (["   "], "How fast did it grow?", "How fast did it grow?"),
]


@pytest.mark.parametrize(("question", "expected"), FOLLOW_UP)
def test_is_follow_up(question: str, expected: bool) -> None:
    assert is_follow_up(question) is expected


@pytest.mark.parametrize(("history", "question", "expected"), REWRITES)
def test_contextualize(history: list[str], question: str, expected: str) -> None:
    assert contextualize(question, history) == expected


@pytest.mark.parametrize(
    ("text", "period"),
    [
        (SIZE, "in 2021"),
        ("What share went abroad in the first half of 2022?", "in the first half of 2022"),
        ("How many transactions in December 2022?", "in December 2022"),
        ("How did exports change between 2019 and 2021?", "between 2019 and 2021"),
        ("How large is it?", ""),
    ],
)
def test_period_of(text: str, period: str) -> None:
    assert period_of(text) == period


def test_content_words_drop_question_measure_and_stop_words() -> None:
    assert content_words("And what share of GDP was that?") == ["gdp"]
    assert content_words(SIZE) == ["china", "digital", "economy", "2021"]


# --- end to end: history changes what is retrieved -----------------------------------------------------

DOCS = {
    "economy.txt": "Digital economy\n\nThe scale of China's digital economy came to 45.5 trillion yuan in 2021, "
    "accounting for 39.8 percent of GDP.",
    "payments.txt": "Mobile payments\n\nWhat share of GDP was that? Mobile money payments were worth 55 percent "
    "of GDP, a share that was the highest of any country.",
    "harbour.txt": "Harbour report\n\nThe harbour handled 12 million containers in 2022.",
}


def test_history_changes_the_passages_of_an_elliptical_follow_up(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in DOCS.items():
        (corpus / name).write_text(text)
    fake = FakeEmbedder(64)
    build_index(corpus, tmp_path / "index", fake)
    settings = replace(Settings(), corpus_dir=corpus, index_dir=tmp_path / "index")
    assistant = Assistant.open(settings=settings, embedder=fake)
    follow_up = "And what share of GDP was that?"

    alone = assistant.ask(follow_up, k=3)
    in_context = assistant.ask(follow_up, k=3, history=[SIZE])

    assert alone.citations[0].doc_id == "payments.txt"
    assert in_context.citations[0].doc_id == "economy.txt"
    assert in_context.question == follow_up  # the answer keeps the question as asked
