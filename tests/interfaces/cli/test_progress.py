"""Build progress in a log: plain lines every few seconds, naming the file being parsed."""

from __future__ import annotations

import io
from pathlib import Path

from assistant.interfaces.cli.progress import ProgressLog
from assistant.storage.build import build_index
from tests.fakes import FakeEmbedder


def test_progress_lines_name_the_file_being_parsed_at_most_every_interval(
    corpus: Path, tmp_path: Path
) -> None:
    now = [0.0]

    def clock() -> float:
        now[0] += 3.0  # every file and every embedding step takes three seconds
        return now[0]

    err = io.StringIO()
    log = ProgressLog(err, interval=5.0, clock=clock)
    build_index(corpus, tmp_path / "index", FakeEmbedder(64), on_file=log.parsing, progress=log.embedded)
    assert err.getvalue().splitlines() == [
        "indexing: parsing file 2 of 3: harbour.md",
        "indexing: embedded 0 of 3 chunks",
    ]


def test_no_lines_within_the_interval() -> None:
    err = io.StringIO()
    log = ProgressLog(err, interval=5.0, clock=lambda: 1.0)
    log.parsing(0, 10, "a.txt")
    log.embedded(5, 10)
    assert err.getvalue() == ""
