"""Build progress in a log: a plain line every few seconds saying what the build does and for how long."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import assistant.ingest.formats as formats
from assistant.ingest.document import Document, RawFile
from assistant.interfaces.cli.progress import ProgressLog
from assistant.storage.build import build_index
from tests.fakes import FakeEmbedder


def test_a_file_that_stalls_the_build_is_named_in_the_log(corpus: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    err = io.StringIO()
    now = [100.0]
    log = ProgressLog(err, interval=0.01, clock=lambda: now[0])
    stalled, released = threading.Event(), threading.Event()
    plain = formats.LOADERS[".md"]

    def slow(raw: RawFile) -> list[Document]:
        stalled.set()
        released.wait(10)
        return plain(raw)

    monkeypatch.setitem(formats.LOADERS, ".md", slow)
    build = threading.Thread(
        target=build_index,
        args=(corpus, tmp_path / "index", FakeEmbedder(64)),
        kwargs={"on_file": log.parsing, "progress": log.embedded},
    )
    build.start()
    assert stalled.wait(10)
    now[0] += 42.0
    log.tick()
    released.set()
    build.join(10)
    log.tick()
    assert err.getvalue().splitlines() == [
        "indexing: parsing file 2 of 3: harbour.md (42 s)",
        "indexing: embedded 3 of 3 chunks (0 s)",
    ]


def test_lines_come_by_themselves_every_interval() -> None:
    err = io.StringIO()
    with ProgressLog(err, interval=0.01) as log:
        log.parsing(0, 10, "a.txt")
        for _ in range(500):
            if err.getvalue().count("\n") >= 2:
                break
            threading.Event().wait(0.01)
    assert err.getvalue().splitlines()[0].startswith("indexing: parsing file 1 of 10: a.txt (")


def test_file_names_cannot_forge_log_lines() -> None:
    err = io.StringIO()
    log = ProgressLog(err, clock=lambda: 0.0)
    log.parsing(0, 1, "a\nindexing: all done\x1b[2J.txt")
    log.tick()
    assert err.getvalue() == "indexing: parsing file 1 of 1: a\\nindexing: all done\\x1b[2J.txt (0 s)\n"
