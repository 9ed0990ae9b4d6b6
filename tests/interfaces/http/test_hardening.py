"""A hostile client: malformed HTTP, keys in URLs, garbage before a key, glob patterns built to be slow."""

from __future__ import annotations

import io
import logging
import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.assistant import Assistant
from assistant.interfaces.http.app import create_app
from assistant.interfaces.http.middleware import HideQueryStrings
from assistant.interfaces.http.protocol import MALFORMED
from tests.interfaces.http.test_app import KEY, error, open_assistant, read_response, real_server


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    return open_assistant(tmp_path_factory.mktemp("hardening"), rate_limit=0)


@pytest.fixture(scope="module")
def client(shared: Assistant) -> Iterator[TestClient]:
    with TestClient(create_app(shared)) as c:
        yield c


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GARBAGE\r\n\r\n",
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n",
        b"POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        b"GET /v1/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
    ],
    ids=["request-line", "header-with-space", "negative-length", "non-ascii-path"],
)
def test_malformed_http_gets_the_json_error_shape(shared: Assistant, request_bytes: bytes) -> None:
    with real_server(create_app(shared)) as server:
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        sock.sendall(request_bytes)
        assert read_response(sock) == (400, error("bad_request", MALFORMED))
        sock.close()


def test_key_is_checked_before_the_body_is_parsed(shared: Assistant) -> None:
    settings = replace(shared.settings, api_keys=(KEY,), rate_limit=2)
    unauthorized = error("unauthorized", "a valid API key is required: Authorization: Bearer KEY")
    with TestClient(create_app(shared, settings)) as c:
        headers = {"Content-Type": "application/json"}
        statuses = []
        for _ in range(3):
            r = c.post("/v1/ask", content=b"{not json", headers=headers)
            statuses.append(r.status_code)
        assert statuses == [401, 401, 429]  # never 422, and guessing is rate-limited
        r = c.post("/v1/search", content=b"{not json", headers=headers)
        assert r.status_code == 429
    with TestClient(create_app(shared, replace(settings, rate_limit=0))) as c:
        r = c.post("/v1/ask", content=b"{not json", headers={"Content-Type": "application/json"})
        assert (r.status_code, r.json()) == (401, unauthorized)
        good = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
        r = c.post("/v1/ask", content=b"{not json", headers=good)
        assert r.status_code == 422  # with the key, the body is looked at


def test_keys_in_the_query_string_are_refused(shared: Assistant) -> None:
    settings = replace(shared.settings, api_keys=(KEY,), rate_limit=0)
    with TestClient(create_app(shared, settings)) as c:
        good = {"Authorization": f"Bearer {KEY}"}
        for params in ({"api_key": KEY}, {"q": "apples", "token": KEY}):
            r = c.get("/v1/documents", params=params, headers=good)
            assert r.status_code == 401
            assert r.json()["error"]["message"].startswith("send the API key in the Authorization header")
        assert c.get("/v1/figures", params={"q": "apples"}, headers=good).status_code == 200


def test_access_log_never_shows_v1_query_strings() -> None:
    def line(path: str) -> str:
        record = logging.LogRecord(
            "uvicorn.access",
            logging.INFO,
            "",
            0,
            '%s - "%s %s HTTP/%s" %d',
            ("1.2.3.4:5", "GET", path, "1.1", 200),
            None,
        )
        assert HideQueryStrings().filter(record)
        return record.getMessage()

    assert line("/v1/figures?q=secret+plans&api_key=abc") == '1.2.3.4:5 - "GET /v1/figures HTTP/1.1" 200'
    assert line("/healthz?x=1") == '1.2.3.4:5 - "GET /healthz?x=1 HTTP/1.1" 200'


def test_filters_matching_nothing_are_422_no_match(client: TestClient) -> None:
    r = client.post("/v1/ask", json={"question": "How many containers?", "filters": {"source": "*.pdf"}})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "no_match"
    assert r.json()["error"]["message"].startswith("no indexed document matches source=*.pdf")
    r = client.get("/v1/figures", params={"q": "apples", "where": "source~=ORCHARD.*"})
    assert r.status_code == 200
    assert {c["source"] for c in r.json()["citations"]} == {"orchard.txt"}


def test_slow_glob_patterns_are_refused_by_length(client: TestClient) -> None:
    pattern = "[" * 60_000
    for r in (
        client.post("/v1/search", json={"query": "apples", "filters": {"source": pattern}}),
        client.get("/v1/figures", params={"q": "apples", "where": f"source={pattern[:5000]}"}),
    ):
        assert r.status_code == 400
        assert r.json()["error"]["code"] == "bad_filter"
        assert "the limit is 256" in r.json()["error"]["message"]


def test_cli_reports_a_filter_matching_nothing_in_one_line_with_status_2(
    shared: Assistant, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from assistant.interfaces.cli import main as cli

    monkeypatch.setattr(cli, "_open", lambda settings: shared)
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(["search", "apples", "--where", "source=*.pdf"], out=out, err=err)
    assert status == 2
    assert out.getvalue() == ""
    assert err.getvalue().count("\n") == 1
    assert err.getvalue().startswith("error: no indexed document matches source=*.pdf")
