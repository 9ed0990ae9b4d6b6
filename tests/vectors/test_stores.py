"""Vector stores: Milvus (through Milvus Lite) finds what exact FAISS finds, honours filters, and syncs by id."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.ingest.chunking import ChunkerSettings
from assistant.storage.build import build_index
from assistant.storage.generations import IndexReader, open_index
from assistant.vectors import SyncReport, VectorStoreError, open_vector_store, sync_index
from assistant.vectors import milvus as milvus_store
from assistant.vectors.faiss_store import FaissStore
from assistant.vectors.milvus import MilvusStore, connect_milvus, read_chunk_ids, sync_milvus
from tests.fakes import FakeEmbedder

pytestmark = pytest.mark.slow  # milvus-lite runs its server in a child process

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")

VOCABULARY = """harbour cargo crane quay tide vessel anchor pilot berth freight orchard apple pear cider cellar
blossom graft ledger tariff yuan revenue margin budget audit bridge span cable pier girder rivet glacier
moraine fjord summit ridge valley basalt quartz granite lava comet orbit nebula quasar"""
WORDS = VOCABULARY.split()
CHUNKER = ChunkerSettings(40, 8)  # small chunks: a few per document
QUERIES = ["harbour cargo vessel", "apple cider cellar", "glacier fjord summit", "tariff yuan audit", "orbit"]


def write_doc(corpus: Path, name: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    sentences = [" ".join(rng.choice(WORDS, size=12)).capitalize() + "." for _ in range(8)]
    (corpus / name).write_text(f"Document {name}\n\n" + " ".join(sentences))


@pytest.fixture
def fake() -> FakeEmbedder:
    return FakeEmbedder(64)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    root.mkdir()
    for i in range(6):
        write_doc(root, f"doc{i}.txt", i)
    return root


@pytest.fixture
def index_dir(tmp_path: Path, corpus: Path, fake: FakeEmbedder) -> Path:
    build_index(corpus, tmp_path / "index", fake, chunker=CHUNKER)
    return tmp_path / "index"


@pytest.fixture
def client(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> Iterator[Any]:
    """One embedded Milvus Lite per test, in the test's own folder.

    The store scores locally, and says so, when the collection lacks rows; unless a test expects that
    (and clears the log), every answer must come from Milvus itself.
    """
    client = connect_milvus(str(tmp_path / "milvus.db"))
    with caplog.at_level(logging.WARNING, logger="assistant.vectors.milvus"):
        yield client
    client.close()
    from milvus_lite.server_manager import server_manager_instance

    server_manager_instance.release_server(str(tmp_path / "milvus.db"))
    assert not fallbacks(caplog.get_records("call"))


def fallbacks(records: list[logging.LogRecord]) -> list[str]:
    return [r.getMessage() for r in records if r.name == "assistant.vectors.milvus"]


def reader_of(index_dir: Path, fake: FakeEmbedder) -> IndexReader:
    return open_index(index_dir, model=fake.name)


def held_ids(client: Any) -> set[int]:
    rows = client.query("chunks", filter="id >= 0", output_fields=["id"], limit=10_000)
    return {int(r["id"]) for r in rows}


def synced_store(index_dir: Path, fake: FakeEmbedder, client: Any) -> tuple[IndexReader, MilvusStore]:
    reader = reader_of(index_dir, fake)
    sync_milvus(reader, "", "chunks", client=client)
    return reader, MilvusStore("", "chunks", reader, client=client)


def assert_same(
    got: tuple[np.ndarray, np.ndarray], want: tuple[np.ndarray, np.ndarray], every: np.ndarray
) -> None:
    """The same hits with the same scores; among rows of tied scores (every: all exact scores) either may come."""
    rows, scores = got
    assert len(rows) == len(want[0]) == len(set(rows.tolist()))
    np.testing.assert_allclose(scores, want[1], atol=1e-4)
    np.testing.assert_allclose(scores, every[rows], atol=1e-4)
    for row, expected, score in zip(rows, want[0], want[1], strict=True):
        if np.sum(np.abs(every - score) < 1e-4) == 1:
            assert row == expected


def exact(reader: IndexReader, q: np.ndarray) -> np.ndarray:
    return np.asarray(reader.vectors) @ q


def test_milvus_finds_what_exact_faiss_finds(index_dir: Path, fake: FakeEmbedder, client: Any) -> None:
    reader, milvus = synced_store(index_dir, fake, client)
    faiss = FaissStore(reader)
    assert milvus.synced and reader.size > 12
    for text in QUERIES:
        q = fake.embed_query(text)
        for k in (1, 5, reader.size + 3):
            got = milvus.search(q, k)
            assert len(got[0]) == min(k, reader.size)
            assert_same(got, faiss.search(q, k), exact(reader, q))
        rows = np.array([0, 3, reader.size - 1])
        np.testing.assert_allclose(milvus.scores(q, rows), faiss.scores(q, rows), atol=1e-6)


@pytest.mark.parametrize("path", ["id filter", "deeper search", "id filter in parts"])
def test_filters_return_k_or_every_allowed_row(
    path: str, index_dir: Path, fake: FakeEmbedder, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    if path != "id filter":
        monkeypatch.setattr(milvus_store, "_ID_FILTER_LIMIT", 2)  # every allowed set counts as large
    if path == "id filter in parts":
        monkeypatch.setattr(milvus_store, "_MAX_TOPK", 3)  # too shallow for a selective filter
    reader, milvus = synced_store(index_dir, fake, client)
    faiss = FaissStore(reader)
    rng = np.random.default_rng(7)
    for size in (1, 3, 9):
        allowed = np.sort(rng.choice(reader.size, size=size, replace=False))
        for text in QUERIES:
            q = fake.embed_query(text)
            for k in (2, 3 if path == "id filter in parts" else 20):
                rows, _ = got = milvus.search(q, k, allowed=allowed)
                assert len(rows) == min(k, size) and set(rows.tolist()) <= set(allowed.tolist())
                assert_same(got, faiss.search(q, k, allowed=allowed), exact(reader, q))
    empty = milvus.search(fake.embed_query("orbit"), 5, allowed=np.zeros(0, dtype=np.int64))
    assert len(empty[0]) == 0


def test_an_update_upserts_new_chunks_and_deletes_removed_ids(
    corpus: Path, index_dir: Path, fake: FakeEmbedder, client: Any
) -> None:
    first = reader_of(index_dir, fake)
    report = sync_milvus(first, "", "chunks", client=client)
    assert (report.added, report.removed, report.unchanged) == (first.size, 0, 0)
    assert sync_milvus(first, "", "chunks", client=client) == SyncReport(0, 0, first.size)

    chunks = first.chunks(range(first.size)).values()
    deleted = {c.id for c in chunks if c.chunk.doc_id == "doc2.txt"}
    (corpus / "doc2.txt").unlink()
    write_doc(corpus, "new.txt", 99)
    build_index(corpus, index_dir, fake, chunker=CHUNKER)
    second = reader_of(index_dir, fake)
    ids = read_chunk_ids(second.path)
    added = {c.id for c in second.chunks(range(second.size)).values() if c.chunk.doc_id == "new.txt"}
    assert deleted and added and not deleted & set(ids.tolist())

    report = sync_milvus(second, "", "chunks", client=client)
    assert (report.added, report.removed, report.unchanged) == (
        len(added),
        len(deleted),
        second.size - len(added),
    )
    assert held_ids(client) == set(ids.tolist())
    assert sync_milvus(second, "", "chunks", client=client).added == 0
    # The deleted document never comes back, not even to a reader still on the old generation.
    gone_rows = first.rows_of_documents([first.doc_index["doc2.txt"]])
    old_store = MilvusStore("", "chunks", first, client=client)
    for row in gone_rows:
        q = np.asarray(first.vectors[row])
        assert int(row) in FaissStore(first).search(q, 3)[0].tolist()  # FAISS on the old files finds it
        assert not set(old_store.search(q, 3)[0].tolist()) & set(gone_rows.tolist())
        hits = client.search("chunks", data=[q.tolist()], limit=second.size, output_fields=["id"])[0]
        assert not {int(h["id"]) for h in hits} & deleted
    # The new document's chunks lead in Milvus, but the old generation has no rows for them: deeper.
    survivors = np.setdiff1d(np.arange(first.size), gone_rows)
    q = np.asarray(second.vectors[second.rows_of_documents([second.doc_index["new.txt"]])[0]])
    best = survivors[np.argsort(-exact(first, q)[survivors], kind="stable")[:3]]
    assert_same(old_store.search(q, 3), (best, exact(first, q)[best]), exact(first, q))
    fresh = MilvusStore("", "chunks", second, client=client)
    q = fake.embed_query("comet orbit nebula")
    assert_same(fresh.search(q, 8), FaissStore(second).search(q, 8), exact(second, q))


def test_a_rebuild_that_reuses_ids_replaces_their_vectors(
    corpus: Path, index_dir: Path, fake: FakeEmbedder, client: Any
) -> None:
    sync_milvus(reader_of(index_dir, fake), "", "chunks", client=client)
    for i in range(6):
        write_doc(corpus, f"doc{i}.txt", 50 + i)  # new text throughout; a rebuild numbers chunks from 0 again
    build_index(corpus, index_dir, fake, chunker=CHUNKER, rebuild=True)
    reader = reader_of(index_dir, fake)
    report = sync_milvus(reader, "", "chunks", client=client)
    assert report.added == reader.size and report.unchanged == 0
    store = MilvusStore("", "chunks", reader, client=client)
    for text in QUERIES:
        q = fake.embed_query(text)
        assert_same(store.search(q, 5), FaissStore(reader).search(q, 5), exact(reader, q))


def test_an_unsynced_collection_still_answers_every_allowed_row(
    corpus: Path, index_dir: Path, fake: FakeEmbedder, client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    sync_milvus(reader_of(index_dir, fake), "", "chunks", client=client)
    write_doc(corpus, "late.txt", 123)
    build_index(corpus, index_dir, fake, chunker=CHUNKER)  # not synced
    reader = reader_of(index_dir, fake)
    store = MilvusStore("", "chunks", reader, client=client)
    assert not store.synced
    late = reader.rows_of_documents([reader.doc_index["late.txt"]])
    q = fake.embed_query("harbour cargo")
    assert_same(
        store.search(q, 50, allowed=late), FaissStore(reader).search(q, 50, allowed=late), exact(reader, q)
    )
    assert fallbacks(caplog.records) == [
        f"Milvus collection 'chunks' does not hold index generation {reader.path.name}; "
        "scoring locally until python cli.py index syncs it"
    ]
    caplog.clear()


def test_a_different_dimension_recreates_the_collection(tmp_path: Path, corpus: Path, client: Any) -> None:
    small, large = FakeEmbedder(32), FakeEmbedder(48)
    build_index(corpus, tmp_path / "a", small, chunker=CHUNKER)
    build_index(corpus, tmp_path / "b", large, chunker=CHUNKER)
    a, b = reader_of(tmp_path / "a", small), reader_of(tmp_path / "b", large)
    sync_milvus(a, "", "chunks", client=client)
    report = sync_milvus(b, "", "chunks", client=client)
    assert (report.added, report.removed) == (b.size, a.size)
    q = large.embed_query("glacier")
    assert_same(
        MilvusStore("", "chunks", b, client=client).search(q, 4), FaissStore(b).search(q, 4), exact(b, q)
    )


def test_open_vector_store_by_setting(index_dir: Path, fake: FakeEmbedder) -> None:
    reader = reader_of(index_dir, fake)
    assert isinstance(open_vector_store(reader), FaissStore)
    with pytest.raises(VectorStoreError, match="unknown vector store 'pinecone'"):
        open_vector_store(reader, kind="pinecone")
    with pytest.raises(VectorStoreError, match=r"no collection 'chunks'; fill it with: python cli\.py index"):
        open_vector_store(reader, kind="milvus", collection="chunks")
    # The default URI is Milvus Lite beside the index; sync_index fills it from the live generation.
    assert sync_index(index_dir, store="faiss") is None
    report = sync_index(index_dir, store="milvus", collection="chunks")
    assert report is not None and report.added == reader.size
    store = open_vector_store(reader, kind="milvus", collection="chunks")
    assert store.name == "milvus" and isinstance(store, MilvusStore) and store.synced
    q = fake.embed_query("apple cider")
    assert_same(store.search(q, 3), FaissStore(reader).search(q, 3), exact(reader, q))
    store.close()
    from milvus_lite.server_manager import server_manager_instance

    # Reopened (as after a server restart) the collection is not loaded; opening the store loads it.
    server_manager_instance.release_server(str(index_dir / "milvus.db"))
    store = open_vector_store(reader, kind="milvus", collection="chunks")
    assert_same(store.search(q, 3), FaissStore(reader).search(q, 3), exact(reader, q))
    assert isinstance(store, MilvusStore) and store.synced
    store.close()
    server_manager_instance.release_server(str(index_dir / "milvus.db"))


def test_the_collection_follows_the_builds_index_kind(
    corpus: Path, index_dir: Path, fake: FakeEmbedder, client: Any
) -> None:
    sync_milvus(reader_of(index_dir, fake), "", "chunks", client=client)
    assert client.describe_index("chunks", "vector")["index_type"] == "FLAT"
    write_doc(corpus, "more.txt", 7)
    build_index(corpus, index_dir, fake, chunker=CHUNKER, ann="hnsw")
    reader = reader_of(index_dir, fake)
    report = sync_milvus(reader, "", "chunks", client=client)
    assert client.describe_index("chunks", "vector")["index_type"] == "HNSW"
    assert report.unchanged == reader.size - report.added and report.added > 0
    store = MilvusStore("", "chunks", reader, client=client)
    allowed = np.arange(0, reader.size, 2)
    for text in QUERIES:
        q = fake.embed_query(text)
        assert_same(store.search(q, 6), FaissStore(reader).search(q, 6), exact(reader, q))
        assert_same(
            store.search(q, 6, allowed=allowed),
            FaissStore(reader).search(q, 6, allowed=allowed),
            exact(reader, q),
        )


def test_an_unreachable_server_is_one_clear_error_without_credentials() -> None:
    with pytest.raises(VectorStoreError, match=r"cannot reach Milvus at http://127\.0\.0\.1:1:") as caught:
        connect_milvus("http://root:s3cret@127.0.0.1:1")
    assert "s3cret" not in caught.value.message


def test_faiss_store_searches_past_hnsw_ef_search(tmp_path: Path, fake: FakeEmbedder) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(120):
        write_doc(corpus, f"doc{n:03d}.txt", n)
    build_index(corpus, tmp_path / "hnsw", fake, chunker=CHUNKER, ann="hnsw")
    reader = reader_of(tmp_path / "hnsw", fake)
    reader.dense.hnsw.efSearch = 4  # far fewer candidates than asked for: FAISS alone would miss many
    k = 100
    assert reader.size > 2 * k
    for text in QUERIES:
        q = fake.embed_query(text)
        rows, _ = FaissStore(reader).search(q, k)
        best = np.argsort(-exact(reader, q), kind="stable")[:k]
        assert len(rows) == k and len(set(rows.tolist()) & set(best.tolist())) >= 0.95 * k


def test_searching_milvus_never_loads_the_faiss_index(
    index_dir: Path, fake: FakeEmbedder, client: Any
) -> None:
    sync_milvus(reader_of(index_dir, fake), "", "chunks", client=client)
    reader = reader_of(index_dir, fake)  # a fresh reader, as a server opening the index has
    store = MilvusStore("", "chunks", reader, client=client)
    for text in QUERIES:
        q = fake.embed_query(text)
        assert len(store.search(q, 5)[0]) == 5
        assert len(store.search(q, 5, allowed=np.arange(0, reader.size, 2))[0]) == 5
    assert reader._dense is None  # the memory stays where the search went
    FaissStore(reader)
    assert reader._dense is not None
