"""Damage to a generation's files is found at load whatever the index's size (it was: by size only over 512 MB)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from assistant.errors import IndexCorrupt
from assistant.storage.build import build_index
from assistant.storage.generations import current_generation, open_index
from tests.fakes import FakeEmbedder


def _edit_one_row(gen: Path) -> None:
    """Change a figure in one chunk's text, keeping the file's size (as an attacker would)."""
    con = sqlite3.connect(gen / "chunks.sqlite")
    row, text = con.execute("SELECT row, text FROM chunks WHERE text LIKE '%12 million%'").fetchone()
    con.execute("UPDATE chunks SET text = ? WHERE row = ?", (text.replace("12 million", "73 million"), row))
    con.commit()
    con.close()


def test_edited_row_is_found(corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    build_index(corpus, index, FakeEmbedder(64))
    gen = current_generation(index)
    assert gen is not None
    size = (gen / "chunks.sqlite").stat().st_size
    _edit_one_row(gen)
    assert (gen / "chunks.sqlite").stat().st_size == size
    with pytest.raises(IndexCorrupt, match=r"chunks\.sqlite is corrupted"):
        open_index(index, model="fake-embedder")


@pytest.mark.slow
def test_edited_row_is_found_in_an_index_over_512_mb(corpus: Path, tmp_path: Path) -> None:
    """The index is made large with a 600 MB sparse file recorded in its manifest (cheap on disk)."""
    index = tmp_path / "index"
    build_index(corpus, index, FakeEmbedder(64))
    gen = current_generation(index)
    assert gen is not None
    padding = gen / "padding.bin"
    with padding.open("wb") as handle:
        handle.truncate(600 * 1024 * 1024)
    digest = hashlib.sha256()
    with padding.open("rb") as handle:
        while block := handle.read(1 << 22):
            digest.update(block)
    manifest = json.loads((gen / "manifest.json").read_text())
    manifest["files"]["padding.bin"] = {"bytes": padding.stat().st_size, "sha256": digest.hexdigest()}
    (gen / "manifest.json").write_text(json.dumps(manifest))
    open_index(index, model="fake-embedder").close()  # intact: opens
    _edit_one_row(gen)
    with pytest.raises(IndexCorrupt, match=r"chunks\.sqlite is corrupted"):
        open_index(index, model="fake-embedder")
