"""Start-up and request-shape messages that send people the right way: the port checked before the model
loads, and a body that is not JSON answered with 415 saying to send JSON."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.assistant import Assistant
from assistant.errors import PortUnavailable
from assistant.interfaces.cli.main import main
from assistant.interfaces.http.app import create_app
from assistant.interfaces.http.ports import check_port
from tests.interfaces.http.test_app import open_assistant, real_server

SEND_JSON = {
    "error": {
        "code": "unsupported_media_type",
        "message": "send the request body as JSON with the header content-type: application/json",
    }
}


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    return open_assistant(tmp_path_factory.mktemp("serving"), rate_limit=0)


@pytest.fixture(scope="module")
def client(shared: Assistant) -> Iterator[TestClient]:
    with TestClient(create_app(shared)) as c:
        yield c


@pytest.fixture
def busy() -> Iterator[int]:
    """A loopback port another program listens on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen(1)
        yield other.getsockname()[1]


def serve_cli(*args: str, index: Path) -> tuple[int, str]:
    err = io.StringIO()
    code = main(["serve", *args, "--index", str(index)], out=io.StringIO(), err=err)
    return code, err.getvalue()


@pytest.mark.parametrize("port", ["99999", "0", "-1"])
def test_an_invalid_port_is_one_line_before_anything_loads(tmp_path: Path, port: str) -> None:
    # the index does not exist: the port's message comes first, so nothing was loaded before the check
    code, err = serve_cli("--port", port, index=tmp_path / "none")
    assert (code, err) == (1, f"error: invalid port {port}: choose a number from 1 to 65535 with --port\n")


def test_a_busy_port_is_one_line_before_anything_loads(tmp_path: Path, busy: int) -> None:
    code, err = serve_cli("--port", str(busy), index=tmp_path / "none")
    assert (code, err) == (
        1,
        f"error: port {busy} on 127.0.0.1 is already in use by another program; stop it or choose another --port\n",
    )


def test_an_unknown_host_is_one_line(tmp_path: Path) -> None:
    code, err = serve_cli("--host", "no such host!", "--port", "8080", index=tmp_path / "none")
    assert (code, err) == (
        1,
        "error: cannot serve on no such host!: not a known host name or address (see --host)\n",
    )


def test_a_free_port_passes_the_check() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    check_port("127.0.0.1", free)  # returns: nothing listens there
    with pytest.raises(PortUnavailable):
        check_port("127.0.0.1", 70000)


@pytest.mark.parametrize("route", ["/v1/ask", "/v1/search"])
def test_a_form_body_is_415_saying_to_send_json(client: TestClient, route: str) -> None:
    field = "question" if route == "/v1/ask" else "query"
    r = client.post(route, data={field: "How many containers?"})  # what `curl -d` sends
    assert r.status_code == 415
    assert r.json() == SEND_JSON
    r = client.post(route, content=b"plain words", headers={"content-type": "text/plain"})
    assert (r.status_code, r.json()) == (415, SEND_JSON)


def test_json_bodies_still_get_their_own_errors(client: TestClient) -> None:
    r = client.post("/v1/ask", json={"question": "ports?", "k": "many"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"
    r = client.post(
        "/v1/ask", content=b'{"question": 3}', headers={"content-type": "application/vnd.api+json"}
    )
    assert r.status_code == 422
    r = client.post("/v1/ask", json={"question": "How many containers did the port of Ningbo handle?"})
    assert r.status_code == 200


def test_openapi_documents_the_415(client: TestClient) -> None:
    responses = client.get("/openapi.json").json()["paths"]["/v1/ask"]["post"]["responses"]
    assert responses["415"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorResponse")


@pytest.mark.slow  # a real server
def test_curl_style_form_post_to_a_real_server_is_415(shared: Assistant) -> None:
    with (
        real_server(create_app(shared)) as server,
        httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=10) as http,
    ):
        r = http.post(
            "/v1/ask",
            content=b"question=ports",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert (r.status_code, r.json()) == (415, SEND_JSON)
