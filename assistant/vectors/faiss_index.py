"""The dense side's FAISS index: exact for small collections, HNSW for large ones, and two compressed kinds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

KINDS = ("flat", "hnsw", "hnsw-sq8", "flat-fp16")

# HNSW graph parameters, measured with bench/scale.py on MiniLM-structured vectors (docs/scaling.md): at 1M
# chunks M=32, efConstruction=64 builds in ~4-5 minutes on 2 cores; more efConstruction buys recall with
# build time, which every index update pays again, while more efSearch buys it with search time, which is cheap.
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 64
# efSearch per approximate kind, kept by FAISS in dense.faiss (write_index/read_index keep it). At 1M:
#   hnsw 256:      recall@10 .968, 0.35 ms per query (512: .984, 0.72 ms)
#   hnsw-sq8 1024: recall@10 .976 from the index, .994 once Retriever rescores its top 100 with the float
#                  vectors (512: .963 / .981); 8-bit codes lose ties that float32 keeps, so it searches deeper
EF_SEARCH = {"hnsw": 256, "hnsw-sq8": 1024}


def choose_kind(setting: str, size: int, threshold: int) -> str:
    """The FAISS index kind for a collection: the setting, or for 'auto' exact search below threshold."""
    if setting == "auto":
        return "hnsw" if size >= threshold else "flat"
    if setting not in KINDS:
        raise ValueError(f"unknown dense index kind {setting!r}; choose one of auto, {', '.join(KINDS)}")
    return setting


def build_dense_index(
    vectors: np.ndarray,
    kind: str,
    *,
    m: int = HNSW_M,
    ef_construction: int = HNSW_EF_CONSTRUCTION,
    ef_search: int | None = None,
) -> Any | None:
    """A FAISS index over the vectors (row i has id i), or None for 'flat', which is rebuilt from vectors.npy.

    m, ef_construction and ef_search (default: EF_SEARCH of the kind) apply to the HNSW kinds only.
    """
    if kind == "flat":
        return None
    import faiss  # slow import: only approximate indexes are built here

    dimension = vectors.shape[1]
    data = np.ascontiguousarray(vectors, dtype=np.float32)
    index: Any
    # inner product equals cosine similarity on normalised vectors
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dimension, m, faiss.METRIC_INNER_PRODUCT)
    elif kind == "hnsw-sq8":
        # 8 bits per dimension with a range per dimension, trained on the vectors: a quarter of float32
        qt_8bit: Any = faiss.ScalarQuantizer.QT_8bit  # the stubs type the enum member as a quantizer
        index = faiss.IndexHNSWSQ(dimension, qt_8bit, m, faiss.METRIC_INNER_PRODUCT)
        # training needs a vector; an empty collection's index stays empty whatever the ranges
        index.train(data if len(data) else np.zeros((1, dimension), np.float32))
    elif kind == "flat-fp16":
        index = faiss.IndexScalarQuantizer(
            dimension, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT
        )
        index.train(data)
    else:
        raise ValueError(f"unknown dense index kind {kind!r}; choose one of {', '.join(KINDS)}")
    if hasattr(index, "hnsw"):
        index.hnsw.efConstruction = ef_construction
        index.hnsw.efSearch = EF_SEARCH[kind] if ef_search is None else ef_search
    if len(data):
        index.add(data)
    return index


def extend_dense_index(path: Path, vectors: np.ndarray) -> Any | None:
    """The HNSW index saved at path, grown by the rows of vectors it lacks; None when it cannot be.

    For an update that only adds documents: HNSW inserts one vector at a time, so a graph grown by the new
    rows is as good as one built over all of them, and costs only the new rows (a rebuild at 1M chunks
    takes minutes). The saved index must be plain `hnsw` holding exactly the first rows of vectors.
    """
    import faiss

    try:
        index = faiss.read_index(str(path))
    except RuntimeError:
        return None  # unreadable: the caller builds afresh
    if (
        not isinstance(index, faiss.IndexHNSWFlat)
        or index.d != vectors.shape[1]
        or index.ntotal > len(vectors)
    ):
        return None
    if index.ntotal < len(vectors):
        index.add(np.ascontiguousarray(vectors[index.ntotal :], dtype=np.float32))
    return index


def search(
    index: Any, queries: np.ndarray, k: int, *, allowed: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(scores, rows) of the k best rows per query, optionally among the allowed rows only; -1 pads.

    FAISS's HNSW keeps only efSearch candidates even when asked for more (k=100 with efSearch 16 found 72%
    of the exact top 100), so a deep search explores max(efSearch, k) candidates.
    """
    import faiss  # slow import, but the index is already loaded

    selector = faiss.IDSelectorBatch(allowed.astype(np.int64)) if allowed is not None else None
    params: Any = None
    if hasattr(index, "hnsw"):
        params = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]  # missing from the stubs
        params.efSearch = max(int(index.hnsw.efSearch), k)
        if selector is not None:
            params.sel = selector
    elif selector is not None:
        params = faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
    queries = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, index.d)
    scores, rows = index.search(queries, k, params=params)
    return scores, rows
