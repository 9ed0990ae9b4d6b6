"""Building and updating an index: incremental embedding, atomic generations, locks, mismatches, corruption."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import IndexBusy, IndexCorrupt, IndexMismatch, IndexNotFound, IndexWriteFailed
from assistant.storage.build import build_index
from assistant.storage.changes import CorpusChanges, corpus_changes
from assistant.storage.generations import current_generation, open_index
from tests.fakes import FakeEmbedder


def test_first_build_indexes_every_document(corpus: Path, tmp_path: Path, fake: FakeEmbedder) -> None:
    report = build_index(corpus, tmp_path / "idx", fake)
    assert (report.added, report.updated, report.removed, report.unchanged) == (3, 0, 0, 0)
    reader = open_index(tmp_path / "idx", model=fake.name)
    assert sorted(d.id for d in reader.documents) == ["economy.txt", "harbour.md", "orchard.txt"]
    assert reader.size == report.chunks == report.embedded
    harbour = next(d for d in reader.documents if d.id == "harbour.md")
    assert harbour.title == "Harbour report" and harbour.metadata == {"date": "2022-01-05"}


def test_rerun_with_nothing_changed_embeds_nothing_and_writes_nothing(corpus: Path, index_dir: Path) -> None:
    counting = FakeEmbedder(64)
    before = current_generation(index_dir)
    report = build_index(corpus, index_dir, counting)
    assert counting.calls == 0 and counting.embedded == 0
    assert not report.written and report.unchanged == 3
    assert current_generation(index_dir) == before


def test_update_embeds_only_the_changed_file(corpus: Path, index_dir: Path) -> None:
    old = open_index(index_dir, model="fake-embedder")
    old_ids = {c.chunk.doc_id: c.id for c in old.chunks(range(old.size)).values()}
    (corpus / "orchard.txt").write_text("Orchard notes\n\nThe orchard now grows 40 kinds of plums.")
    (corpus / "new.txt").write_text("A new document about 7 bridges.")
    (corpus / "harbour.md").unlink()
    counting = FakeEmbedder(64)
    report = build_index(corpus, index_dir, counting)
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 1, 1)
    new_reader = open_index(index_dir, model="fake-embedder")
    fresh_chunks = sum(d.chunks for d in new_reader.documents if d.id in ("orchard.txt", "new.txt"))
    assert counting.embedded == fresh_chunks
    stored = new_reader.chunks(range(new_reader.size)).values()
    assert {c.chunk.doc_id for c in stored} == {"economy.txt", "orchard.txt", "new.txt"}
    # Unchanged documents keep their stable chunk ids; their vectors are reused as they were.
    economy = [c for c in stored if c.chunk.doc_id == "economy.txt"]
    assert all(c.id == old_ids["economy.txt"] or c.id in old_ids.values() for c in economy)
    row = economy[0].row
    expected = FakeEmbedder(64).embed([f"Digital economy\n{economy[0].chunk.text}"])[0]
    np.testing.assert_allclose(new_reader.vectors[row], expected, atol=1e-6)


def test_corpus_changes_names_new_changed_and_removed_files_until_the_index_is_updated(
    corpus: Path, index_dir: Path
) -> None:
    assert not corpus_changes(corpus, index_dir)
    (corpus / "orchard.txt").write_text("Orchard notes\n\nThe orchard now grows 40 kinds of plums.")
    (corpus / "new.txt").write_text("A new document about 7 bridges.")
    (corpus / "harbour.md").unlink()
    changes = corpus_changes(corpus, index_dir)
    assert changes == CorpusChanges(new=("new.txt",), changed=("orchard.txt",), removed=("harbour.md",))
    assert changes.summary() == "1 new, 1 changed, 1 removed"
    build_index(corpus, index_dir, FakeEmbedder(64))
    assert not corpus_changes(corpus, index_dir)


def test_a_touched_file_is_read_again_but_is_no_change(corpus: Path, index_dir: Path) -> None:
    import os

    orchard = corpus / "orchard.txt"
    os.utime(orchard, ns=(1, 1))  # new modification time, same bytes: its checksum decides
    assert not corpus_changes(corpus, index_dir)
    text = orchard.read_text()
    orchard.write_text(text.replace("Orchard", "Grove"))
    os.utime(orchard, ns=(1, 1))
    assert corpus_changes(corpus, index_dir) == CorpusChanges(changed=("orchard.txt",))


def test_an_index_built_from_another_folder_is_not_this_corpus_s_to_update(
    corpus: Path, index_dir: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other-corpus"
    other.mkdir()
    (other / "unrelated.txt").write_text("An unrelated corpus about 3 lighthouses.")
    assert not corpus_changes(other, index_dir)
    (corpus / "new.txt").write_text("A new document about 7 bridges.")
    assert corpus_changes(corpus, index_dir) == CorpusChanges(new=("new.txt",))


def test_a_project_moved_with_its_corpus_and_index_keeps_them_together(tmp_path: Path) -> None:
    from tests.helpers import write_corpus

    before = tmp_path / "before"
    write_corpus(before / "corpus")
    build_index(before / "corpus", before / "index", FakeEmbedder(64))
    after = tmp_path / "after"
    before.rename(after)
    (after / "corpus" / "new.txt").write_text("A new document about 7 bridges.")
    assert corpus_changes(after / "corpus", after / "index") == CorpusChanges(new=("new.txt",))


def test_a_file_that_failed_to_load_is_no_change_until_it_changes(corpus: Path, tmp_path: Path) -> None:
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 this is not a pdf")
    index_dir = tmp_path / "index"
    report = build_index(corpus, index_dir, FakeEmbedder(64))
    assert [s.source for s in report.skipped] == ["broken.pdf"]
    assert not corpus_changes(corpus, index_dir)
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 still not a pdf")
    assert corpus_changes(corpus, index_dir) == CorpusChanges(new=("broken.pdf",))


def test_an_index_built_before_unreadable_files_were_recorded_learns_them_once(
    corpus: Path, tmp_path: Path
) -> None:
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 this is not a pdf")
    index_dir = tmp_path / "index"
    build_index(corpus, index_dir, FakeEmbedder(64))
    gen = current_generation(index_dir)
    assert gen is not None
    manifest_path = gen / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    del manifest["unreadable_in_corpus"], manifest["stats_in_corpus"]  # as an older version wrote it
    manifest_path.write_text(json.dumps(manifest))
    assert corpus_changes(corpus, index_dir) == CorpusChanges(new=("broken.pdf",))
    counting = FakeEmbedder(64)
    assert build_index(corpus, index_dir, counting).written and counting.embedded == 0
    assert not corpus_changes(corpus, index_dir)


def test_deleted_document_never_comes_back_from_either_side(corpus: Path, index_dir: Path) -> None:
    from assistant.retrieval.search import Retriever

    (corpus / "orchard.txt").unlink()
    build_index(corpus, index_dir, FakeEmbedder(64))
    reader = open_index(index_dir, model="fake-embedder")
    retriever = Retriever(reader, FakeEmbedder(64))
    for mode in ("lexical", "dense", "hybrid"):
        hits = retriever.search("zymurgical cellar cider orchard", k=10, mode=mode)
        assert all(h.chunk.doc_id != "orchard.txt" for h in hits)


def test_failed_build_leaves_previous_index_live(corpus: Path, index_dir: Path) -> None:
    class Exploding(FakeEmbedder):
        def embed(self, texts, *, progress=None):  # type: ignore[no-untyped-def]
            raise RuntimeError("killed mid-build")

    before = current_generation(index_dir)
    (corpus / "more.txt").write_text("Another document with 5 figures.")
    with pytest.raises(RuntimeError):
        build_index(corpus, index_dir, Exploding(64))
    assert current_generation(index_dir) == before
    assert not list(index_dir.glob(".tmp-*"))
    reader = open_index(index_dir, model="fake-embedder")
    assert "more.txt" not in {d.id for d in reader.documents}
    # The next build completes and picks the new document up.
    report = build_index(corpus, index_dir, FakeEmbedder(64))
    assert report.added == 1


def test_crash_while_writing_files_leaves_previous_index(corpus: Path, index_dir: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import assistant.storage.generations as store

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    monkeypatch.setattr(store, "_write_sqlite", broken)
    before = current_generation(index_dir)
    (corpus / "more.txt").write_text("Another document.")
    with pytest.raises(IndexWriteFailed, match="disk full"):  # one line, not a traceback
        build_index(corpus, index_dir, FakeEmbedder(64))
    assert current_generation(index_dir) == before
    assert open_index(index_dir, model="fake-embedder").size > 0


def test_model_mismatch_says_how_to_rebuild(index_dir: Path) -> None:
    with pytest.raises(
        IndexMismatch, match=r"built with model 'fake-embedder'.*rebuild with: python cli\.py index --rebuild"
    ):
        open_index(index_dir, model="all-MiniLM-L6-v2")
    with pytest.raises(IndexMismatch, match="dimension 64"):
        open_index(index_dir, model="fake-embedder", dimension=384)


def test_format_version_mismatch(index_dir: Path) -> None:
    gen = current_generation(index_dir)
    assert gen is not None
    manifest = json.loads((gen / "manifest.json").read_text())
    manifest["format_version"] = 999
    (gen / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexMismatch, match="format version 999"):
        open_index(index_dir, model="fake-embedder")


def test_model_change_rebuilds_everything(corpus: Path, index_dir: Path) -> None:
    other = FakeEmbedder(32, name="other-model")
    report = build_index(corpus, index_dir, other)
    assert report.added == 3 and report.note == "model changed"
    assert open_index(index_dir, model="other-model").vectors.shape[1] == 32


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_damaged_index_file_is_detected(index_dir: Path, damage: str) -> None:
    gen = current_generation(index_dir)
    assert gen is not None
    target = gen / "vectors.npy"
    data = bytearray(target.read_bytes())
    if damage == "truncate":
        target.write_bytes(bytes(data[: len(data) // 2]))
    else:
        data[-5] ^= 0xFF
        target.write_bytes(bytes(data))
    with pytest.raises(IndexCorrupt, match=r"rebuild with: python cli\.py index --rebuild"):
        open_index(index_dir, model="fake-embedder")


def test_missing_index(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFound, match=r"no index in .*python cli\.py index"):
        open_index(tmp_path / "none", model="fake-embedder")


def test_second_build_refuses_while_first_holds_the_lock(corpus: Path, index_dir: Path) -> None:
    from filelock import FileLock

    with FileLock(str(index_dir / ".lock")), pytest.raises(IndexBusy, match="another process is building"):
        build_index(corpus, index_dir, FakeEmbedder(64))


def test_skipped_files_are_reported_and_the_rest_indexed(corpus: Path, tmp_path: Path) -> None:
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    (corpus / "empty.txt").write_bytes(b"")
    report = build_index(corpus, tmp_path / "idx", FakeEmbedder(64))
    assert report.documents == 3
    assert sorted((s.source, s.reason.split(" (")[0]) for s in report.skipped) == [
        ("broken.pdf", "corrupt PDF"),
        ("empty.txt", "empty file"),
    ]


def test_only_two_generations_are_kept(corpus: Path, index_dir: Path) -> None:
    for i in range(3):
        (corpus / f"extra{i}.txt").write_text(f"Extra document number {i}.")
        build_index(corpus, index_dir, FakeEmbedder(64))
    assert len(list(index_dir.glob("gen-*"))) == 2


def test_update_index_builds_with_every_setting_from_the_environment(corpus: Path, tmp_path: Path) -> None:
    from assistant.config import Settings
    from assistant.storage.build import update_index

    env = {
        "ASSISTANT_INDEX": str(tmp_path / "idx"),
        "ASSISTANT_CORPUS": str(corpus),
        "ASSISTANT_BM25_K1": "1.5",
        "ASSISTANT_BM25_B": "0.9",
        "ASSISTANT_CHUNK_TOKENS": "80",
        "ASSISTANT_QUERY_BACKEND": "torch",  # no ONNX export for the fake embedder
    }
    settings = Settings.from_env(env)
    report, synced = update_index(settings, FakeEmbedder(64))
    assert report.written and synced is None  # FAISS, the default store, needs no sync
    live = current_generation(tmp_path / "idx")
    assert live is not None
    manifest = json.loads((live / "manifest.json").read_text())
    assert manifest["lexical"] == {"k1": 1.5, "b": 0.9}
    assert manifest["chunker"]["max_tokens"] == 80


def test_an_hnsw_index_grows_when_documents_are_only_added(corpus: Path, tmp_path: Path) -> None:
    fake = FakeEmbedder(64)
    target = tmp_path / "idx"

    def dense_update() -> str:
        live = current_generation(target)
        assert live is not None
        return str(json.loads((live / "manifest.json").read_text())["dense_update"])

    def finds_every_chunk_first() -> bool:
        reader = open_index(target, model=fake.name)
        _, rows = reader.dense.search(np.asarray(reader.vectors, dtype=np.float32), 1)
        return reader.dense.ntotal == reader.size and (rows[:, 0] == np.arange(reader.size)).all()

    build_index(corpus, target, fake, ann="hnsw")
    assert dense_update() == "built" and finds_every_chunk_first()
    for n in range(3):  # only additions: the saved graph grows by the new rows
        (corpus / f"new{n}.txt").write_text(
            f"Bridge report {n}\n\nThe bridge has {n + 7} spans of steel girders."
        )
        assert build_index(corpus, target, fake, ann="hnsw").added == 1
        assert dense_update() == "extended" and finds_every_chunk_first()
    (corpus / "new0.txt").write_text("Bridge report\n\nThe bridge was rebuilt with 9 spans.")  # a change
    build_index(corpus, target, fake, ann="hnsw")
    assert dense_update() == "built" and finds_every_chunk_first()
    (corpus / "new1.txt").unlink()  # a removal
    build_index(corpus, target, fake, ann="hnsw")
    assert dense_update() == "built" and finds_every_chunk_first()
    build_index(corpus, target, fake, ann="flat", rebuild=False)  # another kind is always built
    assert dense_update() == "built"
