"""Index builds with a progress bar on the terminal, and a plain line every few seconds when it is not one."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from assistant.config import Settings
from assistant.embedding.model import Embedder
from assistant.storage.build import BuildReport, Progress, update_index

LOG_INTERVAL = 5.0  # seconds between progress lines in a log


def index_with_progress(
    settings: Settings, embedder: Embedder, err: TextIO, *, rebuild: bool = False
) -> BuildReport:
    """Build or update the configured index, showing parsing and embedding progress on err."""
    log = ProgressLog(err) if not _is_terminal(err) else None
    with progress_bar(err) as update:

        def embedded(done: int, total: int) -> None:
            update(done, total)
            if log is not None:
                log.embedded(done, total)

        report, synced = update_index(
            settings,
            embedder,
            rebuild=rebuild,
            progress=embedded,
            on_file=log.parsing if log is not None else None,
        )
    if synced is not None:
        print(synced.summary(), file=err)
    return report


def _is_terminal(err: TextIO) -> bool:
    isatty = getattr(err, "isatty", None)
    return bool(isatty and isatty())


class ProgressLog:
    """Progress as plain lines, at most one every `interval` seconds, so a stalled build shows in a log."""

    def __init__(
        self, err: TextIO, *, interval: float = LOG_INTERVAL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.err = err
        self.interval = interval
        self.clock = clock
        self._last = clock()

    def _due(self) -> bool:
        now = self.clock()
        if now - self._last < self.interval:
            return False
        self._last = now
        return True

    def parsing(self, done: int, total: int, name: str) -> None:
        # printed before the file is parsed: a file that stalls the build is the one named last
        if self._due():
            print(f"indexing: parsing file {done + 1} of {total}: {name}", file=self.err, flush=True)

    def embedded(self, done: int, total: int) -> None:
        if total and self._due():
            print(f"indexing: embedded {done} of {total} chunks", file=self.err, flush=True)


@contextmanager
def progress_bar(err: TextIO) -> Iterator[Progress]:
    """An embedding progress bar on err while the block runs (nothing when err is not a terminal)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    console = Console(file=err)
    with Bar(
        TextColumn("embedding"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task("embedding", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
