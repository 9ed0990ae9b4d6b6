"""The HTTP API through TestClient (every route, every error status) and once through a real server."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.assistant import Assistant
from assistant.config import Settings
from assistant.errors import IndexNotFound
from assistant.interfaces.http.app import (
    BodyLimit,
    RateLimiter,
    create_app,
    is_loopback,
    serve,
)
from assistant.interfaces.http.protocol import HeadTimeoutProtocol
from assistant.schema import AnswerOut
from assistant.storage.build import build_index
from tests.fakes import FakeEmbedder
from tests.helpers import through_schema

ECONOMY = (
    "In 2021 the digital economy reached 45.5 trillion yuan, accounting for 39.8 percent of GDP. "
    "Data output grew 29.4 percent year on year to 6.6 zettabytes."
)
HARBOUR = (
    "The port of Ningbo handled 33.4 million containers in 2023, up 5.9 percent on the year before. "
    "Its rail link to the hinterland carried 1.6 million containers."
)
ORCHARD = (
    "The orchard harvested 1,200 tonnes of apples in 2022. "
    "Cider production at the orchard rose 12 percent to 800,000 litres."
)
WIND = "Offshore wind capacity reached 30.5 gigawatts in 2022, a rise of 14 percent."

KEY = "k3y-for-tests"


def error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def write_corpus(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "economy.txt").write_text("Digital economy\n\n" + ECONOMY)
    (root / "harbour.txt").write_text("Port of Ningbo\n\n" + HARBOUR)
    (root / "orchard.txt").write_text("Orchard notes\n\n" + ORCHARD)
    return root


def open_assistant(root: Path, **settings: Any) -> Assistant:
    corpus, index = write_corpus(root / "corpus"), root / "index"
    build_index(corpus, index, FakeEmbedder(dimension=64))
    base = replace(Settings(), corpus_dir=corpus, index_dir=index, **settings)
    return Assistant.open(index, settings=base, embedder=FakeEmbedder(dimension=64))


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """One read-only assistant over a tiny index for the tests that do not change it."""
    return open_assistant(tmp_path_factory.mktemp("server"), rate_limit=0)


@pytest.fixture(scope="module")
def client(shared: Assistant) -> Iterator[TestClient]:
    with TestClient(create_app(shared)) as c:
        yield c


# --- routes ---------------------------------------------------------------------------------------


def test_healthz(client: TestClient) -> None:
    r = client.get("/healthz")
    assert (r.status_code, r.json()) == (200, {"status": "ok"})


def test_readyz_reports_the_loaded_index(client: TestClient) -> None:
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {"status": "ready", "documents": 3, "chunks": 3, "model": "fake-embedder"}


def test_ask_returns_exactly_the_answer_dict(client: TestClient, shared: Assistant) -> None:
    question = "What share of GDP did the digital economy account for in 2021?"
    r = client.post("/v1/ask", json={"question": question, "k": 3})
    assert r.status_code == 200
    expected = shared.ask(question, k=3).to_dict()
    assert r.json() == expected
    assert r.json()["answer"] == "39.8 percent"
    # The declared response model describes the dict exactly: nothing dropped, nothing added.
    assert through_schema(AnswerOut, expected) == expected


def test_ask_min_confidence_moves_the_threshold(client: TestClient, shared: Assistant) -> None:
    question = "What share of GDP did the digital economy account for in 2021?"
    given = client.post("/v1/ask", json={"question": question, "k": 3, "min_confidence": 0}).json()
    assert given["answer"] == "39.8 percent" and not given["abstained"] and given["reason"] is None
    assert 0.0 < given["confidence"] < 1.0
    strict = client.post("/v1/ask", json={"question": question, "k": 3, "min_confidence": 1}).json()
    assert strict["abstained"] and strict["figure"] is None and strict["citations"]
    assert strict["confidence"] == given["confidence"]  # the confidence of the answer withheld
    stated = re.search(r"has confidence (\d\.\d\d)", strict["reason"])  # the reason names it, to 2 places
    # rounded down to 2 places, against the JSON's 3
    assert stated and -0.0005 <= given["confidence"] - float(stated.group(1)) < 0.0105
    assert strict == shared.ask(question, k=3, min_confidence=1.0).to_dict()


def test_ask_history_steers_a_follow_up(client: TestClient, shared: Assistant) -> None:
    follow_up = "How much did it grow?"
    alone = client.post("/v1/ask", json={"question": follow_up, "k": 1}).json()
    history = ["How many containers did the port of Ningbo handle?"]
    steered = client.post("/v1/ask", json={"question": follow_up, "k": 1, "history": history}).json()
    assert steered == shared.ask(follow_up, k=1, history=history).to_dict()
    assert steered["citations"][0]["source"] == "harbour.txt"
    assert alone["citations"][0]["source"] != "harbour.txt"


def test_ask_filters(client: TestClient) -> None:
    body = {"question": "How much did production rise?", "filters": {"source": "orchard*"}}
    r = client.post("/v1/ask", json=body)
    assert r.status_code == 200
    assert {c["source"] for c in r.json()["citations"]} == {"orchard.txt"}


def test_search(client: TestClient, shared: Assistant) -> None:
    r = client.post("/v1/search", json={"query": "containers rail link", "k": 2})
    assert r.status_code == 200
    assert r.json() == shared.search("containers rail link", k=2).to_dict()
    assert r.json()["hits"][0]["source"] == "harbour.txt"


def test_figures(client: TestClient, shared: Assistant) -> None:
    r = client.get("/v1/figures", params={"q": "digital economy", "k": 1})
    assert r.status_code == 200
    assert r.json() == shared.figures("digital economy", k=1).to_dict()
    assert "45.5 trillion yuan" in [f["text"] for f in r.json()["figures"]]
    r = client.get("/v1/figures", params={"q": "apples", "where": "source=orchard*"})
    assert {c["source"] for c in r.json()["citations"]} == {"orchard.txt"}


def test_documents(client: TestClient) -> None:
    r = client.get("/v1/documents")
    assert r.status_code == 200
    docs = sorted(r.json(), key=lambda d: d["source"])
    assert [d["source"] for d in docs] == ["economy.txt", "harbour.txt", "orchard.txt"]
    assert docs[0]["title"] == "Digital economy"
    assert {k for d in docs for k in d} == {"id", "title", "source", "chunks", "pages", "metadata"}
    assert [d["chunks"] for d in docs] == [1, 1, 1]


def test_openapi_declares_models_and_the_error_shape(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    ask = spec["paths"]["/v1/ask"]["post"]["responses"]
    assert ask["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/AnswerOut"}
    for status in ("400", "401", "413", "422", "429", "500"):
        assert ask[status]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorResponse"
        }
    assert set(spec["paths"]) == {
        "/healthz",
        "/readyz",
        "/v1/ask",
        "/v1/search",
        "/v1/figures",
        "/v1/documents",
        "/v1/chat/completions",
        "/v1/models",
        "/v1/models/{model}",
    }
    docs = client.get("/docs")
    assert docs.status_code == 200
    # The docs page works offline: its script and stylesheet are served by this server, not a CDN.
    assert "cdn." not in docs.text and "/static-offline-docs/swagger-ui-bundle.js" in docs.text
    script = client.get("/static-offline-docs/swagger-ui-bundle.js")
    assert script.status_code == 200 and len(script.content) > 100_000


# --- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"question": "   "}, error("empty_question", "the question is empty")),
        (
            {"question": "x" * 2001},
            error("bad_question", "the question is 2001 characters long; the limit is 2000"),
        ),
    ],
)
def test_bad_questions_are_400(client: TestClient, body: dict[str, Any], expected: dict[str, Any]) -> None:
    r = client.post("/v1/ask", json=body)
    assert (r.status_code, r.json()) == (400, expected)


def test_empty_query_and_bad_filter_are_400(client: TestClient) -> None:
    r = client.post("/v1/search", json={"query": ""})
    assert (r.status_code, r.json()) == (400, error("empty_question", "the query is empty"))
    r = client.get("/v1/figures", params={"q": "apples", "where": "nonsense"})
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "bad_filter"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"question": 5}, "question: Input should be a valid string"),
        ({"question": "GDP?", "k": 0}, "k: Input should be greater than or equal to 1"),
        ({"question": "GDP?", "k": 51}, "k: Input should be less than or equal to 50"),
        ({"question": "GDP?", "k": "5"}, "k: Input should be a valid integer"),
        ({"question": "GDP?", "colour": "red"}, "colour: Extra inputs are not permitted"),
        ({"question": "GDP?", "history": "no"}, "history: Input should be a valid list"),
        ({"question": "GDP?", "filters": {"year": 2021}}, "filters.year: Input should be a valid string"),
        (
            {"question": "GDP?", "min_confidence": 1.5},
            "min_confidence: Input should be less than or equal to 1",
        ),
        (
            {"question": "GDP?", "min_confidence": -0.1},
            "min_confidence: Input should be greater than or equal to 0",
        ),
        ({}, "question: Field required"),
        ([1, 2], "request body: Input should be a valid dictionary or object to extract fields from"),
    ],
)
def test_invalid_requests_are_422(client: TestClient, content: Any, message: str) -> None:
    r = client.post("/v1/ask", json=content)
    assert (r.status_code, r.json()) == (422, error("invalid_request", message))


def test_malformed_json_is_422(client: TestClient) -> None:
    headers = {"Content-Type": "application/json"}
    r = client.post("/v1/ask", content=b'{"question": "GDP?"} trailing garbage', headers=headers)
    assert (r.status_code, r.json()) == (
        422,
        error("invalid_request", "the request body is not valid JSON (Extra data)"),
    )
    r = client.post("/v1/ask", headers=headers)
    assert (r.status_code, r.json()) == (422, error("invalid_request", "request body: Field required"))


def test_invalid_query_parameters_are_422(client: TestClient) -> None:
    r = client.get("/v1/figures", params={"q": "GDP", "k": 0})
    assert (r.status_code, r.json()) == (
        422,
        error("invalid_request", "k: Input should be greater than or equal to 1"),
    )
    r = client.get("/v1/figures")
    assert (r.status_code, r.json()) == (422, error("invalid_request", "q: Field required"))


def test_unknown_route_is_404_and_wrong_method_405(client: TestClient) -> None:
    r = client.get("/v1/nothing")
    assert (r.status_code, r.json()) == (404, error("not_found", "no route GET /v1/nothing"))
    r = client.get("/v1/ask")
    assert (r.status_code, r.json()) == (405, error("method_not_allowed", "GET is not allowed on /v1/ask"))
    assert r.headers["allow"] == "POST"


def test_huge_bodies_are_413(client: TestClient) -> None:
    huge = json.dumps({"question": "GDP?", "history": ["x" * 70_000]})
    r = client.post("/v1/ask", content=huge, headers={"Content-Type": "application/json"})
    expected = error("payload_too_large", "the request body is over 65536 bytes")
    assert (r.status_code, r.json()) == (413, expected)
    # Without Content-Length the bytes are counted as they arrive.
    r = client.post("/v1/ask", content=iter([huge.encode()]), headers={"Content-Type": "application/json"})
    assert "content-length" not in r.request.headers
    assert (r.status_code, r.json()) == (413, expected)


def test_body_limit_counts_streamed_chunks() -> None:
    seen: list[bytes] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append((await receive())["body"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    def run(chunks: list[bytes]) -> int:
        messages = [{"type": "http.request", "body": c, "more_body": True} for c in chunks]
        messages.append({"type": "http.request", "body": b"", "more_body": False})
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return messages.pop(0)

        async def send(message: Any) -> None:
            sent.append(message)

        asyncio.run(BodyLimit(app, limit=10)({"type": "http", "headers": []}, receive, send))
        return int(sent[0]["status"])

    assert run([b"12345", b"67890"]) == 200
    assert seen == [b"1234567890"]
    assert run([b"12345", b"67890", b"1"]) == 413
    assert len(seen) == 1


def test_unexpected_errors_are_500_without_a_traceback(caplog: pytest.LogCaptureFixture) -> None:
    class Broken:
        settings = Settings()

        def ask(self, question: str, **options: Any) -> Any:
            raise RuntimeError("secret internal detail")

    with TestClient(create_app(Broken())) as c:  # type: ignore[arg-type]
        r = c.post("/v1/ask", json={"question": "GDP?"})
    assert r.status_code == 500
    assert r.json() == error("internal_error", "internal error; the server log has the details")
    assert "Traceback" not in r.text and "secret" not in r.text
    assert "secret internal detail" in caplog.text  # the server log keeps it


def test_domain_errors_keep_their_status_and_code() -> None:
    class Unready:
        settings = Settings()

        def check_ready(self) -> dict[str, Any]:
            raise IndexNotFound("no index in the index folder; run: python cli.py index")

        def documents(self) -> list[Any]:
            raise IndexNotFound("no index in the index folder; run: python cli.py index")

    with TestClient(create_app(Unready())) as c:  # type: ignore[arg-type]
        expected = error("index_not_found", "no index in the index folder; run: python cli.py index")
        r = c.get("/readyz")
        assert (r.status_code, r.json()) == (503, expected)
        r = c.get("/v1/documents")
        assert (r.status_code, r.json()) == (503, expected)
        assert c.get("/healthz").status_code == 200


# --- keys, rate limits, CORS ----------------------------------------------------------------------


def test_api_keys_guard_every_v1_route(shared: Assistant) -> None:
    settings = replace(shared.settings, api_keys=("other-key", KEY))
    unauthorized = error("unauthorized", "a valid API key is required: Authorization: Bearer KEY")
    with TestClient(create_app(shared, settings)) as c:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {KEY}"}):
            for r in (
                c.post("/v1/ask", json={"question": "GDP?"}, headers=headers),
                c.post("/v1/search", json={"query": "GDP"}, headers=headers),
                c.get("/v1/figures", params={"q": "GDP"}, headers=headers),
                c.get("/v1/documents", headers=headers),
            ):
                assert (r.status_code, r.json()) == (401, unauthorized)
                assert r.headers["www-authenticate"] == "Bearer"
        good = {"Authorization": f"Bearer {KEY}"}
        assert c.post("/v1/ask", json={"question": "GDP?"}, headers=good).status_code == 200
        assert c.get("/v1/documents", headers={"Authorization": "Bearer other-key"}).status_code == 200
        assert c.get("/healthz").status_code == 200
        assert c.get("/readyz").status_code == 200


def test_rate_limit_is_429_with_retry_after(shared: Assistant) -> None:
    with TestClient(create_app(shared, replace(shared.settings, rate_limit=3))) as c:
        assert [c.get("/v1/documents").status_code for _ in range(3)] == [200, 200, 200]
        r = c.get("/v1/documents")
        assert (r.status_code, r.json()) == (
            429,
            error("rate_limited", "more than 3 requests a minute; retry later"),
        )
        assert r.headers["retry-after"] == "20"  # one request in 60 s / 3
        assert c.get("/healthz").status_code == 200  # health checks are never limited


def test_rate_limit_is_per_key(shared: Assistant) -> None:
    settings = replace(shared.settings, rate_limit=1, api_keys=("a-key", "b-key"))
    with TestClient(create_app(shared, settings)) as c:
        a, b = {"Authorization": "Bearer a-key"}, {"Authorization": "Bearer b-key"}
        assert c.get("/v1/documents", headers=a).status_code == 200
        assert c.get("/v1/documents", headers=a).status_code == 429
        assert c.get("/v1/documents", headers=b).status_code == 200


def test_rate_limiter_refills_over_time() -> None:
    now = [100.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    assert [limiter.acquire("x") for _ in range(2)] == [0.0, 0.0]
    assert limiter.acquire("x") == pytest.approx(30.0)
    assert limiter.acquire("y") == 0.0
    now[0] += 30.0
    assert limiter.acquire("x") == 0.0
    assert limiter.acquire("x") == pytest.approx(30.0)
    assert RateLimiter(0).acquire("x") == 0.0  # 0 switches the limit off


def test_rate_limiter_forgets_idle_clients() -> None:
    now = [0.0]
    limiter = RateLimiter(1, clock=lambda: now[0], max_clients=2)
    limiter.acquire("a")
    limiter.acquire("b")
    now[0] += 61.0
    limiter.acquire("c")
    assert set(limiter._buckets) == {"c"}


def test_cors_is_off_by_default_and_on_for_listed_origins(client: TestClient, shared: Assistant) -> None:
    origin = {"Origin": "http://app.example"}
    assert "access-control-allow-origin" not in client.get("/v1/documents", headers=origin).headers
    settings = replace(shared.settings, cors_origins=("http://app.example",))
    with TestClient(create_app(shared, settings)) as c:
        r = c.get("/v1/documents", headers=origin)
        assert r.headers["access-control-allow-origin"] == "http://app.example"
        r = c.get("/v1/documents", headers={"Origin": "http://elsewhere.example"})
        assert "access-control-allow-origin" not in r.headers
        preflight = {**origin, "Access-Control-Request-Method": "POST"}
        assert c.options("/v1/ask", headers=preflight).status_code == 200


# --- serving --------------------------------------------------------------------------------------


def test_settings_survive_the_trip_through_the_environment(tmp_path: Path) -> None:
    settings = Settings(
        corpus_dir=tmp_path / "c",
        index_dir=tmp_path / "i",
        model=str(tmp_path / "m"),
        query_backend="onnx",
        batch_size=7,
        chunk_tokens=99,
        chunk_overlap=9,
        bm25_k1=1.7,
        bm25_b=0.55,
        fusion="rrf",
        fusion_normalization="zscore",
        dense_weight=0.37,
        candidates=77,
        k=4,
        min_confidence=0.35,
        ann="hnsw",
        ann_threshold=1234,
        vector_store="milvus",
        milvus_uri="http://milvus.example:19530",
        milvus_collection="chunks",
        api_keys=("a", "b"),
        rate_limit=17,
        cors_origins=("http://x.example",),
        request_timeout=2.5,
        reload_interval=0.5,
        max_file_mb=12,
        max_unpacked_mb=34,
        max_text_chars=5678,
        max_pdf_pages=9,
        max_html_depth=88,
        max_chunk_chars=1500,
        parse_worker=False,
        parse_timeout=3.5,
        parse_memory_mb=700,
        max_filter_chars=64,
        max_filters=3,
    )
    defaults = Settings()
    changed = [f for f in Settings.__dataclass_fields__ if getattr(settings, f) == getattr(defaults, f)]
    assert changed == [], "give every field a non-default value here"
    assert Settings.from_env(settings.to_env()) == settings
    assert Settings.from_env(defaults.to_env()) == defaults


def test_is_loopback() -> None:
    assert all(map(is_loopback, ["127.0.0.1", "::1", "[::1]", "localhost", "127.0.0.2"]))
    assert not any(map(is_loopback, ["0.0.0.0", "192.168.1.5", "::", "example.org"]))


def test_serve_warns_without_keys_off_loopback(shared: Assistant, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    import uvicorn

    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    # ports 8000 and 8123 may be taken on a test machine: the port check has tests of its own
    monkeypatch.setattr("assistant.interfaces.http.ports.check_port", lambda host, port: None)
    monkeypatch.setattr(Assistant, "open", classmethod(lambda cls, *a, **kw: shared))
    # serve() with workers writes the settings into os.environ for its workers: give it a copy to write
    # into, so that nothing leaks into the tests after this one
    monkeypatch.setattr(os, "environ", dict(os.environ))
    for name in shared.settings.to_env():
        monkeypatch.delenv(name, raising=False)
    err = io.StringIO()
    assert serve(shared.settings, host="127.0.0.1", port=8123, err=err) == 0
    assert err.getvalue() == ""
    assert calls[0][1] == {"host": "127.0.0.1", "port": 8123, "http": HeadTimeoutProtocol}
    assert serve(shared.settings, host="0.0.0.0", port=8123, workers=2, err=err) == 0
    assert err.getvalue().startswith("warning: serving on 0.0.0.0 without API keys")
    assert calls[1] == (
        "assistant.interfaces.http.app:create_app_from_env",
        {"factory": True, "host": "0.0.0.0", "port": 8123, "workers": 2, "http": HeadTimeoutProtocol},
    )
    err = io.StringIO()
    serve(replace(shared.settings, api_keys=(KEY,)), host="0.0.0.0", err=err)
    assert err.getvalue() == ""
    assert Settings.from_env() == shared.settings  # what each worker process will open


@contextmanager
def real_server(app: Any, sock: socket.socket | None = None) -> Iterator[Any]:
    """Serve app with uvicorn on a free loopback port (or on sock), as `serve` does, in a thread; yields the
    uvicorn server, whose `port` attribute is set to the port."""
    import uvicorn

    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", http=HeadTimeoutProtocol)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock] if sock else None}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.01)
        server.port = server.servers[0].sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        yield server
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert not thread.is_alive()


@pytest.mark.slow
def test_a_real_server(shared: Assistant) -> None:
    with (
        real_server(create_app(shared)) as server,
        httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=10) as http,
    ):
        r = http.get("/readyz")
        assert (r.status_code, r.json()["status"]) == (200, "ready")
        question = "How many containers did the port of Ningbo handle in 2023?"
        r = http.post("/v1/ask", json={"question": question})
        assert r.status_code == 200
        assert r.json() == shared.ask(question).to_dict()
        assert r.json()["answer"] == "33.4 million containers"

        def chunks() -> Iterator[bytes]:
            for _ in range(70):
                yield b" " * 1024

        r = http.post("/v1/ask", content=chunks(), headers={"Content-Type": "application/json"})
        assert r.status_code == 413
        assert r.json()["error"]["code"] == "payload_too_large"


@pytest.mark.slow
def test_connections_send_without_delay_on_a_socket_bound_like_serve_workers(shared: Assistant) -> None:
    # uvicorn's worker processes listen on a socket it creates with protocol 0; asyncio then leaves
    # Nagle's algorithm on (about 40 ms more per keep-alive request). The protocol turns it off itself.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    assert listener.proto == 0
    with (
        real_server(create_app(shared), listener) as server,
        httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=10) as http,
    ):
        for _ in range(2):  # one keep-alive connection
            assert http.get("/healthz").status_code == 200
        connections = list(server.server_state.connections)
        assert len(connections) == 1
        peer = connections[0].transport.get_extra_info("socket")
        assert peer.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    listener.close()


def read_response(sock: socket.socket) -> tuple[int, dict[str, Any] | None]:
    """(status, JSON body) of the one response on sock, read until the server closes it; (0, None) when the
    server closed it without a word."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    if not data:
        return 0, None
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    if status == 408:
        assert b"connection: close" in head.lower()
    return status, json.loads(body)


