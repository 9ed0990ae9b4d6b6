"""Settings: the one place that reads environment variables."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from assistant.limits import REQUEST_TIMEOUT

# The project root: corpus/ and index/ default to folders beside cli.py.
ROOT = Path(__file__).resolve().parent.parent


Parse = Callable[[str, str], Any]


def _int(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None


def _float(name: str, raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None


def _text(name: str, raw: str) -> str:
    return raw


def _optional_text(name: str, raw: str) -> str | None:
    return raw or None


def _path(name: str, raw: str) -> Path:
    return Path(raw).expanduser()


def _items(name: str, raw: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def _positive(name: str, raw: str) -> int:
    value = _int(name, raw)
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return value


def _flag(name: str, raw: str) -> bool:
    return raw.strip().lower() not in ("0", "false", "no", "off")


def _probability(name: str, raw: str) -> float:
    value = _float(name, raw)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1, got {raw!r}")
    return value


def _seconds(name: str, raw: str) -> float:
    value = _float(name, raw)
    if not 0 < value < float("inf"):
        raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
    return value


def _interval(name: str, raw: str) -> float:
    value = _float(name, raw)
    if not 0 <= value < float("inf"):
        raise ValueError(f"{name} must be 0 (off) or a number of seconds, got {value!r}")
    return value


def _show(value: Any) -> str:
    """A value as from_env reads it back: floats exactly (repr), sequences comma-separated, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, tuple):
        return ",".join(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def setting(default: Any, env: str, parse: Parse, doc: str, *, blank_is_default: bool = True) -> Any:
    """One row of the settings table: the field's default, its environment variable, its parser and doc.

    An empty variable means the default unless blank_is_default is False (then "" is a value: a Milvus URI).
    """
    factory = {"default_factory": lambda: default} if isinstance(default, tuple) else {"default": default}
    meta = {"env": env, "parse": parse, "doc": doc, "blank_is_default": blank_is_default}
    return field(metadata=meta, **factory)


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable, declared once: each field is a row (default, environment variable, parser, doc).

    Build with `Settings.from_env()`; override with `dataclasses.replace`. The objects each stage takes
    (ChunkerSettings, BM25Settings, FusionSettings) are built from this by their own `from_settings`.
    """

    corpus_dir: Path = setting(ROOT / "corpus", "ASSISTANT_CORPUS", _path, "the documents to answer from")
    index_dir: Path = setting(ROOT / "index", "ASSISTANT_INDEX", _path, "where the index lives")
    model: str | None = setting(
        None,
        "ASSISTANT_MODEL",
        _optional_text,
        "a sentence-transformers model folder; none: the packaged model",
    )
    query_backend: str = setting(
        "auto",
        "ASSISTANT_QUERY_BACKEND",
        _text,
        "torch, or onnx (queries through ONNX Runtime when the index carries an export); auto prefers onnx",
    )
    batch_size: int = setting(32, "ASSISTANT_BATCH_SIZE", _int, "texts per embedding batch")
    chunk_tokens: int = setting(200, "ASSISTANT_CHUNK_TOKENS", _int, "most tokens in a chunk")
    chunk_overlap: int = setting(40, "ASSISTANT_CHUNK_OVERLAP", _int, "tokens shared by neighbouring chunks")
    # Retrieval, tuned on the SciFact train split (see bench/README.md). BM25's parameters are fixed when the
    # index is built; a change re-indexes BM25 at the next build, reusing every vector.
    bm25_k1: float = setting(0.9, "ASSISTANT_BM25_K1", _float, "BM25 term-frequency saturation")
    bm25_b: float = setting(0.4, "ASSISTANT_BM25_B", _float, "BM25 length normalisation")
    fusion: str = setting(
        "convex", "ASSISTANT_FUSION", _text, "convex (weighted normalised scores) or rrf (reciprocal ranks)"
    )
    dense_weight: float = setting(
        0.5, "ASSISTANT_DENSE_WEIGHT", _float, "the dense side's weight in convex fusion"
    )
    fusion_normalization: str = setting(
        "minmax",
        "ASSISTANT_FUSION_NORMALIZATION",
        _text,
        "how convex fusion scales each side: minmax or zscore",
    )
    # About 100 documents' worth from each side, so fusion can lift a document one side ranks anywhere in its top 100.
    candidates: int = setting(200, "ASSISTANT_CANDIDATES", _int, "chunks taken from each side before fusion")
    k: int = setting(5, "ASSISTANT_K", _int, "passages per answer")
    # None: the threshold chosen with the scorer's weights (assistant/answering/scorer_weights.json)
    min_confidence: float | None = setting(
        None,
        "ASSISTANT_MIN_CONFIDENCE",
        _probability,
        "answers below this confidence abstain; 0 answers whatever the rules find",
    )
    ann: str = setting(
        "auto",
        "ASSISTANT_ANN",
        _text,
        "FAISS index: auto (exact, then HNSW above ann_threshold), flat, hnsw...",
    )
    ann_threshold: int = setting(
        200_000, "ASSISTANT_ANN_THRESHOLD", _int, "chunks above which auto uses HNSW"
    )
    vector_store: str = setting(
        "faiss", "ASSISTANT_VECTOR_STORE", _text, "faiss (in process) or milvus (docs/vector-stores.md)"
    )
    milvus_uri: str = setting(
        "",
        "ASSISTANT_MILVUS_URI",
        _text,
        "a Milvus server (http://host:19530) or Lite file (*.db); empty: Milvus Lite inside the index",
        blank_is_default=False,
    )
    milvus_collection: str = setting(
        "assistant", "ASSISTANT_MILVUS_COLLECTION", _text, "the Milvus collection"
    )
    api_keys: tuple[str, ...] = setting(
        (), "ASSISTANT_API_KEYS", _items, "bearer keys for /v1 routes, comma-separated"
    )
    rate_limit: int = setting(60, "ASSISTANT_RATE_LIMIT", _int, "requests a minute per key (or per client)")
    cors_origins: tuple[str, ...] = setting((), "ASSISTANT_CORS_ORIGINS", _items, "origins allowed by CORS")
    request_timeout: float = setting(
        REQUEST_TIMEOUT,
        "ASSISTANT_REQUEST_TIMEOUT",
        _seconds,
        "seconds a client has to send a request's head, and then its body (408 after)",
    )
    reload_interval: float = setting(
        2.0,
        "ASSISTANT_RELOAD_INTERVAL",
        _interval,
        "seconds between a server's checks for a generation built elsewhere (0: never)",
    )
    # What one corpus file may cost to index (see assistant/ingest/limits.py); a file over any of them is
    # skipped and named. Files are parsed in a worker process killed after parse_timeout seconds or past
    # parse_memory_mb of memory (parse_worker off parses in the build process, without those two).
    max_file_mb: int = setting(200, "ASSISTANT_MAX_FILE_MB", _positive, "largest corpus file read, in MB")
    max_unpacked_mb: int = setting(
        256, "ASSISTANT_MAX_UNPACKED_MB", _positive, "most a .docx/.pptx/.xlsx may unpack to, in MB"
    )
    max_text_chars: int = setting(
        64_000_000, "ASSISTANT_MAX_TEXT_CHARS", _positive, "most text extracted from one file, in characters"
    )
    max_pdf_pages: int = setting(2_000, "ASSISTANT_MAX_PDF_PAGES", _positive, "most pages read from one PDF")
    max_html_depth: int = setting(1_000, "ASSISTANT_MAX_HTML_DEPTH", _positive, "deepest HTML nesting read")
    max_chunk_chars: int = setting(
        4_000, "ASSISTANT_MAX_CHUNK_CHARS", _positive, "longest chunk; runs without spaces are split"
    )
    parse_worker: bool = setting(
        True,
        "ASSISTANT_PARSE_WORKER",
        _flag,
        "parse each file in a worker process with time and memory limits",
    )
    parse_timeout: float = setting(
        120.0, "ASSISTANT_PARSE_TIMEOUT", _seconds, "seconds one file may take to parse"
    )
    parse_memory_mb: int = setting(
        2_048, "ASSISTANT_PARSE_MEMORY_MB", _positive, "memory one file's parse may use, in MB"
    )
    # Glob filters: longest pattern and most patterns in one request (matching cost grows with both).
    max_filter_chars: int = setting(256, "ASSISTANT_MAX_FILTER_CHARS", _positive, "longest filter pattern")
    max_filters: int = setting(16, "ASSISTANT_MAX_FILTERS", _positive, "most filter patterns in one request")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            meta = f.metadata
            raw = env.get(meta["env"])
            if raw is None or (meta["blank_is_default"] and raw.strip() == ""):
                continue
            values[f.name] = meta["parse"](meta["env"], raw.strip() if meta["parse"] is not _text else raw)
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """The environment variables from which `from_env` rebuilds these settings (for worker processes)."""
        return {f.metadata["env"]: _show(getattr(self, f.name)) for f in fields(self)}


def setting_rows() -> list[tuple[str, str, str, str]]:
    """(field, environment variable, default, doc) for every setting: the table the README documents."""
    defaults = Settings()
    return [
        (f.name, f.metadata["env"], _show(getattr(defaults, f.name)), f.metadata["doc"])
        for f in fields(Settings)
    ]
