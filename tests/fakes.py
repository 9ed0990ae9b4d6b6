"""Test doubles: a deterministic embedder that needs no model."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence

import numpy as np

_WORD = re.compile(r"\w+")


class FakeEmbedder:
    """Deterministic bag-of-words hashing embedder for fast tests: shared words mean similar vectors."""

    def __init__(self, dimension: int = 64, name: str = "fake-embedder") -> None:
        self.dimension = dimension
        self.name = name
        self.calls = 0
        self.embedded = 0

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dimension, dtype=np.float32)
        for word in _WORD.findall(text.lower()):
            digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
            slot = int.from_bytes(digest[:4], "little") % self.dimension
            vector[slot] += 1.0 if digest[4] & 1 else -1.0
        norm = float(np.linalg.norm(vector))
        if norm == 0.0:
            vector[0] = 1.0
            return vector
        return vector / norm

    def embed(self, texts: Sequence[str], *, progress: Callable[[int], None] | None = None) -> np.ndarray:
        self.calls += 1
        self.embedded += len(texts)
        matrix = np.array([self._vector(t) for t in texts], dtype=np.float32).reshape(
            len(texts), self.dimension
        )
        if progress is not None:
            progress(len(texts))
        return matrix

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)
