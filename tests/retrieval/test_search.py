"""Hybrid retrieval: fusion on hand-made rankings, the lexical side's rare terms, filters, per-document hits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.config import Settings
from assistant.errors import BadFilter, NoMatchingDocuments
from assistant.retrieval.search import (
    FusionSettings,
    Retriever,
    fuse_convex,
    fuse_rrf,
    minmax,
    parse_filters,
    zscore,
)
from assistant.schema import HitOut, json_object
from assistant.storage.build import build_index
from assistant.storage.generations import open_index
from tests.fakes import FakeEmbedder


def retriever(index_dir: Path, **fusion: object) -> Retriever:
    return Retriever(open_index(index_dir, model="fake-embedder"), FakeEmbedder(64), FusionSettings(**fusion))  # type: ignore[arg-type]


def test_rrf_on_hand_made_rankings() -> None:
    fused = fuse_rrf([[1, 2, 3], [3, 1, 4]], k=60)
    assert fused[1] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[3] == pytest.approx(1 / 63 + 1 / 61)
    assert fused[4] == pytest.approx(1 / 63)
    assert sorted(fused, key=lambda x: -fused[x]) == [1, 3, 2, 4]
    weighted = fuse_rrf([[1, 2], [2, 1]], k=1, weights=[1.0, 0.0])
    assert weighted[1] > weighted[2]


def test_convex_fusion_recovers_what_one_side_ranks_low() -> None:
    dense = np.array([0.9, 0.5, 0.1], dtype=np.float32)
    lexical = np.array([0.0, 10.0, 2.0], dtype=np.float32)
    fused = fuse_convex(dense, lexical, 0.5)
    np.testing.assert_allclose(fused, [0.5, 0.5 * 0.5 + 0.5, 0.1], atol=1e-6)
    assert int(np.argmax(fused)) == 1  # second on dense, first on BM25: wins the fusion
    np.testing.assert_allclose(fuse_convex(dense, lexical, 1.0), minmax(dense))
    np.testing.assert_allclose(minmax(np.array([3.0, 3.0])), [1.0, 1.0])
    np.testing.assert_allclose(minmax(np.array([0.0, 0.0])), [0.0, 0.0])


def test_bm25_finds_an_exact_rare_term_the_dense_side_misses(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    # Many documents share the query's common words; only one holds the rare code "XK-9731".
    for i in range(30):
        (corpus / f"d{i}.txt").write_text(
            f"Shipping report {i}: the port moved containers and cargo this quarter."
        )
    (corpus / "rare.txt").write_text("Inspection note: part XK-9731 failed at the dock.")
    build_index(corpus, tmp_path / "idx", FakeEmbedder(8))  # a tiny, collision-heavy dense side
    reader = open_index(tmp_path / "idx", model="fake-embedder")
    r = Retriever(reader, FakeEmbedder(8))
    query = "shipping report port containers XK-9731"
    lexical = r.search(query, k=1, mode="lexical")
    assert lexical[0].chunk.doc_id == "rare.txt"
    dense = r.search(query, k=3, mode="dense")
    assert "rare.txt" not in [h.chunk.doc_id for h in dense]
    # Fusion lifts it far above where the dense side alone puts it.
    dense_rank = [h.chunk.doc_id for h in r.search(query, k=31, mode="dense")].index("rare.txt")
    hybrid_rank = [h.chunk.doc_id for h in r.search(query, k=31, mode="hybrid")].index("rare.txt")
    assert hybrid_rank < dense_rank


def test_hits_carry_citation_fields(index_dir: Path) -> None:
    hits = retriever(index_dir).search("digital economy trillion yuan", k=2)
    top = hits[0]
    assert (
        top.chunk.doc_id == "economy.txt" and top.title == "Digital economy" and top.source == "economy.txt"
    )
    assert json_object(HitOut.of(top, 1))["text"] == top.chunk.text
    assert hits[0].score >= hits[1].score


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"source": "*.md"}, {"harbour.md"}),
        ({"id": "economy.txt"}, {"economy.txt"}),
        ({"date": "2022-*"}, {"harbour.md"}),
        ({"title": "Orchard*"}, {"orchard.txt"}),
        ({"source~": "*.MD"}, {"harbour.md"}),
    ],
)
def test_filters_restrict_results(index_dir: Path, filters: dict[str, str], expected: set[str]) -> None:
    hits = retriever(index_dir).search("digital economy harbour orchard", k=5, filters=filters)
    assert {h.chunk.doc_id for h in hits} == expected


def test_filters_matching_no_document_are_reported(index_dir: Path) -> None:
    with pytest.raises(NoMatchingDocuments, match=r"no indexed document matches source=\*\.pdf"):
        retriever(index_dir).search("harbour", k=5, filters={"source": "*.pdf"})
    with pytest.raises(NoMatchingDocuments):  # case-sensitive unless asked
        retriever(index_dir).search("harbour", k=5, filters={"source": "*.MD"})


def test_glob_patterns_are_capped_and_translated_once_per_request(index_dir: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The attack: 60,000 "[" took 53 s to translate (quadratic); bounded by the limit, not by a timer."""
    import fnmatch

    r = retriever(index_dir)
    with pytest.raises(BadFilter, match="60000 characters long; the limit is 256"):
        r.search("harbour", k=5, filters={"source": "[" * 60_000})
    with pytest.raises(BadFilter, match="17 filters; the limit is 16"):
        r.search("harbour", k=5, filters={f"f{i}": "*" for i in range(17)})
    calls: list[str] = []
    translate = fnmatch.translate
    monkeypatch.setattr(fnmatch, "translate", lambda p: calls.append(p) or translate(p))
    hits = r.search("harbour economy", k=5, filters={"source": "[eh]*", "title": "*"})
    assert {h.source for h in hits} == {"economy.txt", "harbour.md"}
    hits = r.search("harbour", k=5, filters={"source": "*.[mM]d"})
    assert {h.source for h in hits} == {"harbour.md"}
    # once per pattern per request, whatever the number of documents
    assert calls == ["[eh]*", "*", "*.[mM]d"]


