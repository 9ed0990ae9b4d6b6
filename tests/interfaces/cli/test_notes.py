"""The notes beside an answer: which command fixes a stale index, and when the ONNX export goes unused."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from assistant.config import Settings
from assistant.embedding.onnx import MANIFEST_FILE, OnnxEmbedder
from assistant.interfaces.cli.notes import export_note, index_command
from tests.embedding.test_similarity import write_tiny_export
from tests.fakes import FakeEmbedder


def _settings(tmp_path: Path, **changes: object) -> Settings:
    return replace(Settings(), index_dir=tmp_path / "my index", corpus_dir=tmp_path / "docs", **changes)


def test_an_export_the_auto_backend_could_not_use_gets_a_note_naming_the_fix(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    write_tiny_export(settings.index_dir / "onnx")
    note = export_note(settings, FakeEmbedder())  # what query_embedder falls back to: not ONNX
    assert note is not None and "out of date" in note and "torch" in note
    assert note.endswith(index_command(settings.corpus_dir, settings.index_dir))
    assert "'" in note  # the folder with a space is quoted, so the command can be pasted


def test_no_note_when_the_export_is_used_torch_is_asked_for_or_there_is_none(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    export = write_tiny_export(settings.index_dir / "onnx")
    assert export_note(settings, OnnxEmbedder(export)) is None
    assert export_note(replace(settings, query_backend="torch"), FakeEmbedder()) is None
    (export / MANIFEST_FILE).unlink()  # never exported: torch is the only way, nothing to fix
    assert export_note(settings, FakeEmbedder()) is None


def test_an_export_of_an_older_format_is_noted(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    export = write_tiny_export(settings.index_dir / "onnx")
    manifest = json.loads((export / MANIFEST_FILE).read_text())
    (export / MANIFEST_FILE).write_text(json.dumps({**manifest, "format": 1}))
    assert "out of date" in (export_note(settings, FakeEmbedder()) or "")


def test_the_index_command_names_the_folders_only_when_they_are_not_the_defaults(tmp_path: Path) -> None:
    default = Settings()
    assert index_command(default.corpus_dir, default.index_dir) == "python cli.py index"
    named = index_command(tmp_path / "a b", tmp_path / "idx")
    assert named.startswith("python cli.py index --corpus '") and named.endswith(str(tmp_path / "idx"))
