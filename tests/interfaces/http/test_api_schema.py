"""Schemathesis against the OpenAPI schema: generated requests never get a server error or a stray shape."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings

from assistant.assistant import Assistant
from assistant.config import Settings
from assistant.interfaces.http.app import create_app
from assistant.interfaces.http.openai_compat import is_openai_path
from assistant.storage.build import build_index
from tests.fakes import FakeEmbedder
from tests.helpers import write_corpus


def _app() -> Any:
    """The API over a tiny fake-embedder index in a temporary directory (schemathesis needs it at import)."""
    root = Path(tempfile.mkdtemp(prefix="schema-test-"))
    atexit.register(shutil.rmtree, root, True)
    corpus = write_corpus(root / "corpus")
    build_index(corpus, root / "index", FakeEmbedder(64))
    # A rate limit far above what the generated requests need, so they exercise the routes, not the limiter.
    config = replace(Settings(), index_dir=root / "index", corpus_dir=corpus, rate_limit=1_000_000)
    assistant = Assistant.open(settings=config, embedder=FakeEmbedder(64))
    return create_app(assistant, config)


schema = schemathesis.openapi.from_asgi("/openapi.json", _app())


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_generated_requests_never_fail_the_server(case: Any) -> None:
    response = case.call()
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        # the OpenAI-compatible routes answer in OpenAI's error shape, the rest in the API's own
        shape = {"message", "type", "param", "code"} if is_openai_path(case.path) else {"code", "message"}
        assert set(body) == {"error"} and set(body["error"]) == shape
        assert "Traceback" not in body["error"]["message"]


def test_schema_documents_the_error_shape() -> None:
    raw = schema.raw_schema
    assert "ErrorResponse" in raw["components"]["schemas"]
    ask = raw["paths"]["/v1/ask"]["post"]["responses"]
    for status in ("400", "401", "413", "422", "429"):
        assert ask[status]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorResponse")
