"""The MCP server: tools in process (fast), /mcp's guard through TestClient, then the `mcp` client SDK over
stdio (`python cli.py mcp`) and over streamable HTTP against a real server (slow)."""

from __future__ import annotations

import os
import sys
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.assistant import Assistant
from assistant.interfaces.cli import render
from assistant.interfaces.http.app import create_app
from assistant.interfaces.mcp.server import build_server
from tests.interfaces.http.test_app import KEY, open_assistant, real_server

ROOT = Path(__file__).resolve().parents[3]
HARBOUR_Q = "How many containers did the port of Ningbo handle in 2023?"
TOOLS = ["ask", "search", "figures", "documents"]
LOOPBACK = "http://127.0.0.1:8000"  # the Host the SDK's DNS-rebinding protection accepts without keys
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Mcp-Protocol-Version": "2025-06-18"}


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    return open_assistant(tmp_path_factory.mktemp("mcp"), rate_limit=0)


def expected_results(assistant: Assistant) -> dict[str, tuple[dict[str, Any], dict[str, Any], str]]:
    """Per tool: the arguments of one call, the structured content and the text it should return."""
    answer = assistant.ask(HARBOUR_Q, k=3, history=["What about the port of Ningbo?"])
    hits = assistant.search("containers", k=2, filters={"source": "harbour*"})
    figures = assistant.figures("containers", k=2)
    docs = assistant.documents()
    return {
        "ask": (
            {"question": HARBOUR_Q, "k": 3, "history": ["What about the port of Ningbo?"]},
            answer.to_dict(),
            render.answer_text(answer),
        ),
        "search": (
            {"query": "containers", "k": 2, "filters": {"source": "harbour*"}},
            hits.to_dict(),
            render.hits_text(hits),
        ),
        "figures": ({"topic": "containers", "k": 2}, figures.to_dict(), render.figures_cited_text(figures)),
        "documents": (
            {},
            {"documents": [d.to_dict() for d in docs]},
            render.documents_text(docs),
        ),
    }


async def check_every_tool(session: Any, assistant: Assistant) -> None:
    """List the tools, call each, and check its structured content and text against the assistant's."""
    listed = (await session.list_tools()).tools
    assert [t.name for t in listed] == TOOLS
    schemas = {t.name: t for t in listed}
    assert schemas["ask"].input_schema["required"] == ["question"]
    assert set(schemas["ask"].input_schema["properties"]) == {"question", "k", "filters", "history"}
    assert schemas["ask"].output_schema["properties"]["citations"]["type"] == "array"
    for t in listed:
        assert t.description and "\n" not in t.description and t.annotations.read_only_hint
    for name, (arguments, structured, text) in expected_results(assistant).items():
        result = await session.call_tool(name, arguments)
        assert not result.is_error, result.content
        assert result.structured_content == structured, name
        assert [c.text for c in result.content] == [text], name
    result = await session.call_tool("ask", {"question": "  "})
    assert result.is_error and "the question is empty" in result.content[0].text


def run_async(test: Callable[[], Awaitable[None]]) -> None:
    anyio.run(test)


# --- in process ----------------------------------------------------------------------------------------


def test_the_tools_in_process(shared: Assistant) -> None:
    from mcp import Client

    async def test() -> None:
        async with Client(build_server(shared)) as client:
            await check_every_tool(client, shared)
            assert "cited" in (client.instructions or "") or "citations" in (client.instructions or "")

    run_async(test)


def test_tool_arguments_are_checked(shared: Assistant) -> None:
    from mcp import Client

    async def test() -> None:
        async with Client(build_server(shared)) as client:
            result = await client.call_tool("ask", {"question": "GDP?", "k": 0})
            assert result.is_error and "greater than or equal to 1" in result.content[0].text
            result = await client.call_tool("figures", {"topic": " "})
            assert result.is_error and result.content[0].text.endswith("the topic is empty")
            result = await client.call_tool("search", {"query": "GDP", "filters": {"source": 3}})
            assert result.is_error and "filters.source" in result.content[0].text
            result = await client.call_tool("ask", {"question": "x" * 2001})
            assert result.is_error and "the limit is 2000" in result.content[0].text

    run_async(test)


# --- /mcp on the HTTP app ---------------------------------------------------------------------------------


def rpc(method: str, params: dict[str, Any] | None = None, n: int = 1) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": n, "method": method, **({"params": params} if params else {})}


INITIALIZE = rpc(
    "initialize",
    {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}},
)


@pytest.fixture
def keyed(shared: Assistant) -> Iterator[TestClient]:
    settings = replace(shared.settings, api_keys=(KEY,), rate_limit=2)
    with TestClient(create_app(shared, settings), base_url="http://search.example.org") as c:
        yield c


