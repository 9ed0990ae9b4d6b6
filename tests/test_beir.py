"""The BEIR benchmark's metrics on hand-made rankings, its loaders, and one run over a tiny dataset."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from assistant.config import Settings
from bench.beir import (
    benchmark,
    evaluate,
    load_qrels,
    load_queries,
    mrr_at_k,
    ndcg_at_k,
    percentile,
    recall_at_k,
)
from tests.fakes import FakeEmbedder


def test_ndcg_at_10() -> None:
    assert ndcg_at_k(["a", "b", "x"], {"a", "b"}) == pytest.approx(1.0)
    # Relevant at ranks 1 and 3 of two relevant: (1 + 1/log2 4) / (1 + 1/log2 3).
    assert ndcg_at_k(["a", "x", "b"], {"a", "b"}) == pytest.approx(1.5 / (1 + 1 / math.log2(3)))
    assert ndcg_at_k(["x", "a"], {"a"}) == pytest.approx(1 / math.log2(3))
    # Only the top 10 count, and the ideal is capped at 10 relevant documents.
    assert ndcg_at_k([f"x{i}" for i in range(10)] + ["a"], {"a"}) == 0.0
    many = {f"r{i}" for i in range(20)}
    assert ndcg_at_k(sorted(many), many) == pytest.approx(1.0)
    assert ndcg_at_k(["a"], set()) == 0.0


def test_recall_at_100() -> None:
    assert recall_at_k(["a", "x", "b"], {"a", "b", "c"}) == pytest.approx(2 / 3)
    assert recall_at_k([f"x{i}" for i in range(100)] + ["a"], {"a"}) == 0.0
    assert recall_at_k(["a", "b"], {"a", "b"}, k=1) == pytest.approx(0.5)


def test_mrr_at_10() -> None:
    assert mrr_at_k(["x", "y", "a", "b"], {"a", "b"}) == pytest.approx(1 / 3)
    assert mrr_at_k(["a"], {"a"}) == 1.0
    assert mrr_at_k([f"x{i}" for i in range(10)] + ["a"], {"a"}) == 0.0
    assert mrr_at_k([], {"a"}) == 0.0


def test_evaluate_averages_over_judged_queries() -> None:
    qrels = {"q1": {"a"}, "q2": {"b"}}
    scores = evaluate({"q1": ["a"], "q3": ["b"]}, qrels)  # q2 has no ranking: it scores zero
    assert (scores.ndcg10, scores.recall100, scores.mrr10) == (0.5, 0.5, 0.5)


def test_percentile_interpolates() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == pytest.approx(2.5)
    assert percentile([5.0, 1.0, 3.0], 50) == 3.0
    assert percentile([float(i) for i in range(101)], 99) == pytest.approx(99.0)
    assert percentile([], 50) == 0.0


def _dataset(root: Path) -> Path:
    root.mkdir()
    docs = [
        ("d1", "Vitamin D", "Vitamin D deficiency raises the risk of fractures in older adults."),
        ("d2", "Statins", "Statins lower cholesterol and reduce heart attacks."),
        ("d3", "Malaria", "Bed nets treated with insecticide prevent malaria in children."),
        ("d4", "Sleep", "Short sleep is linked to obesity in teenagers."),
    ]
    with (root / "corpus.jsonl").open("w") as handle:
        for doc_id, title, text in docs:
            handle.write(json.dumps({"_id": doc_id, "title": title, "text": text, "metadata": {}}) + "\n")
    queries = [("q1", "statins reduce heart attacks"), ("q2", "malaria bed nets"), ("q3", "no judgement")]
    with (root / "queries_train.jsonl").open("w") as handle:
        for qid, text in queries:
            handle.write(json.dumps({"_id": qid, "text": text, "metadata": {}}) + "\n")
    (root / "qrels").mkdir()
    (root / "qrels" / "train.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td2\t1\nq2\td3\t1\nq2\td4\t0\n")
    return root


def test_loaders_read_beir_files(tmp_path: Path) -> None:
    data = _dataset(tmp_path / "data")
    assert load_qrels(data / "qrels" / "train.tsv") == {"q1": {"d2"}, "q2": {"d3"}}
    assert load_queries(data, "train")["q2"] == "malaria bed nets"


def test_benchmark_runs_every_mode_through_the_pipeline(tmp_path: Path) -> None:
    data = _dataset(tmp_path / "data")
    index_dir = tmp_path / "index"
    report = benchmark(data, Settings(), FakeEmbedder(64), index_dir=index_dir)
    assert report.queries == 2 and report.documents == 4 and report.index_built
    assert [m.name for m in report.modes] == ["bm25", "dense", "hybrid"]
    for mode in report.modes:
        assert mode.scores.mrr10 == 1.0 and mode.scores.recall100 == 1.0
        assert 0.0 <= mode.p50_ms <= mode.p99_ms
    assert "nDCG@10" in report.render() and "hybrid" in report.render()
    again = benchmark(data, Settings(), FakeEmbedder(64), index_dir=index_dir, limit=1)
    assert not again.index_built and again.queries == 1
    assert not list(data.glob("*index*"))  # the dataset folder is only read
