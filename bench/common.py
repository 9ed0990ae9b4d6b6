"""What the benchmarks share: percentiles, the BEIR dataset readers, a process's memory, opening an index as
the application does, and the reliability table of confidences."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

BINS = 10  # equal-width confidence bins of a reliability table


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile with linear interpolation (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    pos = (len(ordered) - 1) * p / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def load_queries(data_dir: Path, split: str) -> dict[str, str]:
    path = data_dir / f"queries_{split}.jsonl"
    if not path.is_file():
        path = data_dir / "queries.jsonl"
    queries = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                queries[str(record["_id"])] = record["text"]
    return queries


def load_qrels(path: Path) -> dict[str, set[str]]:
    """query id -> ids of the documents judged relevant (score > 0); the header line is skipped."""
    qrels: dict[str, set[str]] = {}
    with path.open(encoding="utf-8") as handle:
        for n, line in enumerate(handle):
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3 or (n == 0 and not parts[2].strip().lstrip("-").isdigit()):
                continue
            if int(parts[2]) > 0:
                qrels.setdefault(parts[0], set()).add(parts[1])
    return qrels


def read_status_kib(pid: int, key: str) -> int | None:
    """A memory line of /proc/PID/status in KiB (VmRSS: resident now, VmHWM: the peak); None when gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def open_like_the_application(index_dir: Path, settings: Any, embedder: Any) -> Any:
    """The Assistant over a built index, queried as the CLI and the server query it: with the ONNX export
    (made here when missing) for the question and its int8 copy for the scorer's sentence similarities,
    unless settings.query_backend says torch; `embedder` is the torch model the index was built with."""
    from dataclasses import replace

    from assistant.assistant import Assistant
    from assistant.embedding.export import ensure_query_export

    settings = replace(settings, index_dir=index_dir)
    if settings.query_backend == "torch" or not ensure_query_export(index_dir, embedder):
        return Assistant.open(index_dir, settings=settings, embedder=embedder)
    return Assistant.open(index_dir, settings=settings)


def reliability(
    pairs: Sequence[tuple[float, bool]], bins: int = BINS
) -> tuple[list[tuple[str, int, float, float]], float]:
    """Rows (bin, count, mean confidence, share right) of the non-empty equal-width bins of [0, 1] (1.0 in
    the last), and the expected calibration error: the count-weighted mean gap between confidence and
    share right."""
    rows, ece, n = [], 0.0, len(pairs)
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [(c, r) for c, r in pairs if lo <= c < hi or (b == bins - 1 and c >= 1.0)]
        if not inside:
            continue
        mean = sum(c for c, _ in inside) / len(inside)
        right = sum(r for _, r in inside) / len(inside)
        rows.append((f"{lo:.1f}-{hi:.1f}", len(inside), mean, right))
        ece += len(inside) / n * abs(mean - right)
    return rows, ece
