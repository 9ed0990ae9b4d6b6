"""The facade: one embedding of the question per ask, shared by the search and the scorer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from assistant.assistant import Assistant
from assistant.config import Settings
from assistant.storage.generations import open_index
from tests.fakes import FakeEmbedder


class Recording(FakeEmbedder):
    """A fake embedder that remembers what it embedded."""

    def __init__(self) -> None:
        super().__init__(dimension=64)
        self.queries: list[str] = []
        self.texts: list[str] = []

    def embed_query(self, text: str) -> np.ndarray:
        self.queries.append(text)
        return super().embed_query(text)

    def embed(self, texts: Sequence[str], *, progress: Callable[[int], None] | None = None) -> np.ndarray:
        self.texts.extend(texts)
        return super().embed(texts, progress=progress)


def test_an_ask_embeds_the_question_once_and_the_candidate_sentences_beside_it(index_dir: Path) -> None:
    embedder = Recording()
    assistant = Assistant(Settings(), embedder, open_index(index_dir, model=embedder.name))
    question = "What share of GDP did the digital economy account for in 2021?"
    answer = assistant.ask(question, min_confidence=0)
    assert embedder.queries == [question]
    # the scorer read the chosen sentence's own similarity, measured with the same question vector
    assert answer.sentence is not None and answer.sentence.text in embedder.texts
    measured = assistant.similarity(question, [answer.sentence.text])[0]
    assert answer.features["sentence_dense"] == measured != answer.features["dense"]


def test_a_follow_up_is_embedded_as_searched(index_dir: Path) -> None:
    embedder = Recording()
    assistant = Assistant(Settings(), embedder, open_index(index_dir, model=embedder.name))
    assistant.ask("And in 2020?", history=["What share of GDP did the digital economy account for in 2021?"])
    (searched,) = embedder.queries
    assert searched != "And in 2020?" and "2020" in searched and "digital economy" in searched
