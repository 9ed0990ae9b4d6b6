"""Index builds with a progress bar on the terminal (plain lines when output is not a terminal)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from assistant.config import Settings
from assistant.embedding.model import Embedder
from assistant.storage.build import BuildReport, Progress, update_index


def index_with_progress(
    settings: Settings, embedder: Embedder, err: TextIO, *, rebuild: bool = False
) -> BuildReport:
    """Build or update the configured index, showing embedding progress on err."""
    with progress_bar(err) as update:
        report, synced = update_index(settings, embedder, rebuild=rebuild, progress=update)
    if synced is not None:
        print(synced.summary(), file=err)
    return report


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
