"""The settings table: every environment variable is read, written back, and reaches the object that uses it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from assistant.assistant import Assistant
from assistant.config import Settings, setting_rows
from assistant.storage.build import build_with_settings
from assistant.storage.generations import read_manifest
from tests.fakes import FakeEmbedder

# A value other than the default for every setting, as a user would write it.
CHANGED = {
    "ASSISTANT_CORPUS": "/data/reports",
    "ASSISTANT_INDEX": "/data/index",
    "ASSISTANT_MODEL": "/models/minilm",
    "ASSISTANT_QUERY_BACKEND": "torch",
    "ASSISTANT_BATCH_SIZE": "8",
    "ASSISTANT_CHUNK_TOKENS": "120",
    "ASSISTANT_CHUNK_OVERLAP": "10",
    "ASSISTANT_BM25_K1": "1.2",
    "ASSISTANT_BM25_B": "0.75",
    "ASSISTANT_FUSION": "rrf",
    "ASSISTANT_DENSE_WEIGHT": "0.7",
    "ASSISTANT_FUSION_NORMALIZATION": "zscore",
    "ASSISTANT_CANDIDATES": "50",
    "ASSISTANT_K": "2",
    "ASSISTANT_MIN_CONFIDENCE": "0.5",
    "ASSISTANT_ANN": "hnsw",
    "ASSISTANT_ANN_THRESHOLD": "1000",
    "ASSISTANT_VECTOR_STORE": "milvus",
    "ASSISTANT_MILVUS_URI": "http://127.0.0.1:19530",
    "ASSISTANT_MILVUS_COLLECTION": "reports",
    "ASSISTANT_API_KEYS": "alpha, beta",
    "ASSISTANT_RATE_LIMIT": "5",
    "ASSISTANT_CORS_ORIGINS": "https://a.example,https://b.example",
    "ASSISTANT_REQUEST_TIMEOUT": "3.5",
    "ASSISTANT_RELOAD_INTERVAL": "0",
    "ASSISTANT_MAX_FILE_MB": "50",
    "ASSISTANT_MAX_UNPACKED_MB": "64",
    "ASSISTANT_MAX_TEXT_CHARS": "1000000",
    "ASSISTANT_MAX_PDF_PAGES": "300",
    "ASSISTANT_MAX_HTML_DEPTH": "200",
    "ASSISTANT_MAX_CHUNK_CHARS": "2000",
    "ASSISTANT_PARSE_WORKER": "off",
    "ASSISTANT_PARSE_TIMEOUT": "30",
    "ASSISTANT_PARSE_MEMORY_MB": "512",
    "ASSISTANT_MAX_FILTER_CHARS": "64",
    "ASSISTANT_MAX_FILTERS": "4",
}


def test_every_setting_has_one_row_and_the_table_lists_them_all() -> None:
    rows = setting_rows()
    assert [r[1] for r in rows] == list(CHANGED)  # a new setting must be added here too, with a value
    assert all(doc for *_, doc in rows)
    assert len({name for name, *_ in rows}) == len(rows)


def test_every_variable_is_read_and_survives_the_round_trip() -> None:
    default, changed = Settings(), Settings.from_env(CHANGED)
    for f in dataclasses.fields(Settings):
        assert getattr(changed, f.name) != getattr(default, f.name), f.name
    assert changed.api_keys == ("alpha", "beta")
    assert changed.corpus_dir == Path("/data/reports") and changed.request_timeout == 3.5
    assert Settings.from_env(changed.to_env()) == changed
    assert Settings.from_env(default.to_env()) == default


def test_blank_variables_mean_the_default() -> None:
    assert Settings.from_env({name: "" for name in CHANGED}) == Settings()


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("ASSISTANT_K", "five", "ASSISTANT_K must be an integer, got 'five'"),
        ("ASSISTANT_DENSE_WEIGHT", "high", "ASSISTANT_DENSE_WEIGHT must be a number, got 'high'"),
        ("ASSISTANT_REQUEST_TIMEOUT", "0", "ASSISTANT_REQUEST_TIMEOUT must be a positive number of seconds"),
        (
            "ASSISTANT_RELOAD_INTERVAL",
            "-1",
            "ASSISTANT_RELOAD_INTERVAL must be 0 (off) or a number of seconds",
        ),
        ("ASSISTANT_MAX_PDF_PAGES", "0", "ASSISTANT_MAX_PDF_PAGES must be a positive integer, got 0"),
    ],
)
def test_bad_values_name_their_variable(name: str, raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Settings.from_env({name: raw})


def test_each_retrieval_and_build_setting_reaches_the_object_that_uses_it(
    corpus: Path, tmp_path: Path
) -> None:
    env = {k: CHANGED[k] for k in CHANGED if k not in ("ASSISTANT_VECTOR_STORE", "ASSISTANT_MILVUS_URI")}
    env |= {
        "ASSISTANT_CORPUS": str(corpus),
        "ASSISTANT_INDEX": str(tmp_path / "index"),
        "ASSISTANT_FUSION": "convex",
    }
    settings = Settings.from_env(env)
    fake = FakeEmbedder(64)
    build_with_settings(settings.corpus_dir, settings.index_dir, fake, settings)
    manifest = read_manifest(settings.index_dir)
    assert manifest is not None
    assert manifest["chunker"] == {"max_tokens": 120, "overlap_tokens": 10, "max_chars": 2000}
    assert manifest["lexical"] == {"k1": 1.2, "b": 0.75}
    assert manifest["dense"] == "hnsw"
    assistant = Assistant.open(settings=settings, embedder=fake)
    fusion = assistant._retriever.fusion
    assert (fusion.method, fusion.dense_weight, fusion.normalization, fusion.candidates) == (
        "convex",
        0.7,
        "zscore",  # dropped on the way to the retriever before the settings table
        50,
    )
    assert len(assistant.ask("How many containers did the harbour handle?").citations) <= 2
    assert (
        Assistant.open(
            settings=dataclasses.replace(settings, fusion="rrf"), embedder=fake
        )._retriever.fusion.method
        == "rrf"
    )
