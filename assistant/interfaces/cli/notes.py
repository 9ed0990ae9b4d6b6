"""One-line notes the CLI and the chat print on stderr beside an answer: what to run to fix a stale index."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.config import Settings


def index_command(corpus_dir: Path, index_dir: Path) -> str:
    """The command that builds index_dir from corpus_dir: the folders named unless both are the defaults."""
    from assistant.config import Settings

    default = Settings()
    if corpus_dir == default.corpus_dir and index_dir == default.index_dir:
        return "python cli.py index"
    return (
        f"python cli.py index --corpus {shlex.quote(str(corpus_dir))} --index {shlex.quote(str(index_dir))}"
    )


def export_note(settings: Settings, embedder: object) -> str | None:
    """A note when the index has an ONNX export that the auto backend could not use (written by an older
    version, or with a file missing or cut short), so questions run through torch: seconds more to start each
    time, until `index` exports again (without rebuilding the index)."""
    from assistant.embedding.export import EXPORT_DIR
    from assistant.embedding.onnx import MANIFEST_FILE, OnnxEmbedder
    from assistant.storage.changes import built_from

    if settings.query_backend != "auto" or isinstance(embedder, OnnxEmbedder):
        return None
    if not (settings.index_dir / EXPORT_DIR / MANIFEST_FILE).is_file():
        return None  # never exported (a model that cannot be): torch is the only way
    corpus = built_from(settings.index_dir) or settings.corpus_dir
    return (
        "note: the index's ONNX export is out of date, so questions run through torch (slower to start); "
        f"run: {index_command(corpus, settings.index_dir)}"
    )