def test_mcp_over_http_needs_a_key_and_counts_against_the_limit(keyed: TestClient) -> None:
    unauthorized = {
        "error": {"code": "unauthorized", "message": "a valid API key is required: Authorization: Bearer KEY"}
    }
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        r = keyed.post("/mcp", json=INITIALIZE, headers={**MCP_HEADERS, **headers})
        assert (r.status_code, r.json()) == (401, unauthorized)
        assert r.headers["www-authenticate"] == "Bearer"
    good = {**MCP_HEADERS, "Authorization": f"Bearer {KEY}"}
    # with keys, any Host name may reach it (the key, not the name, keeps strangers out)
    r = keyed.post("/mcp", json=rpc("tools/call", {"name": "documents", "arguments": {}}), headers=good)
    assert r.status_code == 200
    assert [d["id"] for d in r.json()["result"]["structuredContent"]["documents"]] == [
        "economy.txt",
        "harbour.txt",
        "orchard.txt",
    ]
    assert keyed.get("/v1/documents", headers={"Authorization": f"Bearer {KEY}"}).status_code == 200
    assert keyed.post("/mcp", json=rpc("tools/list"), headers=good).status_code == 429  # one budget per key


def test_mcp_without_keys_answers_only_loopback_names(shared: Assistant) -> None:
    app = create_app(shared)
    with TestClient(app, base_url=LOOPBACK) as c:
        r = c.post("/mcp", json=rpc("tools/list"), headers=MCP_HEADERS)
        assert r.status_code == 200
        assert [t["name"] for t in r.json()["result"]["tools"]] == TOOLS
        # DNS rebinding: a web page whose name resolves to 127.0.0.1 reaches the port but not the tools
        r = c.post("/mcp", json=rpc("tools/list"), headers={**MCP_HEADERS, "Host": "evil.example.com"})
        assert r.status_code == 421
    # a second start of the same app runs a new session manager (each can run only once)
    with TestClient(app, base_url=LOOPBACK) as c:
        assert c.post("/mcp", json=rpc("tools/list"), headers=MCP_HEADERS).status_code == 200


def test_mcp_outside_the_apps_lifespan_is_503(shared: Assistant) -> None:
    r = TestClient(create_app(shared), base_url=LOOPBACK).post(
        "/mcp", json=rpc("tools/list"), headers=MCP_HEADERS
    )
    assert (r.status_code, r.json()["error"]["code"]) == (503, "unavailable")


# --- the client SDK over real transports ----------------------------------------------------------------


@pytest.mark.slow
def test_stdio_python_cli_mcp(real_assistant: Assistant) -> None:
    from mcp import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    index = str(real_assistant.settings.index_dir)
    params = StdioServerParameters(
        command=sys.executable, args=["cli.py", "mcp", "--index", index], cwd=str(ROOT), env=dict(os.environ)
    )

    async def test() -> None:
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            info = await session.initialize()
            assert info.server_info.name == "figure-assistant"
            await check_every_tool(session, real_assistant)
            answer = await session.call_tool("ask", {"question": HARBOUR_Q})
            assert answer.structured_content is not None
            assert answer.structured_content["answer"] == "33.4 million containers"

    run_async(test)


@pytest.mark.slow
def test_streamable_http_at_slash_mcp_behind_the_keys(real_assistant: Assistant) -> None:
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    settings = replace(real_assistant.settings, api_keys=(KEY,))
    with real_server(create_app(real_assistant, settings)) as server:
        url = f"http://127.0.0.1:{server.port}/mcp"

        async def test() -> None:
            http = create_mcp_http_client(headers={"Authorization": f"Bearer {KEY}"})
            async with (
                http,
                streamable_http_client(url, http_client=http) as (read, write),
                ClientSession(read, write) as session,
            ):
                await session.initialize()
                await check_every_tool(session, real_assistant)

        run_async(test)

        async def without_key() -> None:
            http = create_mcp_http_client(headers={"Authorization": "Bearer wrong"})
            async with (
                http,
                streamable_http_client(url, http_client=http) as (read, write),
                ClientSession(read, write) as session,
            ):
                await session.initialize()

        with pytest.raises(BaseException) as refused:
            run_async(without_key)
        from mcp.shared.exceptions import MCPError

        leaves = list(leaf_errors(refused.value))
        assert leaves and all(isinstance(e, MCPError) for e in leaves), leaves
        # what the client was refused with
        r = httpx.post(url, json=INITIALIZE, headers={**MCP_HEADERS, "Authorization": "Bearer wrong"})
        assert (r.status_code, r.json()["error"]["code"]) == (401, "unauthorized")


def leaf_errors(exc: BaseException) -> Iterator[BaseException]:
    """The exceptions inside (nested) exception groups, which anyio's task groups raise."""
    inner_errors = getattr(exc, "exceptions", None)  # an ExceptionGroup (the builtin is 3.11+)
    if inner_errors:
        for inner in inner_errors:
            yield from leaf_errors(inner)
    else:
        yield exc


def test_cli_mcp_without_an_index_says_so_in_one_line(tmp_path: Path) -> None:
    import io

    from assistant.interfaces.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    assert main(["mcp", "--index", str(tmp_path / "none")], out=out, err=err) == 1
    assert out.getvalue() == ""  # stdout is the protocol's: nothing else may be written there
    from assistant.config import Settings

    hint = f"python cli.py index --corpus {Settings().corpus_dir} --index {tmp_path / 'none'}"
    assert err.getvalue() == f"error: no index in {tmp_path / 'none'}; build one with: {hint}\n"
