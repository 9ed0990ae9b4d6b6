"""Dense index at scale: FAISS latency, recall@10, build time and memory per index kind and collection size.

    python -m bench.scale CORPUS.jsonl --cache EMBEDDINGS.npy [--sizes 10k,100k,1M] [--kinds ...]
    python -m bench.scale --vectors CHUNKS.npy [--query-vectors QUERIES.npy] [--sizes ...]

CORPUS.jsonl is a BEIR corpus (SciFact: 5,183 abstracts). Each abstract is cut into chunks of whole
sentences of at least --chunk-words words (40: 20,313 chunks of ~65 words with the title; 0 keeps
abstracts whole), embedded as "title\\nchunk" (the form indexing.index_text gives a chunk) with the
packaged all-MiniLM-L6-v2. The claims in queries*.jsonl beside the corpus (or --claims FILE) are
embedded as queries. Embeddings are cached in --cache (chunks) and beside it in <name>-claims.npy;
--vectors and --query-vectors pass precomputed, L2-normalised vectors instead.

A collection of N vectors is made by copying the real vectors round-robin with Gaussian noise and
renormalising; sigma is set so that a copy's cosine to its source is --cosine (0.9). By default the
noise has the covariance of the real vectors (--noise data; 'isotropic' spreads it over all dimensions).
The queries are the real claims, topped up to --queries (1,000) with held-out noisy copies (never in the
collection). Smaller sizes are prefixes of the largest one. Per size the bench prints how the exact top
10 of the queries spread over sources, then one row per index kind (and per efSearch for HNSW):

    build s     time to build the index (for flat: IndexFlatIP.add, what store.IndexReader does)
    load s      time to read the serialised index back (faiss.deserialize_index)
    MB, B/vec   bytes of the serialised index, in all and per vector
    p50, p99    ms per single query, one query at a time, k=10; medians over --rounds interleaved rounds
    p50@100     the same for k=100, the depth Retriever asks of the dense side (Settings.candidates)
    R@10        recall@10 against exact float32 search
    R@10 re     recall@10 when the index's top 100 are rescored with the float32 vectors, as Retriever does

Searches go through dense.search, as the application's should (HNSW explores max(efSearch, k)).
FAISS runs with --threads threads (2); --search-threads 1 times searches the way vectorstore.FaissStore
runs them (one OpenMP thread per searching thread). Slow exhaustive searches time fewer queries
(--budget seconds per round and configuration, at least 50); the row says how many were timed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.vectors.faiss_index import (
    EF_SEARCH,
    HNSW_EF_CONSTRUCTION,
    HNSW_M,
    KINDS,
    build_dense_index,
    search,
)
from bench.common import percentile

EXHAUSTIVE = ("flat", "flat-fp16")
DEPTH = 100  # Settings.candidates: how many rows Retriever asks of the dense index


# --- data -----------------------------------------------------------------------------------------------


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[])")


def sentence_chunks(text: str, words: int) -> list[str]:
    """Whole sentences grouped until each group has at least `words` words; a short tail joins the last group."""
    groups: list[list[str]] = []
    current: list[str] = []
    for sentence in _SENTENCE_END.split(text.strip()):
        current.append(sentence)
        if sum(len(s.split()) for s in current) >= words:
            groups.append(current)
            current = []
    if current:
        if groups and sum(len(s.split()) for s in current) < words // 2:
            groups[-1].extend(current)
        else:
            groups.append(current)
    return [" ".join(g) for g in groups]


def read_corpus(path: Path, *, chunk_words: int) -> list[str]:
    """The texts to embed from a BEIR corpus: "title\\nchunk" as indexing.index_text forms them.

    chunk_words 0 keeps each abstract whole (one text per document).
    """
    texts: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            row = json.loads(line)
            title = (row.get("title") or "").strip()
            body = (row.get("text") or "").strip()
            parts = sentence_chunks(body, chunk_words) if chunk_words > 0 and body else [body]
            texts.extend(f"{title}\n{part}" if title else part for part in parts)
    return texts


def read_queries(path: Path) -> list[str]:
    """The query texts of a BEIR queries jsonl."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line)["text"].strip() for line in handle if line.strip()]


