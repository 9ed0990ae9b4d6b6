"""Retrieval benchmark on a BEIR-format dataset: nDCG@10, Recall@100 and MRR@10 for BM25, dense and hybrid.

    python -m bench.beir DATA_DIR [--split train] [--index DIR] [--limit N]

DATA_DIR holds corpus.jsonl, queries_<split>.jsonl (or queries.jsonl) and qrels/<split>.tsv. The corpus
goes through the normal pipeline: a temporary corpus folder outside the project holds a copy of corpus.jsonl, the
.jsonl loader reads it, and build_index chunks, embeds and indexes it. Retrieval settings come from the
environment exactly as in the application (ASSISTANT_DENSE_WEIGHT=0.4 python -m bench.beir ...).
Evaluation is per document (a document ranks by its chunks, see Retriever.search_documents), with binary
relevance from the qrels, averaged over the queries that have at least one relevant document.
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.config import Settings
from assistant.embedding.model import Embedder, SentenceTransformerEmbedder
from assistant.retrieval.search import FusionSettings, Retriever
from assistant.storage.build import build_with_settings
from assistant.storage.generations import open_index
from assistant.storage.report import Progress
from bench.common import load_qrels, load_queries, percentile

MODES = (("bm25", "lexical"), ("dense", "dense"), ("hybrid", "hybrid"))
DEPTH = 100  # documents ranked per query: enough for Recall@100


# --- metrics (the BEIR / trec_eval definitions, binary relevance) --------------------------------------


def ndcg_at_k(ranking: Sequence[str], relevant: set[str], k: int = 10) -> float:
    """Discounted cumulative gain of the top k over that of an ideal ranking of the relevant documents."""
    if not relevant:
        return 0.0
    dcg = sum(1.0 / math.log2(i + 2) for i, doc in enumerate(ranking[:k]) if doc in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal


def recall_at_k(ranking: Sequence[str], relevant: set[str], k: int = 100) -> float:
    """Share of the relevant documents found in the top k."""
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranking[:k])) / len(relevant)


def mrr_at_k(ranking: Sequence[str], relevant: set[str], k: int = 10) -> float:
    """Reciprocal rank of the first relevant document in the top k (0 when there is none)."""
    for i, doc in enumerate(ranking[:k]):
        if doc in relevant:
            return 1.0 / (i + 1)
    return 0.0


@dataclass(frozen=True, slots=True)
class Scores:
    ndcg10: float
    recall100: float
    mrr10: float


def evaluate(rankings: Mapping[str, Sequence[str]], qrels: Mapping[str, set[str]]) -> Scores:
    """Mean metrics over the judged queries (a judged query with no ranking scores zero)."""
    judged = [q for q, rel in qrels.items() if rel]
    if not judged:
        return Scores(0.0, 0.0, 0.0)

    def mean(metric: Callable[[Sequence[str], set[str]], float]) -> float:
        return sum(metric(rankings.get(q, ()), qrels[q]) for q in judged) / len(judged)

    return Scores(mean(ndcg_at_k), mean(recall_at_k), mean(mrr_at_k))


# --- the run -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ModeResult:
    name: str
    scores: Scores
    p50_ms: float  # the whole search call: query embedding (if any) and retrieval
    p99_ms: float
    embed_p50_ms: float  # of which embedding the query


# Ranks documents for a query in a mode: (document ids, milliseconds spent embedding the query).
Search = Callable[[str, str], tuple[list[str], float]]


def run_queries(
    search: Search, queries: Mapping[str, str], qrels: Mapping[str, set[str]]
) -> list[ModeResult]:
    """Rank documents for every query in each mode, timing each search call."""
    results = []
    for name, mode in MODES:
        for text in list(queries.values())[:3]:
            search(text, mode)  # warm caches before timing
        rankings: dict[str, list[str]] = {}
        times: list[float] = []
        embeds: list[float] = []
        for qid, text in queries.items():
            started = time.perf_counter()
            rankings[qid], embed_ms = search(text, mode)
            times.append((time.perf_counter() - started) * 1000.0)
            embeds.append(embed_ms)
        scores = evaluate(rankings, {q: qrels[q] for q in queries})
        results.append(
            ModeResult(name, scores, percentile(times, 50), percentile(times, 99), percentile(embeds, 50))
        )
    return results


def format_table(results: Sequence[ModeResult]) -> str:
    header = f"{'mode':<8} {'nDCG@10':>8} {'Recall@100':>11} {'MRR@10':>8} {'p50 ms':>8} {'p99 ms':>8}"
    lines = [header + f" {'(embed p50)':>12}"]
    for r in results:
        s = r.scores
        lines.append(
            f"{r.name:<8} {s.ndcg10:>8.4f} {s.recall100:>11.4f} {s.mrr10:>8.4f} {r.p50_ms:>8.1f} {r.p99_ms:>8.1f}"
            f" {r.embed_p50_ms:>12.1f}"
        )
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Report:
    dataset: str
    queries: int
    documents: int
    chunks: int
    index_seconds: float
    index_built: bool
    modes: tuple[ModeResult, ...]
    settings: str

    def render(self) -> str:
        built = "built" if self.index_built else "reused, built in an earlier run"
        return "\n".join(
            [
                f"{self.dataset}: {self.queries} queries, {self.documents} documents, {self.chunks} chunks; "
                f"indexing {self.index_seconds:.1f} s ({built})",
                format_table(self.modes),
                f"settings: {self.settings}",
            ]
        )


def describe(settings: Settings) -> str:
    """The retrieval settings a run used, as one line."""
    fusion = FusionSettings.from_settings(settings)
    parts = [f"fusion={fusion.method}", f"dense_weight={fusion.dense_weight}"]
    parts += [f"normalization={fusion.normalization}", f"candidates={fusion.candidates}"]
    if fusion.method == "rrf":
        parts.append(f"rrf_k={fusion.rrf_k}")
    parts += [f"bm25_k1={settings.bm25_k1}", f"bm25_b={settings.bm25_b}"]
    parts += [f"chunk_tokens={settings.chunk_tokens}", f"chunk_overlap={settings.chunk_overlap}"]
    return " ".join(parts)


def benchmark(
    data_dir: Path,
    settings: Settings,
    embedder: Embedder,
    *,
    split: str = "train",
    index_dir: Path | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
) -> Report:
    """Index the corpus through the normal pipeline, then rank documents for every judged query in each mode."""
    qrels = load_qrels(data_dir / "qrels" / f"{split}.tsv")
    queries = {q: t for q, t in load_queries(data_dir, split).items() if qrels.get(q)}
    if limit:
        queries = dict(list(queries.items())[:limit])
    with tempfile.TemporaryDirectory(prefix="beir-") as tmp:
        # The loader reads a temporary corpus folder holding a copy of the dataset's corpus.jsonl (the
        # corpus scan does not follow symlinks that lead outside the corpus folder).
        corpus_dir = Path(tmp) / "corpus"
        corpus_dir.mkdir()
        shutil.copyfile(data_dir / "corpus.jsonl", corpus_dir / "corpus.jsonl")
        index_dir = index_dir or Path(tmp) / "index"
        built = build_with_settings(corpus_dir, index_dir, embedder, settings, progress=progress)
        if built.skipped:
            reasons = "; ".join(f"{s.source}: {s.reason}" for s in built.skipped)
            raise SystemExit(f"the corpus could not be indexed ({reasons})")
        reader = open_index(index_dir, model=embedder.name)
        retriever = Retriever(reader, embedder, FusionSettings.from_settings(settings))
        embedder.embed_query("load the model before timing")

        def search(text: str, mode: str) -> tuple[list[str], float]:
            started = time.perf_counter()
            vector = embedder.embed_query(text) if mode != "lexical" else None
            embed_ms = (time.perf_counter() - started) * 1000.0
            hits = retriever.search_documents(text, k=DEPTH, mode=mode, query_vector=vector)
            return [h.chunk.doc_id for h in hits], embed_ms

        modes = run_queries(search, queries, qrels)
        reader.close()
    return Report(
        f"{data_dir.name} {split}",
        len(queries),
        len(reader.documents),
        reader.size,
        built.seconds,
        built.written,
        tuple(modes),
        describe(settings),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("data", type=Path, help="BEIR-format directory (corpus.jsonl, queries, qrels/)")
    parser.add_argument("--split", default="train", help="qrels/<split>.tsv and queries_<split>.jsonl")
    parser.add_argument("--index", type=Path, help="index directory to build once and reuse across runs")
    parser.add_argument("--limit", type=int, help="evaluate only the first N judged queries")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    embedder = SentenceTransformerEmbedder(settings.model, batch_size=settings.batch_size)
    report = benchmark(
        args.data,
        settings,
        embedder,
        split=args.split,
        index_dir=args.index,
        limit=args.limit,
        progress=_progress,
    )
    print(report.render())
    return 0


def _progress(done: int, total: int) -> None:
    if total and (done == total or done % 1024 < 256):
        print(f"\rembedding {done}/{total} chunks", end="\n" if done == total else "", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
