"""The BM25 side: analysis (stopwords, stems, whole numbers), scores, masks, saving and loading."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.config import Settings
from assistant.storage.lexical import Analyzer, BM25Settings, LexicalIndex

TEXTS = [
    "The harbour handled 12 million containers in 2021.",
    "Running runners ran along the harbour walls.",
    "Revenue rose 45.5 percent to 1,234 million yuan.",
    "Apples and pears grow in the orchard.",
]


def test_analyzer_drops_stopwords_and_stems() -> None:
    analyze = Analyzer()
    assert analyze("The runners are running to the harbours") == ["runner", "run", "harbour"]
    assert analyze("the of and") == []
    assert analyze("") == []


def test_analyzer_keeps_numbers_whole() -> None:
    analyze = Analyzer()
    assert analyze("45.5 percent of 1,234 in 2021") == ["45.5", "percent", "1234", "2021"]
    assert analyze("XK-9731") == ["xk", "9731"]


def test_scores_rank_the_matching_rows() -> None:
    index = LexicalIndex.build(TEXTS)
    scores = index.scores("running harbour")
    assert scores.shape == (4,) and scores.dtype == np.float32
    assert int(np.argmax(scores)) == 1  # both words (stemmed) match row 1
    assert scores[3] == 0.0
    assert index.scores("45.5 percent")[2] > 0
    assert not index.scores("nothing matches zebra").any()
    assert not index.scores("the of").any()  # stopwords only: no terms left


def test_mask_zeroes_rows() -> None:
    index = LexicalIndex.build(TEXTS)
    mask = np.array([1, 0, 1, 1], dtype=np.float32)
    scores = index.scores("harbour", mask=mask)
    assert scores[1] == 0.0 and scores[0] > 0


def test_search_returns_top_rows_without_zero_scores() -> None:
    index = LexicalIndex.build(TEXTS)
    rows, scores = index.search("harbour containers", 10)
    assert rows.tolist() == [0, 1]
    assert scores[0] > scores[1] > 0


def test_document_frequency_counts_chunks() -> None:
    index = LexicalIndex.build(TEXTS)
    assert index.document_frequency("harbour") == 2
    assert index.document_frequency("orchard") == 1
    assert index.document_frequency("zebra") == 0


def test_save_and_load_give_the_same_scores(tmp_path: Path) -> None:
    index = LexicalIndex.build(TEXTS)
    index.save(tmp_path / "bm25")
    loaded = LexicalIndex.load(tmp_path / "bm25")
    assert loaded.size == 4
    np.testing.assert_allclose(loaded.scores("harbour million"), index.scores("harbour million"))


def test_empty_index(tmp_path: Path) -> None:
    index = LexicalIndex.build([])
    assert index.size == 0 and index.scores("anything").size == 0
    index.save(tmp_path / "bm25")
    assert LexicalIndex.load(tmp_path / "bm25").size == 0


@pytest.mark.parametrize(("k1", "b"), [(1.2, 0.75), (0.9, 0.4)])
def test_parameters_shape_the_scores(k1: float, b: float) -> None:
    # A longer chunk with the same term count scores lower, and less so when b is smaller.
    texts = ["harbour report", "harbour report with many more words about ships cargo cranes docks"]
    scores = LexicalIndex.build(texts, bm25=BM25Settings(k1, b)).scores("harbour")
    assert scores[0] > scores[1] > 0


def test_length_normalisation_follows_b() -> None:
    texts = ["harbour report", "harbour report with many more words about ships cargo cranes docks"]
    strong = LexicalIndex.build(texts, bm25=BM25Settings(1.2, 1.0)).scores("harbour")
    none = LexicalIndex.build(texts, bm25=BM25Settings(1.2, 0.0)).scores("harbour")
    assert strong[0] / strong[1] > 1.0
    assert none[0] == pytest.approx(none[1])  # b = 0: length does not matter


def test_bm25_settings() -> None:
    env = {"ASSISTANT_BM25_K1": "1.5", "ASSISTANT_BM25_B": "0.7"}
    assert BM25Settings.from_settings(Settings.from_env(env)) == BM25Settings(1.5, 0.7)
    assert BM25Settings.from_settings(Settings()) == BM25Settings()
    assert BM25Settings(0.9, 0.4).to_dict() == {"k1": 0.9, "b": 0.4}
    with pytest.raises(ValueError, match="BM25"):
        BM25Settings(1.2, 1.5)


def test_new_bm25_parameters_reindex_the_lexical_side_only(corpus: Path, tmp_path: Path) -> None:
    from assistant.storage.build import build_index
    from assistant.storage.generations import open_index
    from tests.fakes import FakeEmbedder

    index_dir = tmp_path / "idx"
    build_index(corpus, index_dir, FakeEmbedder(64))
    before = open_index(index_dir, model="fake-embedder")
    assert before.manifest["lexical"] == BM25Settings().to_dict()
    counting = FakeEmbedder(64)
    report = build_index(corpus, index_dir, counting, bm25=BM25Settings(1.2, 0.75))
    assert report.written and counting.embedded == 0 and report.unchanged == 3
    after = open_index(index_dir, model="fake-embedder")
    assert after.manifest["lexical"] == {"k1": 1.2, "b": 0.75}
    np.testing.assert_array_equal(np.asarray(after.vectors), np.asarray(before.vectors))
    query = "harbour containers"
    assert not np.allclose(after.lexical.scores(query), before.lexical.scores(query))
    again = build_index(corpus, index_dir, counting, bm25=BM25Settings(1.2, 0.75))
    assert not again.written