def embed_cached(texts: Sequence[str], cache: Path | None, what: str) -> np.ndarray:
    """Embeddings of the texts, read from cache when it holds as many rows, else computed and saved there."""
    if cache is not None and cache.is_file():
        cached = np.load(cache)
        if cached.shape[0] == len(texts):
            print(f"{what}: {len(texts)} embeddings from {cache}", file=sys.stderr)
            return np.ascontiguousarray(cached, dtype=np.float32)
    from assistant.embedding.model import SentenceTransformerEmbedder  # slow import: torch

    embedder = SentenceTransformerEmbedder()
    started = time.perf_counter()
    done = 0

    def progress(n: int) -> None:
        nonlocal done
        done += n
        rate = done / max(time.perf_counter() - started, 1e-9)
        print(f"\r{what}: embedded {done}/{len(texts)} ({rate:.1f}/s)", end="", file=sys.stderr)

    vectors = embedder.embed(list(texts), progress=progress)
    print(file=sys.stderr)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.save(cache, vectors)
    return vectors


def sigma_for_cosine(cosine: float, dimension: int) -> float:
    """Noise scale whose copies have the given expected cosine to their (unit) source.

    With n ~ N(0, sigma^2 I) in d dimensions |n|^2 ~ d sigma^2 and n is nearly orthogonal to the source,
    so cos(s, s + n) ~ 1 / sqrt(1 + d sigma^2).
    """
    return math.sqrt((1.0 / cosine**2 - 1.0) / dimension)


NOISES = ("isotropic", "data")


def noise_transform(sources: np.ndarray, sigma: float, noise: str) -> np.ndarray:
    """A (d x d) map from standard normal draws to the noise: total variance d * sigma^2 either way.

    'isotropic' spreads it evenly over all dimensions; 'data' shapes it like the sources' own covariance,
    so a copy moves along the directions in which real texts differ rather than into unused ones.
    """
    d = sources.shape[1]
    if noise == "isotropic":
        return np.eye(d, dtype=np.float32) * sigma
    variances, axes = np.linalg.eigh(np.cov(sources, rowvar=False))
    variances = np.clip(variances, 0.0, None)
    scale = np.sqrt(variances / variances.sum() * d * sigma**2)
    return np.ascontiguousarray((axes * scale).T, dtype=np.float32)


