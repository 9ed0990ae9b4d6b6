"""Answer or abstain, end to end with the real model: the cases of a user trying the assistant on its corpus.

The seed article and a short company report are indexed once. A question whose figure the documents do not
give (a count of something else, a year they do not cover, a subject they never name) abstains and says why;
a follow-up finds the figure its sentence holds.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.answering.results import ABSTAIN
from assistant.assistant import Assistant
from assistant.embedding.model import SentenceTransformerEmbedder
from assistant.storage.build import build_index

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = pytest.mark.slow

HOOLI = """Hooli annual report 2023

Hooli, the search and cloud company, reported revenue of 75 million dollars in 2023, driven by its new
compression product. The company ended the year with 420 employees, most of them engineers in Palo Alto.

Operating costs rose as the company expanded its data centres in Nevada and Oregon.
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    base = tmp_path_factory.mktemp("abstention")
    corpus = base / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    (corpus / "hooli-annual-report.txt").write_text(HOOLI, encoding="utf-8")
    embedder = SentenceTransformerEmbedder()
    build_index(corpus, base / "index", embedder)
    return Assistant.open(base / "index", embedder=embedder)


def test_a_count_of_something_else_is_not_the_answer(assistant: Assistant) -> None:
    answer = assistant.ask("How many people were employed in the digital economy?")
    assert answer.abstained and answer.answer == ABSTAIN and answer.figure is None
    assert answer.reason and answer.citations
    # with no minimum the rules' guess comes back, with the low confidence that ruled it out
    guess = assistant.ask("How many people were employed in the digital economy?", min_confidence=0.0)
    assert not guess.abstained and guess.confidence == answer.confidence


def test_an_off_topic_question_abstains_saying_so(assistant: Assistant) -> None:
    answer = assistant.ask("Who is the president of France?")
    assert answer.abstained
    assert answer.reason is not None and "france" in answer.reason


def test_a_confident_answer_is_given_with_its_confidence(assistant: Assistant) -> None:
    answer = assistant.ask("What was Hooli's revenue in 2023?")
    assert answer.answer == "75 million dollars" and not answer.abstained
    out = answer.to_dict()
    assert 0.5 < out["confidence"] <= 1.0 and out["reason"] is None


def test_a_follow_up_to_another_year_never_repeats_the_first_figure(assistant: Assistant) -> None:
    history = ["What was Hooli's revenue in 2023?"]
    answer = assistant.ask("And in 2022?", history=history)
    assert answer.abstained, answer.answer
    assert "75 million" not in answer.answer


def test_a_follow_up_finds_the_growth_rate_in_the_same_sentence(assistant: Assistant) -> None:
    history = ["How much data did China produce in 2021?"]
    assert assistant.ask(history[0]).answer == "6.6ZB"
    answer = assistant.ask("And how fast did it grow?", history=history)
    assert answer.answer == "29.4 percent" and not answer.abstained