def test_filter_never_returns_fewer_than_k_when_more_match(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    (corpus / "reports").mkdir(parents=True)
    for i in range(40):
        (corpus / f"news{i}.txt").write_text(f"News item {i}: exports rose sharply, exports everywhere.")
    for i in range(6):
        (corpus / "reports" / f"r{i}.md").write_text(f"Report {i} on gardening and soil.")
    build_index(corpus, tmp_path / "idx", FakeEmbedder(64))
    r = Retriever(
        open_index(tmp_path / "idx", model="fake-embedder"), FakeEmbedder(64), FusionSettings(candidates=5)
    )
    for mode in ("hybrid", "dense", "lexical"):
        hits = r.search("exports rose sharply", k=5, filters={"source": "reports/*"}, mode=mode)
        if mode == "lexical":
            assert hits == []  # BM25 alone finds no matching words in the reports
        else:
            assert len(hits) == 5 and all(h.source.startswith("reports/") for h in hits)


def test_parse_filters() -> None:
    assert parse_filters(["source=reports/*.pdf", " year = 2021 "]) == {
        "source": "reports/*.pdf",
        "year": "2021",
    }
    assert parse_filters({"id": "x"}) == {"id": "x"}
    with pytest.raises(BadFilter, match="FIELD=PATTERN"):
        parse_filters(["nonsense"])


def test_long_document_found_by_its_later_parts(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    filler = " ".join(f"Sentence {i} is about weather and rainfall in the valley." for i in range(120))
    (corpus / "long.txt").write_text(filler + " The final section reveals the lighthouse keeper's ledger.")
    (corpus / "short.txt").write_text("Lighthouses guide ships along the coast.")
    build_index(corpus, tmp_path / "idx", FakeEmbedder(64))
    r = Retriever(open_index(tmp_path / "idx", model="fake-embedder"), FakeEmbedder(64))
    assert open_index(tmp_path / "idx", model="fake-embedder").documents[0].chunks > 5
    docs = r.search_documents("lighthouse keeper ledger", k=2)
    assert docs[0].chunk.doc_id == "long.txt"
    assert "ledger" in docs[0].chunk.text


def test_search_documents_returns_one_hit_per_document(index_dir: Path) -> None:
    hits = retriever(index_dir).search_documents("the", k=10)
    ids = [h.chunk.doc_id for h in hits]
    assert len(ids) == len(set(ids))


def test_rrf_mode_ranks(index_dir: Path) -> None:
    hits = retriever(index_dir, method="rrf").search("zymurgical cider cellar", k=1)
    assert hits[0].chunk.doc_id == "orchard.txt"


def test_zscore_fusion_on_hand_made_scores() -> None:
    dense = np.array([0.9, 0.5, 0.1], dtype=np.float32)
    lexical = np.array([0.0, 10.0, 2.0], dtype=np.float32)
    np.testing.assert_allclose(zscore(dense), (dense - dense.mean()) / dense.std(), atol=1e-6)
    np.testing.assert_allclose(zscore(np.array([2.0, 2.0])), [0.0, 0.0])
    assert zscore(np.zeros(0)).size == 0
    fused = fuse_convex(dense, lexical, 0.5, normalization="zscore")
    np.testing.assert_allclose(fused, 0.5 * zscore(dense) + 0.5 * zscore(lexical), atol=1e-6)
    assert int(np.argmax(fused)) == 1
    # Min-max lets one outlier squash the rest; the z-score keeps the gaps between ordinary scores.
    lexical_outlier = np.array([100.0, 3.0, 1.0, 0.0], dtype=np.float32)
    assert minmax(lexical_outlier)[1] - minmax(lexical_outlier)[2] < 0.03
    assert zscore(lexical_outlier)[1] - zscore(lexical_outlier)[2] > 0.04


def test_fusion_settings_come_from_settings() -> None:
    env = {
        "ASSISTANT_FUSION": "rrf",
        "ASSISTANT_DENSE_WEIGHT": "0.3",
        "ASSISTANT_CANDIDATES": "50",
        "ASSISTANT_FUSION_NORMALIZATION": "zscore",
    }
    fusion = FusionSettings.from_settings(Settings.from_env(env))
    assert fusion == FusionSettings(method="rrf", dense_weight=0.3, candidates=50, normalization="zscore")
    # The dataclass defaults are the tuned Settings defaults, so a bare Retriever searches the same way.
    defaults = Settings()
    assert FusionSettings.from_settings(defaults) == FusionSettings()


def test_search_documents_looks_deeper_until_k_documents(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    # One long document whose many chunks all match fills the candidate list on its own.
    long_text = " ".join(f"Tidal energy note {i} on tidal turbines and tidal currents." for i in range(150))
    (corpus / "long.txt").write_text(long_text)
    for i in range(5):
        (corpus / f"short{i}.txt").write_text(f"Short item {i}: a tidal turbine was installed.")
    build_index(corpus, tmp_path / "idx", FakeEmbedder(64))
    reader = open_index(tmp_path / "idx", model="fake-embedder")
    assert reader.documents[0].chunks > 4
    r = Retriever(reader, FakeEmbedder(64), FusionSettings(candidates=3))
    for mode in ("hybrid", "dense", "lexical"):
        docs = [h.chunk.doc_id for h in r.search_documents("tidal turbines", k=6, mode=mode)]
        assert sorted(docs) == sorted(["long.txt", *(f"short{i}.txt" for i in range(5))])
    vector = FakeEmbedder(64).embed_query("tidal turbines")
    same = r.search_documents("tidal turbines", k=6, query_vector=vector)
    assert [h.chunk.id for h in same] == [h.chunk.id for h in r.search_documents("tidal turbines", k=6)]
    with pytest.raises(ValueError, match="unknown search mode"):
        r.search_documents("tidal", mode="fuzzy")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"method": "sum"}, "fusion method"),
        ({"normalization": "rank"}, "fusion normalization"),
        ({"dense_weight": 1.5}, "dense weight"),
        ({"candidates": 0}, "candidates"),
    ],
)
def test_fusion_settings_refuse_nonsense(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FusionSettings(**fields)  # type: ignore[arg-type]
