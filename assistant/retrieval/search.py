"""Hybrid retrieval: BM25 and dense rankings fused into chunk hits, with filters and per-document grouping."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.config import Settings
from assistant.embedding.model import Embedder
from assistant.errors import BadFilter, NoMatchingDocuments
from assistant.ingest.chunking import Chunk
from assistant.storage.generations import IndexReader
from assistant.vectors.base import VectorStore
from assistant.vectors.faiss_store import FaissStore

MODES = ("hybrid", "dense", "lexical")
# Matching costs grow with the pattern (translating one with many "[" is quadratic) and with their number.
MAX_FILTER_CHARS = 256
MAX_FILTERS = 16
# A key ending in "~" matches its pattern ignoring case: source~=*.PDF
NOCASE = "~"


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved chunk with its fused score and the scores of each side."""

    chunk: Chunk
    score: float
    title: str
    source: str
    dense: float = 0.0
    lexical: float = 0.0
    # document offsets of the chunk's sentence holding most of the query's terms (see answer.focus_hits)
    focus: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class FusionSettings:
    """How the two rankings are combined; the defaults are Settings' defaults (see config.py)."""

    method: str = "convex"  # "convex" (normalised scores, weighted) or "rrf" (reciprocal rank fusion)
    dense_weight: float = 0.5
    candidates: int = 200
    rrf_k: int = 60
    normalization: str = "minmax"  # how convex fusion puts the two sides on one scale: "minmax" or "zscore"

    def __post_init__(self) -> None:
        if self.method not in ("convex", "rrf"):
            raise ValueError(f"fusion method must be 'convex' or 'rrf', not {self.method!r}")
        if self.normalization not in NORMALIZERS:
            raise ValueError(f"fusion normalization must be 'minmax' or 'zscore', not {self.normalization!r}")
        if not 0.0 <= self.dense_weight <= 1.0:
            raise ValueError(f"dense weight must be between 0 and 1, not {self.dense_weight}")
        if self.candidates < 1:
            raise ValueError(f"candidates must be at least 1, not {self.candidates}")

    @classmethod
    def from_settings(cls, settings: Settings) -> FusionSettings:
        return cls(
            method=settings.fusion,
            dense_weight=settings.dense_weight,
            candidates=settings.candidates,
            normalization=settings.fusion_normalization,
        )


def minmax(scores: np.ndarray) -> np.ndarray:
    """Scale to [0, 1]; a constant vector maps to ones (or zeros when it is all zero)."""
    if scores.size == 0:
        return scores.astype(np.float32)
    lo, hi = float(scores.min()), float(scores.max())
    if hi - lo < 1e-12:
        return np.full_like(scores, 1.0 if hi > 0 else 0.0, dtype=np.float32)
    return ((scores - lo) / (hi - lo)).astype(np.float32)


def zscore(scores: np.ndarray) -> np.ndarray:
    """Centre on the mean and scale by the standard deviation; a constant vector maps to zeros."""
    if scores.size == 0:
        return scores.astype(np.float32)
    std = float(scores.std())
    if std < 1e-12:
        return np.zeros_like(scores, dtype=np.float32)
    return ((scores - float(scores.mean())) / std).astype(np.float32)


NORMALIZERS = {"minmax": minmax, "zscore": zscore}


def fuse_convex(
    dense: np.ndarray, lexical: np.ndarray, weight: float, *, normalization: str = "minmax"
) -> np.ndarray:
    """weight * norm(dense) + (1 - weight) * norm(lexical), over the same candidates."""
    norm = NORMALIZERS[normalization]
    return weight * norm(dense) + (1.0 - weight) * norm(lexical)


def fuse_rrf(
    rankings: list[list[int]], *, k: int = 60, weights: list[float] | None = None
) -> dict[int, float]:
    """Reciprocal rank fusion: sum over rankings of weight / (k + rank), rank starting at 1."""
    weights = weights or [1.0] * len(rankings)
    fused: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused


def parse_filters(pairs: Sequence[str] | Mapping[str, str] | None) -> dict[str, str]:
    """`["source=reports/*.pdf", "year=2021"]` or a mapping -> {field: glob pattern}."""
    if not pairs:
        return {}
    if isinstance(pairs, Mapping):
        items = list(pairs.items())
    else:
        items = []
        for pair in pairs:
            key, sep, value = pair.partition("=")
            if not sep or not key.strip():
                raise BadFilter(f"filter {pair!r} must look like FIELD=PATTERN, e.g. source=reports/*.pdf")
            items.append((key, value))
    out: dict[str, str] = {}
    for key, value in items:
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise BadFilter(f"filter {key!r} must be a string pattern")
        out[key.strip()] = str(value).strip()
    return out


def compile_filters(
    filters: Mapping[str, str], *, max_chars: int = MAX_FILTER_CHARS, max_filters: int = MAX_FILTERS
) -> list[tuple[str, re.Pattern[str]]]:
    """(field, compiled pattern) of each filter, each translated once; BadFilter past the limits."""
    if len(filters) > max_filters:
        raise BadFilter(f"{len(filters)} filters; the limit is {max_filters}")
    compiled = []
    for key, pattern in filters.items():
        if len(pattern) > max_chars:
            raise BadFilter(
                f"the pattern of filter {key!r} is {len(pattern)} characters long; the limit is {max_chars}"
            )
        nocase = key.endswith(NOCASE)
        field = key[: -len(NOCASE)].strip() if nocase else key
        flags = re.IGNORECASE if nocase else 0
        compiled.append((field, re.compile(fnmatch.translate(pattern), flags)))
    return compiled