@pytest.mark.slow
def test_a_keep_alive_client_that_stalls_in_its_next_request_times_out(
    shared: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    timeout = 1.0
    monkeypatch.setattr(HeadTimeoutProtocol, "head_timeout", timeout)
    with real_server(create_app(shared, replace(shared.settings, request_timeout=timeout))) as server:
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=timeout + 10)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        first = b""
        while b"\r\n\r\n" not in first or not first.endswith(b"}"):
            first += sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200")  # answered, and the connection stays open
        sock.sendall(b"GET /heal")  # the next request, begun and then stalled
        expected = error("request_timeout", f"the request did not arrive within {timeout:g} seconds")
        assert read_response(sock) == (408, expected)
        sock.close()


@pytest.mark.slow
def test_slow_clients_time_out_without_holding_up_anyone(
    shared: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    timeout = 1.5
    monkeypatch.setattr(HeadTimeoutProtocol, "head_timeout", timeout)
    app = create_app(shared, replace(shared.settings, request_timeout=timeout))
    body = json.dumps({"question": "How many containers did the port of Ningbo handle in 2023?"}).encode()
    head = (
        "POST /v1/ask HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with real_server(app) as server:
        port = server.port

        def connect() -> socket.socket:
            sock = socket.create_connection(("127.0.0.1", port), timeout=timeout + 10)
            return sock

        silent = connect()  # connects and never sends a byte
        stalled_head = connect()
        stalled_head.sendall(head[:20])  # half a request line
        stalled_body = connect()
        stalled_body.sendall(head + body[:10])  # the head, then part of the body
        started = time.monotonic()
        trickled = connect()
        for byte in head + body:  # a whole request a byte at a time, in well under the deadline
            trickled.sendall(bytes([byte]))
            time.sleep(0.002)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            r = http.post("/v1/ask", content=body, headers={"Content-Type": "application/json"})
            answered = time.monotonic() - started
        assert (r.status_code, r.json()["answer"]) == (200, "33.4 million containers")
        assert answered < timeout  # the stalled connections held nobody up

        trickled.shutdown(socket.SHUT_WR)  # nothing more to send: the server answers, then closes
        status, payload = read_response(trickled)
        assert status == 200 and payload is not None and payload["answer"] == "33.4 million containers"
        expected_head = error("request_timeout", f"the request did not arrive within {timeout:g} seconds")
        assert read_response(stalled_head) == (408, expected_head)
        expected_body = error(
            "request_timeout", f"the request body did not arrive within {timeout:g} seconds"
        )
        assert read_response(stalled_body) == (408, expected_body)
        assert read_response(silent) == (0, None)  # closed: there was no request to answer
        assert time.monotonic() - started < timeout + 5
        for sock in (silent, stalled_head, stalled_body, trickled):
            sock.close()
        r = httpx.get(f"http://127.0.0.1:{port}/healthz")
        assert r.status_code == 200  # and the server carries on


def test_requests_in_flight_survive_a_reindex(tmp_path: Path) -> None:
    assistant = open_assistant(tmp_path, rate_limit=0)
    app = create_app(assistant)
    statuses: list[int] = []
    failures: list[BaseException] = []
    questions = [
        "What share of GDP did the digital economy account for?",
        "How many containers did the port handle?",
        "How many tonnes of apples were harvested?",
        "How much offshore wind capacity was there?",
    ]

    reindexed = threading.Event()

    def asker(n: int) -> None:
        try:
            with TestClient(app) as c:
                i = 0
                # At least six questions each, and keep asking until the new index is in.
                while i < 6 or not reindexed.is_set():
                    q = questions[(n + i) % len(questions)]
                    statuses.append(c.post("/v1/ask", json={"question": q}).status_code)
                    i += 1
        except BaseException as exc:
            failures.append(exc)
            reindexed.set()

    def reindexer() -> None:
        try:
            (assistant.settings.corpus_dir / "wind.txt").write_text("Offshore wind\n\n" + WIND)
            assert assistant.reindex().written
        except BaseException as exc:
            failures.append(exc)
        finally:
            reindexed.set()

    threads = [threading.Thread(target=asker, args=(n,)) for n in range(8)]
    threads.insert(4, threading.Thread(target=reindexer))
    for t in threads:
        t.start()
    # one deadline for all: a loaded machine slows the askers, and a thread still asking would leave
    # too few statuses counted rather than say so
    deadline = time.monotonic() + 120
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not [t for t in threads if t.is_alive()], "askers or the reindex still running after 120 s"
    assert failures == []
    assert len(statuses) >= 48
    assert set(statuses) == {200}
    assert len(assistant.documents()) == 4
    with TestClient(app) as c:
        r = c.post("/v1/ask", json={"question": "How much offshore wind capacity was there in 2022?"})
        assert r.json()["answer"] == "30.5 gigawatts"


@pytest.mark.parametrize("raw", ["0", "-1", "inf", "nan", "soon"])
def test_a_bad_request_timeout_is_refused_with_its_name(raw: str) -> None:
    with pytest.raises(ValueError, match="ASSISTANT_REQUEST_TIMEOUT must be"):
        Settings.from_env({"ASSISTANT_REQUEST_TIMEOUT": raw})
    assert Settings.from_env({"ASSISTANT_REQUEST_TIMEOUT": "2.5"}).request_timeout == 2.5


# --- replicas over one index ----------------------------------------------------------------------


def replica(root: Path, interval: float) -> Assistant:
    """An assistant serving the index under root, as one of several server processes would."""
    base = replace(
        Settings(),
        corpus_dir=root / "corpus",
        index_dir=root / "index",
        rate_limit=0,
        reload_interval=interval,
    )
    return Assistant.open(settings=base, embedder=FakeEmbedder(dimension=64))


def snapshot(directory: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(directory)): (p.stat().st_size, p.stat().st_mtime_ns) for p in directory.rglob("*")
    }


def wait_for_documents(client: TestClient, n: int) -> None:
    deadline = time.monotonic() + 10
    while client.get("/readyz").json()["documents"] != n:
        assert time.monotonic() < deadline, f"the replica did not reach {n} documents"
        time.sleep(0.02)


def test_replicas_follow_a_generation_another_process_builds(tmp_path: Path) -> None:
    open_assistant(tmp_path)  # builds the index
    question = {"question": "How much offshore wind capacity was there in 2022?"}
    with (
        TestClient(create_app(replica(tmp_path, 0.05))) as a,
        TestClient(create_app(replica(tmp_path, 0.05))) as b,
    ):
        for client in (a, b):
            assert client.post("/v1/ask", json=question).json()["answer"] != "30.5 gigawatts"
        # Another process (an `index` run) adds a document and switches CURRENT.
        (tmp_path / "corpus" / "wind.txt").write_text("Offshore wind\n\n" + WIND)
        assert build_index(tmp_path / "corpus", tmp_path / "index", FakeEmbedder(dimension=64)).written
        for client in (a, b):
            wait_for_documents(client, 4)
            r = client.post("/v1/ask", json=question)
            assert (r.status_code, r.json()["answer"]) == (200, "30.5 gigawatts")


def test_a_replica_never_writes_to_the_index(tmp_path: Path) -> None:
    open_assistant(tmp_path)
    before = snapshot(tmp_path / "index")
    with TestClient(create_app(replica(tmp_path, 0.01))) as client:
        for _ in range(3):
            assert client.post(
                "/v1/ask", json={"question": "What share of GDP was the digital economy?"}
            ).is_success
            assert client.post("/v1/search", json={"query": "containers"}).is_success
            assert client.get("/v1/figures", params={"q": "orchard"}).is_success
            assert client.get("/v1/documents").is_success
            time.sleep(0.02)  # let the generation check run
    assert snapshot(tmp_path / "index") == before


def test_a_damaged_new_generation_is_not_swapped_in(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    open_assistant(tmp_path)
    index = tmp_path / "index"
    live = (index / "CURRENT").read_text().strip()
    with TestClient(create_app(replica(tmp_path, 0.02))) as client:
        question = {"question": "How many containers did the port of Ningbo handle in 2023?"}
        answer = client.post("/v1/ask", json=question).json()
        damaged = index / "gen-999999"
        shutil.copytree(index / live, damaged)
        with (damaged / "vectors.npy").open("r+b") as f:
            f.truncate(100)
        (index / "CURRENT").write_text("gen-999999\n")
        deadline = time.monotonic() + 10
        while "gen-999999" not in caplog.text:
            assert time.monotonic() < deadline, "the damaged generation was never noticed"
            time.sleep(0.02)
        time.sleep(0.1)  # several more checks: the warning is not repeated
        assert client.post("/v1/ask", json=question).json() == answer
        assert client.get("/readyz").json()["status"] == "ready"
    warnings = [r for r in caplog.records if r.levelname == "WARNING" and "still serving" in r.getMessage()]
    assert len(warnings) == 1 and live in warnings[0].getMessage()
