"""The dense index kinds: which one is chosen, how well each finds the exact neighbours, what survives saving."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.vectors.faiss_index import EF_SEARCH, KINDS, build_dense_index, choose_kind, search

faiss = pytest.importorskip("faiss")

DIMENSION = 384
APPROXIMATE = [k for k in KINDS if k != "flat"]
# recall@10 against exact search that each kind must reach on the clustered vectors below
RECALL_FLOOR = {"hnsw": 0.9, "hnsw-sq8": 0.9, "flat-fp16": 0.98}


def clustered(n: int, *, clusters: int = 50, seed: int = 0) -> np.ndarray:
    """Unit vectors around random centres: neighbour structure like embeddings have, unlike uniform noise."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, DIMENSION)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    # noise of norm ~0.5 around a unit centre: cosine ~0.9 to the centre, neighbours within a cluster differ
    noise = rng.normal(scale=0.5 / DIMENSION**0.5, size=(n, DIMENSION))
    points = centres[rng.integers(0, clusters, n)] + noise
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    return np.ascontiguousarray(points, dtype=np.float32)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(2,000 vectors, 100 held-out queries from the same clusters, exact top 10 of each query)."""
    points = clustered(2100)
    vectors, queries = points[:2000], points[2000:]
    exact = np.argsort(-(queries @ vectors.T), axis=1, kind="stable")[:, :10]
    return vectors, queries, exact


@pytest.fixture(scope="module")
def indexes(data: tuple[np.ndarray, np.ndarray, np.ndarray]) -> dict[str, Any]:
    """Each approximate kind built once with the defaults over the 2,000 vectors."""
    return {kind: build_dense_index(data[0], kind) for kind in APPROXIMATE}


def recall(found: np.ndarray, exact: np.ndarray) -> float:
    """Mean share of each query's exact top k (k = exact's columns) that the search found."""
    return sum(len(set(f) & set(e)) for f, e in zip(found.tolist(), exact.tolist(), strict=True)) / exact.size


# --- choose_kind --------------------------------------------------------------------------------------


def test_auto_is_exact_below_the_threshold_and_hnsw_from_it() -> None:
    assert choose_kind("auto", 0, 200_000) == "flat"
    assert choose_kind("auto", 199_999, 200_000) == "flat"
    assert choose_kind("auto", 200_000, 200_000) == "hnsw"
    assert choose_kind("auto", 5_000_000, 200_000) == "hnsw"


@pytest.mark.parametrize("kind", KINDS)
def test_an_explicit_kind_holds_at_any_size(kind: str) -> None:
    assert choose_kind(kind, 10, 200_000) == kind
    assert choose_kind(kind, 10_000_000, 200_000) == kind


def test_an_unknown_kind_names_the_choices() -> None:
    with pytest.raises(ValueError) as error:
        choose_kind("ivf", 10, 200_000)
    assert str(error.value) == (
        "unknown dense index kind 'ivf'; choose one of auto, flat, hnsw, hnsw-sq8, flat-fp16"
    )


# --- build_dense_index --------------------------------------------------------------------------------


def test_flat_is_not_built_here(data: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    assert build_dense_index(data[0], "flat") is None


def test_build_rejects_an_unknown_kind(data: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    with pytest.raises(ValueError, match="unknown dense index kind 'ivf'"):
        build_dense_index(data[0], "ivf")


@pytest.mark.parametrize("kind", APPROXIMATE)
def test_each_kind_finds_the_exact_neighbours(
    kind: str, data: tuple[np.ndarray, np.ndarray, np.ndarray], indexes: dict[str, Any]
) -> None:
    vectors, queries, exact = data
    index = indexes[kind]
    assert index.ntotal == len(vectors)
    _, found = index.search(queries, 10)
    assert recall(found, exact) >= RECALL_FLOOR[kind]


@pytest.mark.parametrize("kind", APPROXIMATE)
def test_an_empty_collection_gives_an_empty_index(kind: str) -> None:
    index = build_dense_index(np.zeros((0, DIMENSION), np.float32), kind)
    _, found = index.search(np.ones((1, DIMENSION), np.float32), 3)
    assert found.tolist() == [[-1, -1, -1]]


@pytest.mark.parametrize("kind", APPROXIMATE)
def test_saving_and_loading_keeps_results_and_search_depth(
    kind: str, data: tuple[np.ndarray, np.ndarray, np.ndarray], indexes: dict[str, Any], tmp_path: Path
) -> None:
    queries = data[1]
    index = indexes[kind]
    path = tmp_path / "dense.faiss"
    faiss.write_index(index, str(path))
    loaded = faiss.read_index(str(path))
    before = index.search(queries, 10)
    after = loaded.search(queries, 10)
    assert np.array_equal(before[1], after[1])
    assert np.allclose(before[0], after[0])
    if kind in EF_SEARCH:
        assert loaded.hnsw.efSearch == EF_SEARCH[kind]


def test_ef_search_can_be_set_at_build(data: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    index = build_dense_index(data[0][:200], "hnsw", m=8, ef_construction=20, ef_search=7)
    assert (index.hnsw.efSearch, index.hnsw.efConstruction, index.hnsw.nb_neighbors(1)) == (7, 20, 8)


def test_compressed_kinds_take_at_most_half_the_bytes(
    data: tuple[np.ndarray, np.ndarray, np.ndarray], indexes: dict[str, Any]
) -> None:
    vectors = data[0]
    flat = faiss.IndexFlatIP(DIMENSION)  # what store.IndexReader builds for "flat"
    flat.add(vectors)

    def size(index: object) -> int:
        return int(faiss.serialize_index(index).nbytes)

    assert size(indexes["flat-fp16"]) <= 0.51 * size(flat)
    assert size(indexes["hnsw-sq8"]) <= 0.5 * size(indexes["hnsw"])


def test_a_deep_search_is_not_cut_at_ef_search(
    data: tuple[np.ndarray, np.ndarray, np.ndarray], indexes: dict[str, Any]
) -> None:
    vectors, queries, _ = data
    index = faiss.clone_index(indexes["hnsw"])
    index.hnsw.efSearch = 16
    exact = np.argsort(-(queries @ vectors.T), axis=1, kind="stable")[:, :100]
    _, found = search(index, queries, 100)
    assert (found >= 0).all()
    assert recall(found, exact) >= 0.9
    assert index.hnsw.efSearch == 16  # the index itself is left as it was


@pytest.mark.parametrize("kind", KINDS)
def test_search_among_allowed_rows(
    kind: str, data: tuple[np.ndarray, np.ndarray, np.ndarray], indexes: dict[str, Any]
) -> None:
    vectors, queries, _ = data
    index = indexes.get(kind)
    if index is None:
        index = faiss.IndexFlatIP(DIMENSION)  # what store.IndexReader builds for "flat"
        index.add(vectors)
    allowed = np.arange(0, len(vectors), 3)
    _, rows = search(index, queries[0], 5, allowed=allowed)
    assert rows.shape == (1, 5)
    assert set(rows[0].tolist()) <= set(allowed.tolist())
    best = allowed[np.argmax(vectors[allowed] @ queries[0])]
    assert rows[0, 0] == best