def noisy_copies(
    sources: np.ndarray, picks: np.ndarray, transform: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Rows sources[picks] plus Gaussian noise (standard draws @ transform), L2-normalised, in blocks."""
    out = np.empty((len(picks), sources.shape[1]), dtype=np.float32)
    for start in range(0, len(picks), 65536):
        part = picks[start : start + 65536]
        draws = rng.standard_normal((len(part), sources.shape[1]), dtype=np.float32)
        block = sources[part] + draws @ transform
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        out[start : start + len(part)] = block
    return out


@dataclass(frozen=True, slots=True)
class Collection:
    sources: np.ndarray  # the real vectors the copies come from
    vectors: np.ndarray  # (n, d) float32, unit rows
    source: np.ndarray  # source row of each vector
    queries: np.ndarray  # (q, d) float32, unit rows
    real_queries: int  # the first real_queries queries are real claims, the rest held-out copies
    sigma: float


def make_collection(
    sources: np.ndarray,
    claims: np.ndarray | None,
    n: int,
    *,
    queries: int,
    cosine: float,
    noise: str,
    seed: int,
) -> Collection:
    sigma = sigma_for_cosine(cosine, sources.shape[1])
    transform = noise_transform(sources, sigma, noise)
    source = np.arange(n) % len(sources)  # round-robin: every prefix covers the sources evenly
    vectors = noisy_copies(sources, source, transform, np.random.default_rng(seed))
    real = claims[:queries] if claims is not None else np.zeros((0, sources.shape[1]), np.float32)
    held_out_rng = np.random.default_rng(seed + 1)
    picks = held_out_rng.integers(0, len(sources), queries - len(real))
    copies = noisy_copies(sources, picks, transform, held_out_rng)
    return Collection(
        sources, vectors, source, np.ascontiguousarray(np.vstack([real, copies])), len(real), sigma
    )


# --- measurement ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    size: int
    kind: str
    params: str
    build_s: float
    load_s: float
    bytes: int
    timed: int
    p50: float
    p99: float
    p50_deep: float
    recall10: float
    recall10_rescored: float


def recall_at(found: np.ndarray, truth: np.ndarray, k: int) -> float:
    """Mean share of each query's exact top k that the search found in its top k."""
    hits = sum(len(set(f[:k].tolist()) & set(t[:k].tolist())) for f, t in zip(found, truth, strict=True))
    return hits / (k * len(truth))


def rescored(found: np.ndarray, vectors: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Candidates reordered by exact inner product (what Retriever does with reader.vectors rows)."""
    out = np.empty_like(found)
    for i, (rows, q) in enumerate(zip(found, queries, strict=True)):
        valid = rows[rows >= 0]
        scores = vectors[valid] @ q
        order = valid[np.argsort(-scores, kind="stable")]
        out[i, : len(order)] = order
        out[i, len(order) :] = -1
    return out


def time_queries(index: Any, queries: np.ndarray, k: int) -> list[float]:
    """Milliseconds per search, one query at a time."""
    times = []
    for i in range(len(queries)):
        q = queries[i : i + 1]
        t = time.perf_counter()
        search(index, q, k)
        times.append((time.perf_counter() - t) * 1000.0)
    return times


@dataclass(slots=True)
class Config:
    kind: str
    index: Any
    ef: int | None  # efSearch for HNSW kinds
    build_s: float
    load_s: float
    bytes: int
    timed: int = 0

    @property
    def params(self) -> str:
        if self.ef is None:
            return "-"
        m = self.index.hnsw.nb_neighbors(1)
        return f"M{m} efC{self.index.hnsw.efConstruction} ef{self.ef}"

    def prepare(self) -> None:
        if self.ef is not None:
            self.index.hnsw.efSearch = self.ef


def build(kind: str, vectors: np.ndarray, args: argparse.Namespace) -> tuple[Any, float, float, int]:
    """(index, build seconds, load seconds, serialised bytes) for one kind."""
    import faiss  # slow import

    started = time.perf_counter()
    index: Any
    if kind == "flat":
        # what store.IndexReader builds when there is no dense.faiss
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(vectors)
    else:
        index = build_dense_index(vectors, kind, m=args.m, ef_construction=args.ef_construction)
    build_s = time.perf_counter() - started
    blob = faiss.serialize_index(index)
    size = int(blob.nbytes)
    started = time.perf_counter()
    faiss.deserialize_index(blob)
    load_s = time.perf_counter() - started
    del blob
    return index, build_s, load_s, size


def neighbour_spread(collection: Collection, truth: np.ndarray) -> str:
    """How the exact top 10 of the real and held-out queries spread over sources."""
    lines = []
    groups = (("claims", slice(0, collection.real_queries)), ("copies", slice(collection.real_queries, None)))
    for name, part in groups:
        top = truth[part, :10]
        if not len(top):
            continue
        src = collection.source[top]
        distinct = np.mean([len(set(r.tolist())) for r in src])
        biggest = np.mean([np.bincount(r).max() / 10 for r in src])
        lines.append(
            f"{name} ({len(top)}): exact top 10 come from {distinct:.1f} sources on average; "
            f"the most common source holds {biggest:.0%} of them"
        )
    return "\n".join(lines)


def measure_size(
    n: int, collection: Collection, args: argparse.Namespace, kinds: Sequence[str], efs: Sequence[int]
) -> list[Row]:
    import faiss  # slow import

    vectors = np.ascontiguousarray(collection.vectors[:n])
    queries = collection.queries
    sample = np.random.default_rng(args.seed + 2).choice(n, min(n, 20000), replace=False)
    sources = collection.sources
    cos = float(np.mean(np.sum(vectors[sample] * sources[collection.source[sample]], axis=1)))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\n== {n:,} vectors, {len(queries)} queries ({collection.real_queries} real claims); load {load} =="
    )
    print(
        f"{args.noise} noise, sigma {collection.sigma:.4f}: mean cosine of a copy to its source {cos:.3f}; "
        f"{n / len(sources):.1f} copies per source"
    )

    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    _, truth = exact.search(queries, DEPTH)
    del exact
    print(neighbour_spread(collection, truth))
    sys.stdout.flush()

    configs: list[Config] = []
    for kind in kinds:
        print(f"building {kind} ...", file=sys.stderr, end=" ", flush=True)
        index, build_s, load_s, size = build(kind, vectors, args)
        print(f"{build_s:.1f} s", file=sys.stderr)
        if kind in EXHAUSTIVE:
            configs.append(Config(kind, index, None, build_s, load_s, size))
        else:
            configs.extend(Config(kind, index, ef, build_s, load_s, size) for ef in efs)

    faiss.omp_set_num_threads(args.search_threads)
    # How many queries each configuration can time within the budget (exhaustive search is slow at 1M).
    for c in configs:
        c.prepare()
        probe = time_queries(c.index, queries[:10], 10)
        per_query = max(statistics.median(probe), 1e-3) / 1000.0
        c.timed = int(min(len(queries), max(50, args.budget / per_query / 2)))

    p50s: dict[int, list[float]] = {i: [] for i in range(len(configs))}
    p99s: dict[int, list[float]] = {i: [] for i in range(len(configs))}
    deep: dict[int, list[float]] = {i: [] for i in range(len(configs))}
    for r in range(args.rounds):
        for i, c in enumerate(configs):
            c.prepare()
            # a different slice of the queries each round, so a timed subset is not always the same one
            offset = (r * c.timed) % len(queries)
            picked = np.roll(queries, -offset, axis=0)[: c.timed]
            t10 = time_queries(c.index, picked, 10)
            t100 = time_queries(c.index, picked, DEPTH)
            p50s[i].append(percentile(t10, 50))
            p99s[i].append(percentile(t10, 99))
            deep[i].append(percentile(t100, 50))
        print(f"round {r + 1}/{args.rounds} timed", file=sys.stderr)
    faiss.omp_set_num_threads(args.threads)

    rows = []
    for i, c in enumerate(configs):
        c.prepare()
        _, found100 = search(c.index, queries, DEPTH)
        if c.kind in EXHAUSTIVE:
            found10 = found100[:, :10]
        else:
            _, found10 = search(c.index, queries, 10)
        rows.append(
            Row(
                n,
                c.kind,
                c.params,
                c.build_s,
                c.load_s,
                c.bytes,
                c.timed,
                statistics.median(p50s[i]),
                statistics.median(p99s[i]),
                statistics.median(deep[i]),
                recall_at(found10, truth, 10),
                recall_at(rescored(found100, vectors, queries), truth, 10),
            )
        )
    print(render(rows))
    sys.stdout.flush()
    return rows


def render(rows: Sequence[Row]) -> str:
    header = (
        f"{'size':>9} {'kind':<10} {'params':<18} {'build s':>8} {'load s':>7} {'MB':>8} {'B/vec':>6} "
        f"{'timed':>5} {'p50 ms':>8} {'p99 ms':>8} {'p50@100':>8} {'R@10':>6} {'R@10 re':>7}"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(
            f"{r.size:>9,} {r.kind:<10} {r.params:<18} {r.build_s:>8.1f} {r.load_s:>7.2f} "
            f"{r.bytes / 1e6:>8.1f} {r.bytes / r.size:>6.0f} {r.timed:>5} {r.p50:>8.3f} {r.p99:>8.3f} "
            f"{r.p50_deep:>8.3f} {r.recall10:>6.3f} {r.recall10_rescored:>7.3f}"
        )
    return "\n".join(lines)


def parse_size(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("corpus", type=Path, nargs="?", help="BEIR corpus.jsonl to embed (or give --vectors)")
    parser.add_argument("--cache", type=Path, help="where to keep the document embeddings (.npy)")
    parser.add_argument("--vectors", type=Path, help="precomputed document vectors (.npy, unit rows)")
    parser.add_argument(
        "--claims", type=Path, help="queries jsonl (default: queries*.jsonl beside the corpus)"
    )
    parser.add_argument("--query-vectors", type=Path, help="precomputed query vectors (.npy, unit rows)")
    parser.add_argument("--sizes", default="10k,100k,1M", help="collection sizes, e.g. 10k,100k,1M")
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"index kinds among {', '.join(KINDS)}")
    parser.add_argument("--ef", default="16,32,64,128", help="efSearch values timed for the HNSW kinds")
    parser.add_argument("--m", type=int, default=HNSW_M, help="HNSW neighbours per node (M)")
    parser.add_argument(
        "--ef-construction", type=int, default=HNSW_EF_CONSTRUCTION, help="HNSW efConstruction"
    )
    parser.add_argument(
        "--chunk-words", type=int, default=40, help="words per chunk of whole sentences (0: whole abstracts)"
    )
    parser.add_argument("--queries", type=int, default=1000, help="number of queries")
    parser.add_argument("--cosine", type=float, default=0.9, help="mean cosine of a noisy copy to its source")
    parser.add_argument("--noise", choices=NOISES, default="data", help="shape of the copies' noise")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved timing rounds (medians reported)")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds of timing per round and config")
    parser.add_argument("--threads", type=int, default=2, help="FAISS (OpenMP) threads")
    parser.add_argument(
        "--search-threads", type=int, help="FAISS threads for the timed searches (default: --threads)"
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    if args.search_threads is None:
        args.search_threads = args.threads
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        parser.error(f"unknown kinds {unknown}; choose among {', '.join(KINDS)}")
    sizes = sorted(parse_size(s) for s in args.sizes.split(",") if s.strip())
    efs = [int(e) for e in args.ef.split(",") if e.strip()]

    if args.vectors is not None:
        sources = np.ascontiguousarray(np.load(args.vectors), dtype=np.float32)
    elif args.corpus is not None:
        texts = read_corpus(args.corpus, chunk_words=args.chunk_words)
        sources = embed_cached(texts, args.cache, "chunks")
    else:
        parser.error("give a corpus.jsonl to embed or --vectors FILE.npy")
    claims: np.ndarray | None = None
    if args.query_vectors is not None:
        claims = np.ascontiguousarray(np.load(args.query_vectors), dtype=np.float32)
    else:
        claims_file = args.claims
        if claims_file is None and args.corpus is not None:
            claims_file = next(iter(sorted(args.corpus.parent.glob("queries*.jsonl"))), None)
        if claims_file is not None:
            cache = args.cache.with_name(args.cache.stem + "-claims.npy") if args.cache else None
            claims = embed_cached(read_queries(claims_file), cache, "claims")

    import faiss  # slow import

    faiss.omp_set_num_threads(args.threads)
    print(
        f"{len(sources)} source vectors of dimension {sources.shape[1]}; "
        f"{0 if claims is None else min(len(claims), args.queries)} real queries; FAISS {faiss.__version__}, "
        f"{args.threads} threads ({args.search_threads} for timed searches); HNSW defaults M{HNSW_M} efC{HNSW_EF_CONSTRUCTION} efSearch {EF_SEARCH}"
    )
    collection = make_collection(
        sources,
        claims,
        max(sizes),
        queries=args.queries,
        cosine=args.cosine,
        noise=args.noise,
        seed=args.seed,
    )
    rows: list[Row] = []
    for n in sizes:
        rows.extend(measure_size(n, collection, args, kinds, efs))
    print("\n== all sizes ==")
    print(render(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