class Retriever:
    """Searches one open index with one embedder."""

    def __init__(
        self,
        reader: IndexReader,
        embedder: Embedder,
        fusion: FusionSettings | None = None,
        *,
        store: VectorStore | None = None,
        max_filter_chars: int = MAX_FILTER_CHARS,
        max_filters: int = MAX_FILTERS,
    ) -> None:
        self.reader = reader
        self.embedder = embedder
        self.fusion = fusion or FusionSettings()
        self.store = store or FaissStore(reader)
        self.max_filter_chars = max_filter_chars
        self.max_filters = max_filters

    # --- filters -----------------------------------------------------------------------------------

    def filter_rows(self, filters: Mapping[str, str]) -> np.ndarray | None:
        """Rows of the chunks whose document matches every filter (None when there are no filters).

        Filters that match no document raise NoMatchingDocuments: searching nothing would abstain, or worse,
        read as an answer, where the filter is what needs fixing.
        """
        if not filters:
            return None
        compiled = compile_filters(filters, max_chars=self.max_filter_chars, max_filters=self.max_filters)
        matching = []
        for i, doc in enumerate(self.reader.documents):
            if all(_matches(doc_field(doc, key), pattern) for key, pattern in compiled):
                matching.append(i)
        if not matching:
            said = " ".join(f"{key}={pattern}" for key, pattern in filters.items())
            raise NoMatchingDocuments(
                f"no indexed document matches {said} (patterns are case-sensitive globs; "
                f"FIELD~=PATTERN ignores case)"
            )
        return self.reader.rows_of_documents(matching)

    # --- the two sides -----------------------------------------------------------------------------

    def _dense_scores(self, query_vector: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return self.store.scores(query_vector, rows)

    def _dense_top(self, query_vector: np.ndarray, n: int, allowed: np.ndarray | None) -> np.ndarray:
        rows, _ = self.store.search(query_vector, n, allowed=allowed)
        return rows

    # --- search ------------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        k: int = 5,
        filters: Mapping[str, str] | None = None,
        mode: str = "hybrid",
        query_vector: np.ndarray | None = None,
    ) -> list[Hit]:
        """The k best chunks for the query."""
        if mode not in MODES:
            raise ValueError(f"unknown search mode {mode!r}")
        rows, fused, dense, lexical = self.rank(
            query, k=k, filters=filters, mode=mode, query_vector=query_vector
        )
        return self._hits(rows[:k], fused[:k], dense[:k], lexical[:k])

    def rank(
        self,
        query: str,
        *,
        k: int,
        filters: Mapping[str, str] | None = None,
        mode: str = "hybrid",
        query_vector: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Candidate rows in fused order with (fused, dense, lexical) scores; at least k when that many match."""
        allowed = self.filter_rows(filters or {})
        mask = None
        if allowed is not None:
            mask = np.zeros(self.reader.size, dtype=np.float32)
            mask[allowed] = 1.0
        depth = max(self.fusion.candidates, k)
        lex_all = self.reader.lexical.scores(query, mask=mask) if mode != "dense" else None
        qv = None
        if mode != "lexical":
            qv = query_vector if query_vector is not None else self.embedder.embed_query(query)
        candidates: list[np.ndarray] = []
        if qv is not None:
            candidates.append(self._dense_top(qv, depth, allowed))
        if lex_all is not None and lex_all.size:
            top = np.argpartition(-lex_all, min(depth, lex_all.size) - 1)[:depth]
            top = top[lex_all[top] > 0]
            candidates.append(top.astype(np.int64))
        if not candidates:
            empty = np.zeros(0)
            return empty.astype(np.int64), empty, empty, empty
        rows = np.unique(np.concatenate(candidates))
        if allowed is not None:
            rows = rows[mask[rows] > 0]  # type: ignore[index]
        dense = self._dense_scores(qv, rows) if qv is not None else np.zeros(len(rows), np.float32)
        lexical = lex_all[rows] if lex_all is not None else np.zeros(len(rows), np.float32)
        if mode == "dense":
            fused = dense
        elif mode == "lexical":
            fused = lexical
        elif self.fusion.method == "rrf":
            d_rank = rows[np.argsort(-dense, kind="stable")].tolist()
            l_rank = rows[np.argsort(-lexical, kind="stable")].tolist()
            w = self.fusion.dense_weight
            by_row = fuse_rrf([d_rank, l_rank], k=self.fusion.rrf_k, weights=[w, 1.0 - w])
            fused = np.array([by_row[int(r)] for r in rows], dtype=np.float32)
        else:
            fused = fuse_convex(
                dense, lexical, self.fusion.dense_weight, normalization=self.fusion.normalization
            )
        order = np.lexsort((rows, -fused))
        return rows[order], fused[order], dense[order], lexical[order]

    def search_documents(
        self,
        query: str,
        *,
        k: int = 10,
        filters: Mapping[str, str] | None = None,
        mode: str = "hybrid",
        query_vector: np.ndarray | None = None,
    ) -> list[Hit]:
        """The best hit of each of the k best documents (a document scores as its best chunk)."""
        if mode not in MODES:
            raise ValueError(f"unknown search mode {mode!r}")
        if mode != "lexical" and query_vector is None:
            query_vector = self.embedder.embed_query(query)  # once, however deep the search goes
        depth = k
        while True:
            rows, fused, dense, lexical = self.rank(
                query, k=depth, filters=filters, mode=mode, query_vector=query_vector
            )
            best: dict[int, int] = {}
            for i, row in enumerate(rows):
                doc = int(self.reader.doc_of_row[row])
                if doc not in best:
                    best[doc] = i
                    if len(best) == k:
                        break
            # Several chunks of one document can fill the candidates: look deeper until k documents.
            if len(best) >= k or depth >= self.reader.size or len(rows) < max(depth, self.fusion.candidates):
                break
            depth *= 2
        picks = list(best.values())
        return self._hits(rows[picks], fused[picks], dense[picks], lexical[picks])

    def _hits(self, rows: np.ndarray, fused: np.ndarray, dense: np.ndarray, lexical: np.ndarray) -> list[Hit]:
        stored = self.reader.chunks([int(r) for r in rows])
        hits = []
        for row, f, d, lx in zip(rows, fused, dense, lexical, strict=True):
            sc = stored[int(row)]
            doc = self.reader.documents[self.reader.doc_index[sc.chunk.doc_id]]
            hits.append(Hit(sc.chunk, float(f), doc.title, doc.source, float(d), float(lx)))
        return hits


def doc_field(doc: object, key: str) -> str | None:
    """The value a filter key refers to: id, source, title, or a metadata field."""
    if key in ("id", "doc_id"):
        return str(doc.id)  # type: ignore[attr-defined]
    if key in ("source", "title"):
        return str(getattr(doc, key))
    value = doc.metadata.get(key)  # type: ignore[attr-defined]
    return None if value is None else str(value)


def _matches(value: str | None, pattern: re.Pattern[str]) -> bool:
    # fnmatch's translation matches "*" without backtracking, so one match is linear in the value
    return value is not None and pattern.match(value) is not None
