"""Export the packaged model's transformer to ONNX at index time (torch is loaded there anyway)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from assistant.embedding.model import offline_environment
from assistant.embedding.onnx import (
    EXPORT_FORMAT,
    INPUT_NAMES,
    MANIFEST_FILE,
    MODEL_FILE,
    OPSET,
    QUANTIZED_FILE,
    TOKENIZER_FILE,
    OnnxManifest,
    batch_arrays,
    configure_tokenizer,
    default_model_name,
    export_files,
    make_session,
    mean_pool,
    pad_settings,
    read_pipeline,
    source_checksum,
    source_stat,
)
from assistant.errors import ExportFailed

# Probe texts for the check that ends every export: padding, truncation and non-ASCII all take part.
_PROBES = ("", "How large was the digital economy in 2021?", "Données — 数字经济 ✓ " * 3, "word " * 300)
_MIN_PROBE_COSINE = 0.9999
# The int8 copy is measured at cosine 0.975 (the empty text) to 0.994 to fp32 on these probes; per-tensor
# quantisation gave 0.866-0.972. Well below that, quantisation went wrong.
_MIN_QUANTIZED_COSINE = 0.95


def export_onnx(model_dir: Path, out_dir: Path, *, name: str | None = None) -> Path:
    """Export the transformer of a sentence-transformers model to out_dir as fp32 ONNX; returns out_dir.

    out_dir gets model.onnx (dynamic batch and sequence axes), its int8 copy model-int8.onnx (for sentence
    similarities), tokenizer.json and onnx.json (pooling, sequence length, source checksum, the files'
    checksums). It is written beside out_dir and renamed into place, so a reader sees the old export or
    the new one, never half of one. Raises ValueError for a model whose pipeline
    is not Transformer -> mean Pooling [-> Normalize], and RuntimeError if the export's vectors do not
    match torch's (or the int8 copy's drift too far from them).
    """
    offline_environment()
    max_seq_length, dimension = read_pipeline(model_dir)
    name = name or default_model_name(model_dir)
    stat_before = source_stat(model_dir)
    checksum = source_checksum(model_dir)

    import torch  # slow import: index time only
    from tokenizers import Tokenizer
    from transformers import AutoModel  # slow import: index time only

    tokenizer = Tokenizer.from_file(str(model_dir / TOKENIZER_FILE))
    pad_token, pad_id = pad_settings(tokenizer)
    configure_tokenizer(tokenizer, max_seq_length)
    model = AutoModel.from_pretrained(str(model_dir)).eval()

    class LastHiddenState(torch.nn.Module):
        """The transformer's token vectors only: pooling is done outside, so the pooler head is dropped."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            out = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return out.last_hidden_state

    # eval(): export restores the wrapper's mode afterwards, and a new module starts in training
    # mode, which would switch dropout on for the check below.
    wrapper = LastHiddenState().eval()
    # Two texts of different lengths, so the traced graph sees a padded attention mask.
    sample = batch_arrays(tokenizer.encode_batch(["a short one", "a somewhat longer sample text"]), pad_id)
    args = tuple(torch.from_numpy(sample[key]) for key in INPUT_NAMES)
    axes = {key: {0: "batch", 1: "sequence"} for key in (*INPUT_NAMES, "last_hidden_state")}

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; the export is read by whoever reads the index
    try:
        with torch.no_grad(), _quiet_tracer(torch):
            torch.onnx.export(
                wrapper,
                args,
                str(staging / MODEL_FILE),
                dynamo=False,
                input_names=list(INPUT_NAMES),
                output_names=["last_hidden_state"],
                dynamic_axes=axes,
                opset_version=OPSET,
            )
        shutil.copyfile(model_dir / TOKENIZER_FILE, staging / TOKENIZER_FILE)
        probes = batch_arrays(tokenizer.encode_batch(list(_PROBES)), pad_id)
        exported = _check_against_torch(staging, model, probes, torch)
        _quantize(staging, probes, exported)
        if source_stat(model_dir) != stat_before:
            raise RuntimeError(f"the model in {model_dir} changed during the export; export again")
        manifest = OnnxManifest(
            format=EXPORT_FORMAT,
            model=name,
            dimension=dimension,
            max_seq_length=max_seq_length,
            pooling="mean",
            normalize=True,
            pad_token=pad_token,
            pad_id=pad_id,
            source_sha256=checksum,
            source_stat=stat_before,
            opset=OPSET,
            exported_with=f"torch {torch.__version__}",
            files=export_files(staging),
        )
        (staging / MANIFEST_FILE).write_text(json.dumps(asdict(manifest), indent=2) + "\n", encoding="utf-8")
        _replace_dir(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir


@contextlib.contextmanager
def _quiet_tracer(torch: Any) -> Iterator[None]:
    """The tracer warns about every Python branch it freezes; for BERT none depends on the input shape."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", UserWarning)
        yield


def _check_against_torch(staging: Path, model: Any, feed: dict[str, Any], torch: Any) -> np.ndarray:
    """Refuse an export whose vectors differ from torch's on the probe texts; returns the export's vectors."""
    with torch.no_grad():
        hidden = model(**{key: torch.from_numpy(value) for key, value in feed.items()}).last_hidden_state
    expected = mean_pool(hidden.numpy(), feed["attention_mask"])
    session = make_session(staging / MODEL_FILE, threads=1)
    got = mean_pool(session.run(None, feed)[0], feed["attention_mask"])
    worst = float((expected * got).sum(axis=1).min())
    if worst < _MIN_PROBE_COSINE:
        raise RuntimeError(f"the ONNX export does not reproduce the model (cosine {worst:.6f}); not using it")
    return got


def _quantize(staging: Path, feed: dict[str, Any], exported: np.ndarray) -> None:
    """Write the int8 copy of the exported model beside it, refused if its vectors on the probes (feed)
    drift from the fp32 model's (exported)."""
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic  # index time only

    # The quantiser warns on the root logger that static models want pre-processing; this one is dynamic.
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        # per channel: 0.99 cosine to fp32 where one scale per tensor gave 0.96, at the same speed
        quantize_dynamic(
            staging / MODEL_FILE, staging / QUANTIZED_FILE, weight_type=QuantType.QInt8, per_channel=True
        )
    finally:
        root.setLevel(level)
    session = make_session(staging / QUANTIZED_FILE, threads=1)
    quantized = mean_pool(session.run(None, feed)[0], feed["attention_mask"])
    worst = float((exported * quantized).sum(axis=1).min())
    if worst < _MIN_QUANTIZED_COSINE:
        raise RuntimeError(
            f"the int8 copy of the ONNX export drifts from it (cosine {worst:.4f}); not using it"
        )


def _replace_dir(staging: Path, target: Path) -> None:
    """Move staging to target, replacing any previous export there with two renames."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
    staging.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


EXPORT_DIR = "onnx"


def ensure_query_export(index_dir: Path, embedder: object) -> bool:
    """Keep an ONNX export of the index's model beside its generations, so queries can skip torch.

    Only a sentence-transformers embedder has weights to export; any other (a test's fake) is left alone.
    Returns True when a fresh export is in place. A model that cannot be exported (not mean-pooled) is
    served through torch instead, so that failure is not an error.
    """
    from filelock import FileLock

    from assistant.embedding.model import SentenceTransformerEmbedder
    from assistant.embedding.onnx import export_is_fresh

    if not isinstance(embedder, SentenceTransformerEmbedder):
        return False
    target = index_dir / EXPORT_DIR
    # One export at a time per index: what is left beside it then is a dead export's, and goes.
    with FileLock(str(index_dir / ".export.lock")):
        remove_export_leftovers(index_dir, locked=True)
        if export_is_fresh(target, embedder.model_dir, name=embedder.name):  # checksums too
            return True
        try:
            export_onnx(embedder.model_dir, target, name=embedder.name)
        except ValueError:
            return False
        except OSError as exc:
            raise ExportFailed(
                f"could not write the ONNX export in {target} ({exc.strerror or exc}); the index itself "
                "is built and answers (through torch); free space and run: python cli.py index"
            ) from None
    return True


def remove_export_leftovers(index_dir: Path, *, locked: bool = False) -> None:
    """Remove the staging and old folders of exports that were killed part-way (.onnx.* beside onnx/).

    Takes the export lock unless the caller holds it, so an export running in another process keeps its own.
    """
    from filelock import FileLock, Timeout

    lock = FileLock(str(index_dir / ".export.lock"))
    if not locked:
        try:
            lock.acquire(timeout=0)
        except Timeout:
            return  # an export is running: its folders are not leftovers
    try:
        for path in index_dir.glob(f".{EXPORT_DIR}.*"):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
    finally:
        if not locked:
            lock.release()
