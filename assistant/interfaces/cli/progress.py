"""Index builds with a progress bar on the terminal, and a plain line every few seconds when it is not one."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from assistant.config import Settings
from assistant.embedding.model import Embedder
from assistant.storage.build import update_index
from assistant.storage.report import BuildReport, Progress

LOG_INTERVAL = 5.0  # seconds between progress lines in a log


def index_with_progress(
    settings: Settings, embedder: Embedder, err: TextIO, *, rebuild: bool = False
) -> BuildReport:
    """Build or update the configured index, showing parsing and embedding progress on err."""
    log = ProgressLog(err) if not _is_terminal(err) else None
    with progress_bar(err) as update, log or contextlib.nullcontext():

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
    """Progress as plain lines, one every `interval` seconds while the build runs, so a stalled build shows in
    a log: each line says what the build is doing now and for how long (a file that stalls is named)."""

    def __init__(
        self, err: TextIO, *, interval: float = LOG_INTERVAL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.err = err
        self.interval = interval
        self.clock = clock
        self._state = "scanning the corpus"
        self._since = clock()
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def _set(self, state: str) -> None:
        with self._lock:
            if state != self._state:
                self._state, self._since = state, self.clock()

    def parsing(self, done: int, total: int, name: str) -> None:
        # a name's control characters are escaped: a file named "x\nindexing: done" forges no log line
        shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in name)
        self._set(f"parsing file {done + 1} of {total}: {shown}")

    def embedded(self, done: int, total: int) -> None:
        self._set(f"embedded {done} of {total} chunks")

    def tick(self) -> None:
        """Print what the build is doing now."""
        with self._lock:
            state, since = self._state, self._since
        print(f"indexing: {state} ({self.clock() - since:.0f} s)", file=self.err, flush=True)

    def __enter__(self) -> ProgressLog:
        def beat() -> None:
            while not self._stop.wait(self.interval):
                self.tick()

        threading.Thread(target=beat, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()


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
