"""The same embeddings through onnxruntime over an ONNX export of the model: queries never import torch."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.embedding.model import DEFAULT_MODEL_NAME, packaged_model_dir
from assistant.errors import ModelNotFound
from assistant.text.checksums import file_sha256, update_from_file

# 2: the export carries an int8 copy of the model for sentence similarities; a format-1 export is stale.
EXPORT_FORMAT = 2
MANIFEST_FILE = "onnx.json"
MODEL_FILE = "model.onnx"
# Weights quantised to int8 (per channel): about twice as fast on CPU, cosine 0.99 to the fp32 vectors.
# Only for the answer scorer's sentence similarities; questions and the search use model.onnx.
QUANTIZED_FILE = "model-int8.onnx"
TOKENIZER_FILE = "tokenizer.json"
EXPORT_FILES = (MODEL_FILE, QUANTIZED_FILE, TOKENIZER_FILE)
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
OPSET = 17
# Everything in a sentence-transformers directory that changes the vectors: weights, architecture,
# tokenizer, sequence length and pooling. A change to any of them makes an export stale.
SOURCE_FILES = (
    "model.safetensors",
    "pytorch_model.bin",
    "config.json",
    "tokenizer.json",
    "sentence_bert_config.json",
    "modules.json",
    "1_Pooling/config.json",
)


@dataclass(frozen=True, slots=True)
class OnnxManifest:
    """What an export holds and what it was made from, stored as onnx.json beside the models."""

    format: int
    model: str
    dimension: int
    max_seq_length: int
    pooling: str
    normalize: bool
    pad_token: str
    pad_id: int
    source_sha256: str
    source_stat: dict[str, list[int]]
    opset: int
    exported_with: str
    # {file: {"bytes": n, "sha256": hex}} of each of EXPORT_FILES, checked before they are used
    # (an export written before this was recorded has none: it is not fresh, and `index` replaces it)
    files: dict[str, dict[str, Any]]

    @classmethod
    def read(cls, export_dir: Path) -> OnnxManifest | None:
        """The manifest of the export in export_dir, or None when there is no complete export there."""
        try:
            data = json.loads((export_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
            manifest = cls(**data)
        except (OSError, ValueError, TypeError):
            return None
        if not all((export_dir / name).is_file() for name in EXPORT_FILES):
            return None
        return manifest


# --- the source model ------------------------------------------------------------------------------------


def _source_files(model_dir: Path) -> list[str]:
    return [name for name in SOURCE_FILES if (model_dir / name).is_file()]


def source_stat(model_dir: Path) -> dict[str, list[int]]:
    """Size and modification time of each source file: a cheap first test of freshness."""
    stats = {}
    for name in _source_files(model_dir):
        st = (model_dir / name).stat()
        stats[name] = [st.st_size, st.st_mtime_ns]
    return stats


def source_checksum(model_dir: Path) -> str:
    """SHA-256 over the names and contents of the files that determine the vectors."""
    digest = hashlib.sha256()
    for name in _source_files(model_dir):
        digest.update(name.encode("utf-8") + b"\0")
        update_from_file(digest, model_dir / name)
    return digest.hexdigest()


def default_model_name(model_dir: Path) -> str:
    """The name SentenceTransformerEmbedder gives this directory, so index manifests match either way."""
    try:
        if model_dir.resolve() == packaged_model_dir().resolve():
            return DEFAULT_MODEL_NAME
    except ModelNotFound:
        pass
    return model_dir.resolve().name


def read_pipeline(model_dir: Path) -> tuple[int, int]:
    """(max_seq_length, dimension) of a Transformer -> mean Pooling [-> Normalize] model; else ValueError."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
        kinds = [str(module["type"]).rsplit(".", 1)[-1] for module in modules]
        pooling_dir = model_dir / next(m["path"] for m in modules if str(m["type"]).endswith("Pooling"))
        pooling = json.loads((pooling_dir / "config.json").read_text(encoding="utf-8"))
        bert = json.loads((model_dir / "sentence_bert_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, StopIteration) as error:
        raise ValueError(f"{model_dir} is not a sentence-transformers model that can be exported") from error
    # Vectors are always normalised here (SentenceTransformerEmbedder asks for it too), so a
    # trailing Normalize module changes nothing.
    if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        raise ValueError(f"cannot export {model_dir} to ONNX: modules {kinds} are not Transformer -> Pooling")
    other_modes = [
        k
        for k, v in pooling.items()
        if k.startswith("pooling_mode_") and v and k != "pooling_mode_mean_tokens"
    ]
    mean = pooling.get("pooling_mode_mean_tokens") or pooling.get("pooling_mode") == "mean"
    if not mean or other_modes:
        raise ValueError(f"cannot export {model_dir} to ONNX: pooling is not plain mean pooling")
    if bert.get("do_lower_case"):
        raise ValueError(f"cannot export {model_dir} to ONNX: do_lower_case is done outside the tokenizer")
    return int(bert["max_seq_length"]), int(pooling["word_embedding_dimension"])


def export_files(export_dir: Path) -> dict[str, dict[str, Any]]:
    """Size and checksum of each file of an export, as its manifest records them."""

    return {
        name: {"bytes": (export_dir / name).stat().st_size, "sha256": file_sha256(export_dir / name)}
        for name in EXPORT_FILES
    }


def export_damage(
    export_dir: Path,
    manifest: OnnxManifest,
    *,
    hash_files: bool = True,
    names: Sequence[str] = EXPORT_FILES,
) -> str:
    """What is wrong with the given files of an export ('' when they are as exported): sizes, then checksums."""

    for name in names:
        recorded = manifest.files.get(name) if isinstance(manifest.files, dict) else None
        if not isinstance(recorded, dict):
            return f"{name} has no checksum"
        path = export_dir / name
        try:
            if path.stat().st_size != recorded.get("bytes"):
                return f"{name} is truncated or grown"
            if hash_files and file_sha256(path) != recorded.get("sha256"):
                return f"{name} is altered"
        except OSError as exc:
            return f"{name} cannot be read ({exc.strerror or exc})"
    return ""


def export_is_fresh(
    export_dir: Path, model_dir: Path, *, name: str | None = None, verify: bool = True
) -> bool:
    """True when export_dir holds a complete, intact export of model_dir in this format (and under this name).

    `verify=False` checks the files' sizes only, not their checksums: for a caller that verifies at load.
    """
    manifest = OnnxManifest.read(export_dir)
    if manifest is None or manifest.format != EXPORT_FORMAT:
        return False
    if name is not None and manifest.model != name:
        return False
    if export_damage(export_dir, manifest, hash_files=verify):
        return False
    if manifest.source_stat == source_stat(model_dir):
        return True
    # Reinstalling the model package changes modification times but not contents: hash only then.
    return manifest.source_sha256 == source_checksum(model_dir)


# --- shared by the export check and the query path ------------------------------------------------


def configure_tokenizer(tokenizer: Any, max_seq_length: int) -> None:
    """Truncate like sentence-transformers (at max_seq_length, special tokens included) and never pad."""
    tokenizer.enable_truncation(max_length=max_seq_length)
    tokenizer.no_padding()


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean over the real tokens, then L2-normalised: sentence-transformers' Pooling(mean) + Normalize."""
    weights = mask.astype(np.float32)[:, :, None]
    summed = (hidden * weights).sum(axis=1)
    counts = np.clip(weights.sum(axis=1), 1e-9, None)
    pooled = summed / counts
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


def batch_arrays(encodings: Sequence[Any], pad_id: int) -> dict[str, np.ndarray]:
    """Pad a batch of encodings to its longest member: the feed for one run of the model."""
    width = max(len(e.ids) for e in encodings)
    ids = np.full((len(encodings), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(encodings), width), dtype=np.int64)
    types = np.zeros((len(encodings), width), dtype=np.int64)
    for row, encoding in enumerate(encodings):
        n = len(encoding.ids)
        ids[row, :n] = encoding.ids
        mask[row, :n] = encoding.attention_mask
        types[row, :n] = encoding.type_ids
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


def pad_settings(tokenizer: Any) -> tuple[str, int]:
    padding = tokenizer.padding or {}
    token = str(padding.get("pad_token") or "[PAD]")
    pad_id = padding.get("pad_id")
    if pad_id is None:
        pad_id = tokenizer.token_to_id(token)
    return token, int(pad_id or 0)


# --- query time: onnxruntime, tokenizers and numpy only ---------------------------------------------------


def make_session(path: Path, *, threads: int) -> Any:
    import onnxruntime  # ~0.1 s

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # errors only: the optimiser's notes are not for users
    # Idle worker threads spin for a while after each run by default. For one short query at a time that
    # is wasted CPU, and when another process wants the core it is worse: side by side with another job
    # on 2 cores, spinning took 8.2 ms of wall time and 17.5 ms of CPU per query, not spinning 4.5 and 4.5.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def default_threads() -> int:
    """All cores up to four: a model this small gains little from more, and a server runs queries side by side."""
    return max(1, min(4, os.cpu_count() or 1))


class OnnxEmbedder:
    """Embedder over an export made by export_onnx; the session starts on first use (or on load()).

    model_file picks the export's fp32 model (the default) or its int8 copy (QUANTIZED_FILE)."""

    def __init__(
        self,
        export_dir: Path,
        *,
        model_file: str = MODEL_FILE,
        threads: int | None = None,
        batch_size: int = 32,
    ) -> None:
        if model_file not in (MODEL_FILE, QUANTIZED_FILE):
            raise ValueError(f"an export holds {MODEL_FILE} and {QUANTIZED_FILE}, not {model_file}")
        manifest = OnnxManifest.read(export_dir)
        if manifest is None or manifest.format != EXPORT_FORMAT:
            raise ModelNotFound(f"no usable ONNX export in {export_dir}; run: python cli.py index")
        self.export_dir = export_dir
        self.model_file = model_file
        self.manifest = manifest
        self.name = manifest.model
        self.dimension = manifest.dimension
        self.max_tokens = manifest.max_seq_length
        self.threads = threads or default_threads()
        self.batch_size = batch_size
        self.session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()
        self.calls = 0
        self.embedded = 0

    def load(self) -> None:
        """Verify the files this session reads, start it and read the tokenizer, e.g. in a thread while the
        index loads. ModelNotFound, with the fix, when the export is damaged."""
        with self._lock:
            if self.session is None:
                from tokenizers import Tokenizer

                fix = f"the ONNX export in {self.export_dir} is damaged"
                # only the files this session reads: the int8 copy is hashed when (if) it is first used
                damage = export_damage(
                    self.export_dir, self.manifest, names=(self.model_file, TOKENIZER_FILE)
                )
                if damage:
                    raise ModelNotFound(f"{fix} ({damage}); run: python cli.py index")
                try:
                    tokenizer = Tokenizer.from_file(str(self.export_dir / TOKENIZER_FILE))
                    configure_tokenizer(tokenizer, self.max_tokens)
                    session = make_session(self.export_dir / self.model_file, threads=self.threads)
                except Exception as exc:  # onnxruntime and tokenizers raise their own kinds
                    raise ModelNotFound(f"{fix} ({type(exc).__name__}); run: python cli.py index") from None
                self._tokenizer, self.session = tokenizer, session

    def _run(self, encodings: Sequence[Any]) -> np.ndarray:
        feed = batch_arrays(encodings, self.manifest.pad_id)
        hidden = self.session.run(None, feed)[0]  # sessions are safe to run from several threads
        return mean_pool(hidden, feed["attention_mask"])

    def embed(self, texts: Sequence[str], *, progress: Callable[[int], None] | None = None) -> np.ndarray:
        self.load()
        self.calls += 1
        self.embedded += len(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(list(texts))
        # Batches of similar length, so little of each run is spent on padding.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            out[rows] = self._run([encodings[i] for i in rows])
            if progress is not None:
                progress(len(rows))
        return out

    def embed_query(self, text: str) -> np.ndarray:
        self.load()
        return np.ascontiguousarray(self._run([self._tokenizer.encode(text)])[0])
