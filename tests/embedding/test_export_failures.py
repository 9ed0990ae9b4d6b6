"""The query model's export under a full disk or a kill: one line, and nothing left behind."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

import assistant.embedding.export as export
from assistant.embedding.model import SentenceTransformerEmbedder
from assistant.errors import ExportFailed


def test_disk_full_during_the_export_is_one_line_and_leaves_nothing(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    index = tmp_path / "index"
    index.mkdir()
    dead = index / ".onnx.abc123"  # a staging folder of an export killed earlier
    dead.mkdir()
    (dead / "model.onnx").write_bytes(b"\0" * 4096)

    def full(model_dir: Path, out_dir: Path, *, name: str | None = None) -> Path:
        staging = out_dir.parent / ".onnx.def456"
        staging.mkdir()
        (staging / "model.onnx").write_bytes(b"\0" * 10)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export, "export_onnx", full)
    with pytest.raises(ExportFailed) as caught:
        export.ensure_query_export(index, SentenceTransformerEmbedder())
    assert caught.value.message == (
        f"could not write the ONNX export in {index / 'onnx'} (No space left on device); the index itself "
        "is built and answers (through torch); free space and run: python cli.py index"
    )
    assert "\n" not in caught.value.message
    assert not dead.exists()  # removed before exporting again
    monkeypatch.setattr(export, "export_onnx", lambda *a, **kw: (_ for _ in ()).throw(ValueError("no")))
    assert export.ensure_query_export(index, SentenceTransformerEmbedder()) is False
    assert sorted(p.name for p in index.iterdir() if p.name.startswith(".onnx.")) == []


def test_dead_export_folders_go_at_the_next_index_run_whatever_the_backend(
    corpus: Path, tmp_path: Path
) -> None:
    from dataclasses import replace

    from filelock import FileLock

    from assistant.config import Settings
    from assistant.storage.build import update_index
    from tests.fakes import FakeEmbedder

    index = tmp_path / "index"
    index.mkdir()
    dead = index / ".onnx.k1ll3d"
    dead.mkdir()
    settings = replace(
        Settings(), corpus_dir=corpus, index_dir=index, query_backend="torch", parse_worker=False
    )
    with FileLock(str(index / ".export.lock")):  # an export running elsewhere: its folder stays
        update_index(settings, FakeEmbedder(64))
    assert dead.exists()
    update_index(settings, FakeEmbedder(64))
    assert not dead.exists()
