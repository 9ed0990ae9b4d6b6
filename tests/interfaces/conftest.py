"""Fixtures of the interface tests: the HTTP tests' three documents indexed with the real model."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.assistant import Assistant
from assistant.config import Settings
from assistant.storage.build import build_index
from tests.interfaces.http.test_app import write_corpus


@pytest.fixture(scope="session")
def real_assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """Economy, harbour and orchard notes indexed once with the packaged all-MiniLM-L6-v2 (slow tests only)."""
    from assistant.embedding.model import SentenceTransformerEmbedder  # slow import: torch

    base = tmp_path_factory.mktemp("real-model")
    corpus, index = write_corpus(base / "corpus"), base / "index"
    embedder = SentenceTransformerEmbedder()
    build_index(corpus, index, embedder)
    settings = replace(Settings(), corpus_dir=corpus, index_dir=index, rate_limit=0)
    return Assistant.open(index, settings=settings, embedder=embedder)
