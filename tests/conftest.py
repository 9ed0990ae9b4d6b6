"""Shared fixtures: a tiny corpus, a fast fake embedder, and an index built from them."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.storage.build import build_index
from tests.fakes import FakeEmbedder
from tests.helpers import write_corpus


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus")


@pytest.fixture
def fake() -> FakeEmbedder:
    return FakeEmbedder(dimension=64)


@pytest.fixture
def index_dir(tmp_path: Path, corpus: Path, fake: FakeEmbedder) -> Path:
    target = tmp_path / "index"
    build_index(corpus, target, fake)
    return target
