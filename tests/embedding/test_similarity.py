"""Sentence similarities through the export's int8 copy; the question and the search through fp32.

A tiny real export (a two-table ONNX graph and a word-level tokenizer, built in the test) stands in for the
model: its int8 file is a different graph, so which one a vector came from can be told by its values.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.assistant import Assistant
from assistant.config import Settings
from assistant.embedding.onnx import (
    EXPORT_FORMAT,
    MANIFEST_FILE,
    MODEL_FILE,
    QUANTIZED_FILE,
    TOKENIZER_FILE,
    OnnxEmbedder,
    OnnxManifest,
    export_damage,
    export_files,
)
from assistant.embedding.similarity import similarity_embedder
from assistant.errors import ModelNotFound
from assistant.storage.build import build_index
from assistant.storage.generations import IndexReader, open_index
from tests.fakes import FakeEmbedder
from tests.helpers import write_corpus

DIMENSION = 16
NAME = "tiny-model"
WORDS = [
    "[PAD]",
    "[UNK]",
    "the",
    "digital",
    "economy",
    "grew",
    "in",
    "2021",
    "data",
    "output",
    "reached",
    "what",
    "was",
    "how",
    "large",
    "gdp",
    "orchard",
]


def write_graph(path: Path, seed: int) -> None:
    """last_hidden_state = (word table[input_ids] + type table[token_type_ids]) @ W: an encoder's shape."""
    import onnx  # the exporter's dependency; only to write the test's graph
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(seed)
    tables = {
        "words": rng.normal(size=(len(WORDS), DIMENSION)).astype(np.float32),
        "types": rng.normal(size=(2, DIMENSION)).astype(np.float32),
        "weights": rng.normal(size=(DIMENSION, DIMENSION)).astype(np.float32),
    }
    axes = ["batch", "sequence"]
    graph = helper.make_graph(
        [
            helper.make_node("Gather", ["words", "input_ids"], ["w"]),
            helper.make_node("Gather", ["types", "token_type_ids"], ["t"]),
            helper.make_node("Add", ["w", "t"], ["s"]),
            helper.make_node("MatMul", ["s", "weights"], ["last_hidden_state"]),
        ],
        "tiny",
        [
            helper.make_tensor_value_info(name, TensorProto.INT64, axes)
            for name in ("input_ids", "attention_mask", "token_type_ids")
        ],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, [*axes, DIMENSION])],
        [numpy_helper.from_array(value, name) for name, value in tables.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))


