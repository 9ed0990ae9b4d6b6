"""SHA-256 checksums of files, read in blocks so that a large file never sits in memory whole."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any


def update_from_file(digest: Any, path: Path) -> None:
    """Feed a file's bytes to a hashlib digest, a block at a time."""
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    update_from_file(digest, path)
    return digest.hexdigest()
