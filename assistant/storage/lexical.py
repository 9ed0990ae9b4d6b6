"""The lexical side: BM25 (bm25s) over the same chunks as the dense side, with stemming and English stopwords."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import Settings
from assistant.text.words import TOKEN

# Numbers stay whole ("45.5", "1,234") so an exact figure in a question can match; other words split on \W.


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN  # the list bm25s itself uses for "en"

    return frozenset(STOPWORDS_EN)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer  # PyStemmer: Snowball stemmers in C

    return Stemmer.Stemmer("english")


class Analyzer:
    """Lower-case, split into words and numbers, drop English stopwords, Snowball-stem."""

    def __init__(self) -> None:
        self._stop = _stopwords()
        self._stem = _stemmer().stemWord
        self._cache: dict[str, str] = {}

    def __call__(self, text: str) -> list[str]:
        out = []
        cache = self._cache
        for word in TOKEN.findall(text.lower()):
            if word in self._stop:
                continue
            stem = cache.get(word)
            if stem is None:
                stem = self._stem(word) if word.isalpha() else word.replace(",", "")
                if len(cache) < 500_000:
                    cache[word] = stem
            out.append(stem)
        return out


@dataclass(frozen=True, slots=True)
class BM25Settings:
    """BM25's term-frequency saturation (k1) and document-length normalisation (b), fixed at index time.

    k1=0.9, b=0.4 are the parameters of the standard BEIR BM25 runs (Anserini): weaker length normalisation
    suits chunks that are all of similar, bounded length.
    """

    k1: float = 0.9
    b: float = 0.4

    def __post_init__(self) -> None:
        if self.k1 < 0 or not 0.0 <= self.b <= 1.0:
            raise ValueError(f"BM25 needs k1 >= 0 and 0 <= b <= 1, not k1={self.k1}, b={self.b}")

    @classmethod
    def from_settings(cls, settings: Settings) -> BM25Settings:
        return cls(k1=settings.bm25_k1, b=settings.bm25_b)

    def to_dict(self) -> dict[str, float]:
        return {"k1": self.k1, "b": self.b}


class LexicalIndex:
    """BM25 scores over chunk rows; row numbers match the dense side's vector rows."""

    def __init__(self, retriever: Any, size: int, analyzer: Analyzer | None = None) -> None:
        self._retriever = retriever
        self.size = size
        self.analyze = analyzer or Analyzer()

    @classmethod
    def build(
        cls, texts: Sequence[str], *, bm25: BM25Settings | None = None, analyzer: Analyzer | None = None
    ) -> LexicalIndex:
        import bm25s  # imported here: only building and searching need it

        bm25 = bm25 or BM25Settings()
        analyzer = analyzer or Analyzer()
        tokens = [analyzer(t) or [""] for t in texts]
        retriever = bm25s.BM25(k1=bm25.k1, b=bm25.b)
        if tokens:
            retriever.index(tokens, show_progress=False)
        return cls(retriever, len(tokens), analyzer)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        if self.size:
            self._retriever.save(str(directory))
        (directory / "size").write_text(str(self.size))

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        import bm25s

        size = int((directory / "size").read_text())
        retriever = bm25s.BM25.load(str(directory), mmap=False) if size else None
        return cls(retriever, size)

    def document_frequency(self, term: str) -> int:
        """How many chunks contain an analysed term."""
        if not self.size:
            return 0
        token_id = self._retriever.vocab_dict.get(term)
        if token_id is None:
            return 0
        indptr = self._retriever.scores["indptr"]
        return int(indptr[token_id + 1] - indptr[token_id])

    def scores(self, query: str, *, mask: np.ndarray | None = None) -> np.ndarray:
        """BM25 score of every row for the query (zero where the mask is zero)."""
        tokens = self.analyze(query)
        if not self.size:
            return np.zeros(0, dtype=np.float32)
        ids = self._retriever.get_tokens_ids(tokens)
        if not ids:
            return np.zeros(self.size, dtype=np.float32)
        scores = self._retriever.get_scores_from_ids(ids)
        if mask is not None:
            scores = scores * mask
        return np.asarray(scores, dtype=np.float32)

    def search(self, query: str, k: int, *, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-k rows and scores (rows with a zero score are left out)."""
        scores = self.scores(query, mask=mask)
        if scores.size == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        k = min(k, scores.size)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        top = top[scores[top] > 0]
        return top.astype(np.int64), scores[top]