def tiny_tokenizer() -> Any:
    from tokenizers import Tokenizer, models, pre_tokenizers

    tokenizer = Tokenizer(models.WordLevel({w: i for i, w in enumerate(WORDS)}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    return tokenizer


def write_tiny_export(target: Path, *, quantized_seed: int = 2) -> Path:
    target.mkdir(parents=True)
    write_graph(target / MODEL_FILE, seed=1)
    write_graph(target / QUANTIZED_FILE, seed=quantized_seed)
    tiny_tokenizer().save(str(target / TOKENIZER_FILE))
    manifest = OnnxManifest(
        format=EXPORT_FORMAT,
        model=NAME,
        dimension=DIMENSION,
        max_seq_length=32,
        pooling="mean",
        normalize=True,
        pad_token="[PAD]",
        pad_id=0,
        source_sha256="0" * 64,
        source_stat={},
        opset=17,
        exported_with="test",
        files=export_files(target),
    )
    (target / MANIFEST_FILE).write_text(json.dumps(asdict(manifest)), encoding="utf-8")
    return target


class CountingSession:
    """Wraps an onnxruntime session to count its runs."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.runs = 0

    def run(self, *args: Any, **kwargs: Any) -> Any:
        self.runs += 1
        return self.session.run(*args, **kwargs)


def counted(embedder: OnnxEmbedder) -> CountingSession:
    embedder.load()
    embedder.session = CountingSession(embedder.session)
    return embedder.session


@pytest.fixture
def export(tmp_path: Path) -> Path:
    return write_tiny_export(tmp_path / "onnx")


@pytest.fixture
def reader(tmp_path: Path) -> IndexReader:
    index = tmp_path / "index"
    build_index(write_corpus(tmp_path / "corpus"), index, FakeEmbedder(DIMENSION, name=NAME))
    return open_index(index, model=NAME)


def test_onnx_query_embedder_gets_the_int8_copy_and_others_themselves(export: Path) -> None:
    fp32 = OnnxEmbedder(export)
    int8 = similarity_embedder(fp32)
    assert isinstance(int8, OnnxEmbedder)
    assert (int8.model_file, int8.export_dir, int8.threads) == (QUANTIZED_FILE, export, fp32.threads)
    assert int8.session is None  # started on first use only
    fake = FakeEmbedder(DIMENSION)
    assert similarity_embedder(fake) is fake  # the torch path (any non-ONNX embedder) keeps its own
    assert similarity_embedder(int8) is int8


def test_similarities_come_from_the_int8_session_and_the_question_from_fp32(
    export: Path, reader: IndexReader, tmp_path: Path
) -> None:
    fp32 = OnnxEmbedder(export)
    assistant = Assistant(Settings(index_dir=tmp_path / "index"), fp32, reader)
    int8 = assistant.similarity_embedder
    assert isinstance(int8, OnnxEmbedder)
    fp32_runs, int8_runs = counted(fp32), counted(int8)
    texts = ["the digital economy grew in 2021", "data output reached", "orchard"]

    got = assistant.similarity("how large was the digital economy", texts)

    assert (fp32_runs.runs, int8_runs.runs) == (1, 1)  # the question through fp32, the sentences through int8
    question = fp32.embed_query("how large was the digital economy")
    assert got == pytest.approx(list(int8.embed(texts) @ question), abs=1e-6)
    # the two graphs differ here, so fp32 sentences would give other numbers
    assert not np.allclose(got, fp32.embed(texts) @ question, atol=1e-3)


def test_search_never_starts_the_int8_session(export: Path, reader: IndexReader, tmp_path: Path) -> None:
    assistant = Assistant(Settings(index_dir=tmp_path / "index"), OnnxEmbedder(export), reader)
    runs = counted(assistant.embedder)  # type: ignore[arg-type]
    assistant.search("digital economy")
    assert runs.runs == 1
    assert assistant.similarity_embedder.session is None  # type: ignore[attr-defined]


def test_ask_embeds_the_question_once_through_fp32_and_sentences_through_int8(
    export: Path, reader: IndexReader, tmp_path: Path
) -> None:
    fp32 = OnnxEmbedder(export)
    assistant = Assistant(Settings(index_dir=tmp_path / "index"), fp32, reader)
    int8 = assistant.similarity_embedder
    assert isinstance(int8, OnnxEmbedder)
    fp32_runs, int8_runs = counted(fp32), counted(int8)
    assistant.ask("How large was the digital economy in 2021?", min_confidence=0)
    assert fp32_runs.runs == 1  # shared by the search and the scorer
    assert int8.calls == int8_runs.runs >= 1  # the candidate sentences
    assert fp32.calls == 0  # fp32 embed() (sentences) never ran


def damage(export: Path, how: str) -> None:
    path = export / QUANTIZED_FILE
    if how == "altered":
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x40
        path.write_bytes(bytes(data))
    else:
        with path.open("r+b") as handle:
            handle.truncate(100)


@pytest.mark.parametrize(
    ("how", "reason"), [("altered", "is altered"), ("truncated", "is truncated or grown")]
)
def test_a_damaged_int8_copy_is_refused_like_a_damaged_model(export: Path, how: str, reason: str) -> None:
    from assistant.embedding.onnx import export_is_fresh

    damage(export, how)
    manifest = OnnxManifest.read(export)
    assert manifest is not None
    assert export_damage(export, manifest) == f"{QUANTIZED_FILE} {reason}"
    model_dir = export  # the source check is never reached: the files fail first
    assert not export_is_fresh(export, model_dir, verify=how == "altered")
    fp32 = OnnxEmbedder(export)
    assert fp32.embed_query("gdp").shape == (DIMENSION,)  # questions still answer through fp32
    with pytest.raises(
        ModelNotFound, match=f"is damaged \\({QUANTIZED_FILE} {reason}\\); run: python cli.py index"
    ):
        similarity_embedder(fp32).embed(["gdp"])


def test_readyz_fails_on_a_damaged_int8_copy(export: Path, reader: IndexReader, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from assistant.interfaces.http.app import create_app

    settings = Settings(index_dir=tmp_path / "index", reload_interval=0)
    with TestClient(create_app(Assistant(settings, OnnxEmbedder(export), reader))) as client:
        assert client.get("/readyz").json()["status"] == "ready"
    damage(export, "altered")
    with TestClient(create_app(Assistant(settings, OnnxEmbedder(export), reader))) as client:
        r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["error"]["code"] == "model_not_found"
    assert f"{QUANTIZED_FILE} is altered" in r.json()["error"]["message"]


def test_an_export_without_the_int8_copy_is_not_used(export: Path) -> None:
    """An export of format 1 (before the copy) or one that lost the copy: `index` exports it again."""
    from assistant.embedding.onnx import export_is_fresh

    (export / QUANTIZED_FILE).unlink()
    assert OnnxManifest.read(export) is None
    assert not export_is_fresh(export, export)
    with pytest.raises(ModelNotFound, match="no usable ONNX export"):
        OnnxEmbedder(export)


def test_a_format_1_export_is_stale(export: Path) -> None:
    from assistant.embedding.onnx import export_is_fresh

    manifest = json.loads((export / MANIFEST_FILE).read_text())
    del manifest["files"][QUANTIZED_FILE]
    (export / MANIFEST_FILE).write_text(json.dumps({**manifest, "format": 1}))
    assert not export_is_fresh(export, export)
    with pytest.raises(ModelNotFound, match="no usable ONNX export"):
        OnnxEmbedder(export)


def test_a_damaged_int8_copy_fails_the_ask_with_its_message_though_loaded_in_a_thread(
    export: Path, reader: IndexReader, tmp_path: Path
) -> None:
    damage(export, "altered")
    assistant = Assistant(Settings(index_dir=tmp_path / "index"), OnnxEmbedder(export), reader)
    with pytest.raises(ModelNotFound, match=f"{QUANTIZED_FILE} is altered"):
        assistant.ask("How large was the digital economy in 2021?", min_confidence=0)
    assert assistant.search("digital economy").hits  # the search never needs the copy


def test_the_export_writes_an_int8_copy_and_refuses_one_that_drifts(tmp_path: Path) -> None:
    import onnx

    from assistant.embedding.export import _quantize
    from assistant.embedding.onnx import batch_arrays, make_session, mean_pool

    staging = tmp_path / "staging"
    staging.mkdir()
    write_graph(staging / MODEL_FILE, seed=1)
    feed = batch_arrays(
        tiny_tokenizer().encode_batch(["the digital economy", "gdp", "data output reached"]), 0
    )
    exported = mean_pool(
        make_session(staging / MODEL_FILE, threads=1).run(None, feed)[0], feed["attention_mask"]
    )

    _quantize(staging, feed, exported)

    weights = onnx.load(str(staging / QUANTIZED_FILE)).graph.initializer
    assert onnx.TensorProto.INT8 in {w.data_type for w in weights}  # the MatMul's weights went int8
    with pytest.raises(RuntimeError, match="the int8 copy of the ONNX export drifts from it"):
        _quantize(staging, feed, -exported)  # as if the fp32 vectors pointed elsewhere
