"""The dense side's FAISS index type: exact search for small collections, approximate (HNSW) for large ones."""

from __future__ import annotations

from typing import Any

import numpy as np

KINDS = ("flat", "hnsw", "hnsw-sq8", "flat-fp16")


def choose_kind(setting: str, size: int, threshold: int) -> str:
    """The FAISS index kind for a collection: the setting, or for 'auto' exact search below threshold."""
    if setting == "auto":
        return "hnsw" if size >= threshold else "flat"
    if setting not in KINDS:
        raise ValueError(f"unknown dense index kind {setting!r}; choose one of auto, {', '.join(KINDS)}")
    return setting


def build_dense_index(vectors: np.ndarray, kind: str, *, ef_search: int = 64) -> Any | None:
    """A FAISS index over the vectors (row i has id i), or None for 'flat', which is rebuilt from vectors.npy."""
    if kind == "flat":
        return None
    import faiss  # slow import: only approximate indexes are built here

    dimension = vectors.shape[1]
    data = np.ascontiguousarray(vectors, dtype=np.float32)
    index: Any
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dimension, 32, faiss.METRIC_INNER_PRODUCT)
    elif kind == "hnsw-sq8":
        qt_8bit: Any = faiss.ScalarQuantizer.QT_8bit  # the stubs type the enum member as a quantizer
        index = faiss.IndexHNSWSQ(dimension, qt_8bit, 32, faiss.METRIC_INNER_PRODUCT)
        index.train(data)
    elif kind == "flat-fp16":
        index = faiss.IndexScalarQuantizer(
            dimension, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT
        )
        index.train(data)
    else:
        raise ValueError(f"unknown dense index kind {kind!r}")
    if hasattr(index, "hnsw"):
        index.hnsw.efConstruction = 64
        index.hnsw.efSearch = ef_search
    if len(data):
        index.add(data)
    return index
