"""An index folder that cannot be written (read-only, full): one line with the folder and the fix, and the
previous generation keeps answering."""

from __future__ import annotations

import errno
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import assistant.storage.generations as generations
from assistant.assistant import Assistant
from assistant.errors import IndexWriteFailed
from assistant.storage.build import build_index
from tests.fakes import FakeEmbedder


def _leftovers(index: Path) -> list[str]:
    return sorted(p.name for p in index.iterdir() if p.name.startswith(".tmp-"))


def test_read_only_index_folder_is_one_line(corpus: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Simulated (tests run as root, who writes anywhere); the real folder is in the slow test below."""
    import filelock

    def read_only(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(errno.EROFS, "Read-only file system", str(tmp_path / "index" / ".lock"))

    monkeypatch.setattr(filelock.FileLock, "acquire", read_only)
    with pytest.raises(IndexWriteFailed) as caught:
        build_index(corpus, tmp_path / "index", FakeEmbedder(64))
    message = caught.value.message
    assert message == (
        f"cannot write to the index folder {tmp_path / 'index'} (read-only file system); make it writable, "
        "or choose another with --index"
    )


def test_disk_full_while_writing_keeps_the_previous_generation(
    corpus: Path, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    index = tmp_path / "index"
    build_index(corpus, index, FakeEmbedder(64))
    (corpus / "more.txt").write_text("More\n\nThe quarry produced 40 tonnes of slate.")

    def full(path: Path, gen: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(generations, "_write_sqlite", full)
    with pytest.raises(IndexWriteFailed, match=r"no space left on device.*the previous index still answers"):
        build_index(corpus, index, FakeEmbedder(64))
    assert _leftovers(index) == []
    assistant = Assistant.open(index, embedder=FakeEmbedder(64))
    assert len(assistant.documents()) == 3


# --- on real file systems (tmpfs), where the machine lets the tests mount one ----------------------------


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A 3 MB tmpfs mounted for the test; skipped where mounting is not allowed."""
    target = tmp_path / f"fs-{uuid.uuid4().hex[:6]}"
    target.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(target)], capture_output=True, text=True
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


@pytest.mark.slow
def test_real_disk_full_and_read_only_folder(corpus: Path, small_fs: Path) -> None:
    index = small_fs / "index"
    build_index(corpus, index, FakeEmbedder(64))
    words = " ".join(f"word{i}" for i in range(400_000))  # about 4 MB of text: more than the disk holds
    (corpus / "big.txt").write_text("Big\n\n" + words)
    with pytest.raises(IndexWriteFailed) as caught:
        build_index(corpus, index, FakeEmbedder(64))
    assert "(no space left on device); the previous index still answers" in caught.value.message
    assert _leftovers(index) == []
    assert len(Assistant.open(index, embedder=FakeEmbedder(64)).documents()) == 3
    (corpus / "big.txt").unlink()
    subprocess.run(["mount", "-o", "remount,ro", str(small_fs)], check=True)
    (corpus / "new.txt").write_text("New\n\nA new text.")
    with pytest.raises(IndexWriteFailed, match=r"cannot write to the index folder .*read-only file system"):
        build_index(corpus, index, FakeEmbedder(64))
    assert len(Assistant.open(index, embedder=FakeEmbedder(64)).documents()) == 3
