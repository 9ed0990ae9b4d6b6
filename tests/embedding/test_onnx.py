"""The ONNX export and OnnxEmbedder: the same vectors as sentence-transformers, no torch at query time."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from assistant.embedding.export import export_onnx
from assistant.embedding.model import DEFAULT_MODEL_NAME, SentenceTransformerEmbedder, packaged_model_dir
from assistant.embedding.onnx import (
    EXPORT_FILES,
    MANIFEST_FILE,
    MODEL_FILE,
    QUANTIZED_FILE,
    TOKENIZER_FILE,
    OnnxEmbedder,
    OnnxManifest,
    export_is_fresh,
)
from assistant.errors import ModelNotFound

pytestmark = pytest.mark.slow  # the real model, exported to ONNX

ROOT = Path(__file__).resolve().parents[2]
PASSAGE = (
    "The scale of China's digital economy came to 45.5 trillion yuan in 2021, accounting for 39.8 percent "
    "of GDP. Data output reached 6.6ZB in 2021, a year-on-year increase of 29.4 percent. "
)
TEXTS = [
    "",
    "   ",
    "GDP",
    "How large was the digital economy in 2021?",
    "what was the data output?",
    "Which harbour handled 12 million containers last year?",
    "The orchard grows apples and pears.",
    PASSAGE * 3,  # about 200 tokens
    PASSAGE * 4,
    "word " * 300,  # over 256 tokens: truncated
    PASSAGE * 12,
    "Données économiques : croissance de 3,5 % en 2021 — café, naïve, Zürich",
    "数字经济规模达到45.5万亿元，占GDP比重为39.8%",
    "Цифровая экономика выросла на 16,2 процента",
    "الاقتصاد الرقمي نما بسرعة",
    "emoji 😀🚢🍏 and symbols ∑ ≥ ± µm²",
    "line one\nline two\r\n\ttabbed\u00a0nbsp",
    "antidisestablishmentarianism" * 20,
    "12,345.67 USD; 8.9 percent; 2021-01-05; 6.6ZB",
    "UPPER CASE AND lower case AND MiXeD",
]


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


@pytest.fixture(scope="module")
def export_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_onnx(packaged_model_dir(), tmp_path_factory.mktemp("onnx") / "export")


@pytest.fixture(scope="module")
def onnx(export_dir: Path) -> OnnxEmbedder:
    return OnnxEmbedder(export_dir, threads=2)


@pytest.fixture(scope="module")
def torch_embedder() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder()


def test_export_writes_model_tokenizer_and_manifest(export_dir: Path) -> None:
    assert sorted(p.name for p in export_dir.iterdir()) == sorted([*EXPORT_FILES, MANIFEST_FILE])
    # the int8 copy is a quarter of the fp32 model's size
    assert (export_dir / QUANTIZED_FILE).stat().st_size < (export_dir / MODEL_FILE).stat().st_size / 3
    assert [p.name for p in export_dir.parent.iterdir()] == ["export"]  # no staging directory left behind
    manifest = json.loads((export_dir / MANIFEST_FILE).read_text())
    assert manifest["model"] == DEFAULT_MODEL_NAME
    assert manifest["pooling"] == "mean"
    assert manifest["normalize"] is True
    assert manifest["max_seq_length"] == 256
    assert manifest["dimension"] == 384
    assert len(manifest["source_sha256"]) == 64


def test_identity_matches_the_torch_embedder(
    onnx: OnnxEmbedder, torch_embedder: SentenceTransformerEmbedder
) -> None:
    assert (onnx.name, onnx.dimension, onnx.max_tokens) == (
        torch_embedder.name,
        torch_embedder.dimension,
        torch_embedder.max_tokens,
    )


def test_vectors_match_sentence_transformers(
    onnx: OnnxEmbedder, torch_embedder: SentenceTransformerEmbedder
) -> None:
    expected = torch_embedder.embed(TEXTS)
    assert cosines(onnx.embed(TEXTS), expected).min() >= 0.9999
    queries = np.vstack([onnx.embed_query(text) for text in TEXTS])
    assert cosines(queries, expected).min() >= 0.9999


def test_vectors_are_normalised_float32(onnx: OnnxEmbedder) -> None:
    vectors = onnx.embed(TEXTS)
    assert vectors.shape == (len(TEXTS), 384)
    assert vectors.dtype == np.float32
    assert vectors.flags.c_contiguous
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    query = onnx.embed_query("digital economy")
    assert query.shape == (384,)
    assert query.dtype == np.float32
    assert abs(float(np.linalg.norm(query)) - 1.0) < 1e-5


def test_batches_agree_with_single_queries_and_keep_order(onnx: OnnxEmbedder) -> None:
    batched = onnx.embed(TEXTS)
    singles = np.vstack([onnx.embed_query(text) for text in TEXTS])
    assert cosines(batched, singles).min() >= 0.99999
    order = np.random.default_rng(0).permutation(len(TEXTS))
    np.testing.assert_allclose(onnx.embed([TEXTS[i] for i in order]), batched[order], atol=1e-5)


def test_tokens_past_the_limit_are_ignored(onnx: OnnxEmbedder) -> None:
    long = "word " * 300
    np.testing.assert_allclose(onnx.embed_query(long), onnx.embed_query(long + "orchard apples"), atol=1e-6)
    assert cosines(onnx.embed_query("word " * 100)[None], onnx.embed_query("word " * 101)[None])[0] < 1.0


def test_embed_reports_progress_and_handles_no_texts(onnx: OnnxEmbedder) -> None:
    seen: list[int] = []
    small = OnnxEmbedder(onnx.export_dir, threads=1, batch_size=3)
    small.embed(TEXTS, progress=seen.append)
    assert sum(seen) == len(TEXTS)
    assert max(seen) == 3
    assert small.embed([]).shape == (0, 384)


def test_concurrent_queries_give_the_same_vectors(onnx: OnnxEmbedder) -> None:
    texts = TEXTS * 3
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(onnx.embed_query, texts))
    sequential = [onnx.embed_query(text) for text in texts]
    np.testing.assert_allclose(np.vstack(parallel), np.vstack(sequential), atol=1e-6)


def test_query_path_imports_no_torch(export_dir: Path) -> None:
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from assistant.embedding.onnx import OnnxEmbedder\n"
        f"vector = OnnxEmbedder(Path({str(export_dir)!r})).embed_query('How large was the digital economy?')\n"
        "heavy = ['torch', 'transformers', 'sentence_transformers']\n"
        "print(json.dumps({'dimension': len(vector), 'loaded': [m for m in heavy if m in sys.modules]}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"dimension": 384, "loaded": []}


def test_fresh_export_is_recognised(export_dir: Path) -> None:
    assert export_is_fresh(export_dir, packaged_model_dir())
    assert export_is_fresh(export_dir, packaged_model_dir(), name=DEFAULT_MODEL_NAME)
    assert not export_is_fresh(export_dir, packaged_model_dir(), name="another-model")


def copy_model(target: Path) -> Path:
    """The packaged model with new files (new modification times); the weights are linked, not copied."""
    source = packaged_model_dir()
    for path in source.rglob("*"):
        if path.is_file():
            dest = target / path.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            if path.name == "model.safetensors":
                dest.symlink_to(path)
            else:
                shutil.copyfile(path, dest)
    return target


def test_same_contents_with_new_times_stay_fresh_and_changed_contents_go_stale(
    export_dir: Path, tmp_path: Path
) -> None:
    model = copy_model(tmp_path / "model")
    assert export_is_fresh(export_dir, model)  # a reinstall of the same model
    config = json.loads((model / "sentence_bert_config.json").read_text())
    (model / "sentence_bert_config.json").write_text(json.dumps({**config, "max_seq_length": 128}))
    assert not export_is_fresh(export_dir, model)


def copy_export(export_dir: Path, target: Path) -> Path:
    target.mkdir()
    for name in EXPORT_FILES:
        (target / name).symlink_to(export_dir / name)
    shutil.copyfile(export_dir / MANIFEST_FILE, target / MANIFEST_FILE)
    return target


@pytest.mark.parametrize("damage", ["format", "manifest", "model"])
def test_damaged_or_old_exports_are_not_used(export_dir: Path, tmp_path: Path, damage: str) -> None:
    broken = copy_export(export_dir, tmp_path / "export")
    if damage == "format":
        manifest = json.loads((broken / MANIFEST_FILE).read_text())
        (broken / MANIFEST_FILE).write_text(json.dumps({**manifest, "format": 0}))
    elif damage == "manifest":
        (broken / MANIFEST_FILE).write_text("{not json")
    else:
        (broken / MODEL_FILE).unlink()
    assert not export_is_fresh(broken, packaged_model_dir())
    with pytest.raises(ModelNotFound, match="no usable ONNX export"):
        OnnxEmbedder(broken)


def test_missing_export_is_a_model_not_found(tmp_path: Path) -> None:
    assert OnnxManifest.read(tmp_path) is None
    assert not export_is_fresh(tmp_path, packaged_model_dir())
    with pytest.raises(ModelNotFound):
        OnnxEmbedder(tmp_path / "nowhere")


def test_other_pooling_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    model = copy_model(tmp_path / "model")
    pooling = json.loads((model / "1_Pooling" / "config.json").read_text())
    pooling.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    (model / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    with pytest.raises(ValueError, match="mean pooling"):
        export_onnx(model, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_idle_threads_do_not_spin(onnx: OnnxEmbedder) -> None:
    onnx.load()
    options = onnx.session.get_session_options()
    for pool in ("intra_op", "inter_op"):
        assert options.get_session_config_entry(f"session.{pool}.allow_spinning") == "0"


# --- damage to the export (checksummed in its manifest) -----------------------------------------------


def copy_export_files(export_dir: Path, target: Path) -> Path:
    """A full copy of an export, so that its files can be damaged."""
    shutil.copytree(export_dir, target)
    return target


def test_export_manifest_records_its_files(export_dir: Path) -> None:
    manifest = OnnxManifest.read(export_dir)
    assert manifest is not None
    assert set(manifest.files) == set(EXPORT_FILES)
    for name in EXPORT_FILES:
        assert manifest.files[name]["bytes"] == (export_dir / name).stat().st_size
        assert len(manifest.files[name]["sha256"]) == 64


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        ("weights", "model.onnx is altered"),
        ("truncated", "model.onnx is truncated or grown"),
        ("tokenizer", "tokenizer.json is altered"),
        ("int8", "model-int8.onnx is altered"),
    ],
)
def test_altered_or_truncated_export_is_refused_at_load(
    export_dir: Path, tmp_path: Path, damage: str, reason: str
) -> None:
    """The attack: altered weights dropped a document's dense score from 0.459 to 0.002, silently."""
    broken = copy_export_files(export_dir, tmp_path / "export")
    if damage == "weights":
        with (broken / MODEL_FILE).open("r+b") as handle:
            handle.seek((broken / MODEL_FILE).stat().st_size // 2)
            byte = handle.read(1)
            handle.seek(-1, 1)
            handle.write(bytes([byte[0] ^ 0x40]))
    elif damage == "truncated":
        with (broken / MODEL_FILE).open("r+b") as handle:
            handle.truncate(1000)
    elif damage == "int8":
        with (broken / QUANTIZED_FILE).open("r+b") as handle:
            handle.seek((broken / QUANTIZED_FILE).stat().st_size // 2)
            byte = handle.read(1)
            handle.seek(-1, 1)
            handle.write(bytes([byte[0] ^ 0x40]))
    else:
        (broken / TOKENIZER_FILE).write_text((broken / TOKENIZER_FILE).read_text().replace("the", "teh", 1))
    assert not export_is_fresh(broken, packaged_model_dir())
    # sizes are not checked here; load() checks the files its session reads
    embedder = OnnxEmbedder(broken, model_file=QUANTIZED_FILE if damage == "int8" else MODEL_FILE)
    with pytest.raises(ModelNotFound, match=f"is damaged \\({reason}\\); run: python cli.py index"):
        embedder.embed_query("GDP")


def test_export_without_checksums_is_not_fresh(export_dir: Path, tmp_path: Path) -> None:
    old = copy_export(export_dir, tmp_path / "export")
    manifest = json.loads((old / MANIFEST_FILE).read_text())
    del manifest["files"]  # an export written before they were recorded
    (old / MANIFEST_FILE).write_text(json.dumps(manifest))
    assert not export_is_fresh(old, packaged_model_dir())


def test_readyz_runs_the_query_model(export_dir: Path, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from assistant.assistant import Assistant
    from assistant.config import Settings
    from assistant.interfaces.http.app import create_app
    from assistant.storage.build import build_index
    from assistant.storage.generations import open_index
    from tests.fakes import FakeEmbedder
    from tests.helpers import write_corpus

    index = tmp_path / "index"
    build_index(write_corpus(tmp_path / "corpus"), index, FakeEmbedder(384, name=DEFAULT_MODEL_NAME))
    reader = open_index(index, model=DEFAULT_MODEL_NAME)
    broken = copy_export_files(export_dir, tmp_path / "export")
    with (broken / MODEL_FILE).open("r+b") as handle:
        handle.truncate(5000)
    settings = Settings(index_dir=index, reload_interval=0)
    with TestClient(create_app(Assistant(settings, OnnxEmbedder(broken), reader))) as client:
        r = client.get("/readyz")
        assert r.status_code == 503
        assert r.json()["error"]["code"] == "model_not_found"
        assert "model.onnx is truncated" in r.json()["error"]["message"]
    with TestClient(create_app(Assistant(settings, OnnxEmbedder(export_dir), reader))) as client:
        assert client.get("/readyz").json()["status"] == "ready"


@pytest.mark.slow
def test_index_replaces_a_damaged_export_and_removes_dead_ones(tmp_path: Path) -> None:
    from assistant.embedding.export import EXPORT_DIR, ensure_query_export

    index = tmp_path / "index"
    index.mkdir()
    embedder = SentenceTransformerEmbedder()
    assert ensure_query_export(index, embedder)
    target = index / EXPORT_DIR
    with (target / MODEL_FILE).open("r+b") as handle:
        handle.truncate(1000)
    dead = index / f".{EXPORT_DIR}.k1ll3d"  # what a build killed during its export leaves
    dead.mkdir()
    (dead / MODEL_FILE).write_bytes(b"\0" * 1000)
    assert ensure_query_export(index, embedder)
    assert export_is_fresh(target, packaged_model_dir())
    assert not dead.exists()
    assert OnnxEmbedder(target).embed_query("GDP").shape == (384,)


def test_int8_similarities_agree_with_fp32_on_real_sentences(export_dir: Path) -> None:
    """The scorer's feature: the question (fp32) against candidate sentences, through int8 or fp32."""
    fp32 = OnnxEmbedder(export_dir, threads=2)
    int8 = OnnxEmbedder(export_dir, model_file=QUANTIZED_FILE, threads=2)
    question = fp32.embed_query("How large was China's digital economy in 2021?")
    sentences = [
        "The scale of China's digital economy came to 45.5 trillion yuan in 2021.",
        "It accounted for 39.8 percent of GDP.",
        "Data output reached 6.6ZB in 2021, a year-on-year increase of 29.4 percent.",
        "The orchard grows apples and pears.",
        "Vitamin D supplementation did not reduce the rate of hip fractures in older women.",
        PASSAGE * 2,
    ]
    exact, quick = fp32.embed(sentences) @ question, int8.embed(sentences) @ question
    assert np.abs(exact - quick).max() < 0.03  # measured: within 0.01
    assert list(np.argsort(-exact)) == list(np.argsort(-quick))  # the same order of candidates
    assert float(cosines(fp32.embed(sentences), int8.embed(sentences)).min()) > 0.97
