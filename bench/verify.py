"""What verifying a generation's checksums at load costs, for generations sized like N-chunk indexes.

    python -m bench.verify [--chunks 100k,360k,1M] [--runs 3] [--dir DIR]

Writes files of the sizes a real generation of N chunks has (vectors.npy at 1,536 bytes a chunk, the chunk
table at about 1,100 and BM25 at about 300, from the indexes in docs/scaling.md), records their checksums in
a manifest as a build does, then times `verify_files` (the check every open does) several times and prints
the median. The files are just written, so they are read from the page cache: a cold start adds the disk's
read time. Nothing is kept.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.storage.generations import verify_files
from assistant.text.checksums import file_sha256

BYTES_PER_CHUNK = {"vectors.npy": 1536, "chunks.sqlite": 1100, "bm25/data.npz": 300}


def _count(text: str) -> int:
    text = text.lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * scale)


def _write(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    block = os.urandom(1 << 20)
    with path.open("wb") as handle:
        left = size
        while left > 0:
            left -= handle.write(block[: min(left, len(block))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", default="100k,360k,1M")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None, help="where to write (default: a temporary folder)")
    args = parser.parse_args()
    print(f"{'chunks':>9} {'MB':>7} {'verify s (median)':>18} {'MB/s':>7}")
    for text in args.chunks.split(","):
        n = _count(text)
        gen = Path(tempfile.mkdtemp(prefix="verify-", dir=args.dir))
        try:
            files: dict[str, dict[str, Any]] = {}
            for rel, per_chunk in BYTES_PER_CHUNK.items():
                _write(gen / rel, n * per_chunk)
                files[rel] = {"bytes": n * per_chunk, "sha256": file_sha256(gen / rel)}
            total = sum(f["bytes"] for f in files.values()) / 1e6
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                verify_files(gen, {"files": files})
                times.append(time.perf_counter() - started)
            median = statistics.median(times)
            print(f"{n:>9,} {total:>7,.0f} {median:>18.2f} {total / median:>7,.0f}")
        finally:
            shutil.rmtree(gen, ignore_errors=True)


if __name__ == "__main__":
    main()
