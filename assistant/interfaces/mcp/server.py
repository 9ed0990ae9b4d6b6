"""The MCP server: ask, search, figures and documents as tools, over stdio or streamable HTTP at /mcp.

Each tool's structured content is exactly the JSON the HTTP API returns for the same call (`to_dict()`),
with the output schema of the HTTP API's response model; its text content is what the CLI prints.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, get_type_hints

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from assistant import schema
from assistant.errors import AssistantError
from assistant.interfaces.cli import render
from assistant.interfaces.http.middleware import error_response
from assistant.limits import MAX_K, MAX_QUESTION_CHARS

if TYPE_CHECKING:
    from fastapi import FastAPI
    from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

    from assistant.assistant import Assistant
    from assistant.config import Settings

NAME = "figure-assistant"
INSTRUCTIONS = (
    "Answers questions from an indexed document collection. Use `ask` for a question (it returns the answer, "
    "the figure that fits it, the sentence it came from and numbered citations), `search` for the best "
    "passages, `figures` for every figure about a topic, and `documents` to see what is indexed. "
    "Everything comes from the documents: when they do not answer, `ask` says so and lists the closest passages."
)

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

Question = Annotated[
    str,
    Field(description=f"the question, in plain words (at most {MAX_QUESTION_CHARS} characters)"),
]
K = Annotated[
    int | None, Field(ge=1, le=MAX_K, description=f"passages to retrieve, 1 to {MAX_K} (default 5)")
]
Filters = Annotated[
    dict[str, str] | None,
    Field(
        max_length=16,
        description="only documents whose field (id, source, title or a metadata field) matches the glob, "
        'e.g. {"source": "*.pdf"}',
    ),
]
History = Annotated[
    list[Annotated[str, Field(max_length=MAX_QUESTION_CHARS)]] | None,
    Field(
        max_length=20,
        description="earlier questions of the conversation, most recent last, so that a follow-up such as "
        "'And in 2020?' is read in their light",
    ),
]


def _model(shape: type) -> type[BaseModel]:
    """A result shape of assistant/schema.py as a pydantic model with the same JSON schema: the SDK reads a
    tool's output schema from a model (it mishandles a slotted dataclass's defaults)."""
    described = TypeAdapter(shape).json_schema()["properties"]
    hints = get_type_hints(shape)
    fields: dict[str, Any] = {
        f.name: (
            hints[f.name],
            Field(
                ... if f.default is dataclasses.MISSING else f.default,
                description=described[f.name].get("description"),
            ),
        )
        for f in dataclasses.fields(shape)
    }
    return create_model(
        shape.__name__, __config__=ConfigDict(extra="forbid"), __doc__=shape.__doc__, **fields
    )


AnswerOut = _model(schema.AnswerOut)
SearchOut = _model(schema.SearchOut)
FiguresOut = _model(schema.FiguresOut)


class DocumentsOut(BaseModel):
    """The `documents` tool's structured content (an object: MCP's structured content is never a list)."""

    model_config = ConfigDict(extra="forbid")
    documents: list[schema.DocumentOut]


def _answering(call: Callable[[], T]) -> T:
    """Run a call of the assistant; its domain errors become tool errors the model can read and act on."""
    try:
        return call()
    except AssistantError as exc:
        raise ToolError(exc.message) from exc


def _result(text: str, data: dict[str, Any]) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=data)


def build_server(assistant: Assistant) -> MCPServer[Any]:
    """An MCP server whose tools answer from `assistant` (thread-safe: the SDK runs sync tools in threads)."""
    server: MCPServer[Any] = MCPServer(
        NAME,
        title="Figure assistant",
        instructions=INSTRUCTIONS,
        version="1",
        log_level="WARNING",  # INFO would log every call on stderr (a stdio server's only log)
    )
    read_only = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)

    def tool(fn: F) -> F:
        # the docstring on one line: the SDK would keep its indentation in the description
        server.add_tool(fn, description=" ".join((fn.__doc__ or "").split()), annotations=read_only)
        return fn

    @tool
    def ask(
        question: Question, k: K = None, filters: Filters = None, history: History = None
    ) -> Annotated[CallToolResult, AnswerOut]:
        """Answer a question from the documents: the figure that fits it (amount, percentage, date...), the
        sentence it came from and numbered citations (title, source, page, character span, passage).
        `abstained` is true when the documents do not answer; the citations are then the closest passages."""
        answer = _answering(lambda: assistant.ask(question, k=k, filters=filters, history=history or ()))
        return _result(render.answer_text(answer), answer.to_dict())

    @tool
    def search(
        query: Annotated[
            str, Field(description=f"what to look for (at most {MAX_QUESTION_CHARS} characters)")
        ],
        k: K = None,
        filters: Filters = None,
    ) -> Annotated[CallToolResult, SearchOut]:
        """The passages that best match a query (hybrid of meaning and keywords), best first, each with its
        document, page, character span and score."""
        result = _answering(lambda: assistant.search(query, k=k, filters=filters))
        return _result(render.hits_text(result), result.to_dict())

    @tool
    def figures(
        topic: Annotated[str, Field(description=f"the topic (at most {MAX_QUESTION_CHARS} characters)")],
        k: K = None,
        filters: Filters = None,
    ) -> Annotated[CallToolResult, FiguresOut]:
        """Every figure (amounts, percentages, counts, dates) in the passages about a topic, each with the
        citation of the passage it comes from."""
        result = _answering(lambda: assistant.figures(topic, k=k, filters=filters))
        return _result(render.figures_cited_text(result), result.to_dict())

    @tool
    def documents() -> Annotated[CallToolResult, DocumentsOut]:
        """The indexed documents: id, title, source, number of chunks and pages, metadata."""
        docs = _answering(assistant.documents)
        return _result(render.documents_text(docs), {"documents": [d.to_dict() for d in docs]})

    return server


# --- transports ----------------------------------------------------------------------------------------


def serve_stdio(settings: Settings) -> int:
    """Serve the tools over stdin/stdout until the client closes them (what desktop assistants launch)."""
    from assistant.assistant import Assistant

    assistant = Assistant.open(settings=settings)  # fails here, with its message, when the index is missing
    build_server(assistant).run()  # stdio
    return 0


class McpEndpoint:
    """/mcp: the tools over streamable HTTP, behind the API's bearer keys and rate limits (the app's ApiGuard
    middleware checks both before a request reaches this endpoint).

    Stateless (every request stands alone): `serve --workers N` may hand a client's requests to different
    processes, and no session needs to survive between them. Answers are plain JSON, not event streams.
    """

    def __init__(self, server: MCPServer[Any], *, keys: bool) -> None:
        self.server = server
        self.keys = keys
        self.manager: StreamableHTTPSessionManager | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.manager is None:  # the app's lifespan has not started it (a TestClient outside `with`)
            await error_response(503, "unavailable", "the MCP endpoint is not running")(scope, receive, send)
            return
        from mcp.server.streamable_http_manager import StreamableHTTPASGIApp

        await StreamableHTTPASGIApp(self.manager)(scope, receive, send)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Run a session manager while the app serves (a manager runs once, so each start makes its own)."""
        from mcp.server.transport_security import TransportSecuritySettings

        # Without keys, the SDK's DNS-rebinding protection (requests must be addressed to a loopback name)
        # keeps a web page from reaching a local server through the browser; with keys, the key does that.
        security = None if not self.keys else TransportSecuritySettings(enable_dns_rebinding_protection=False)
        self.server.streamable_http_app(stateless_http=True, json_response=True, transport_security=security)
        manager = self.server.session_manager
        async with manager.run():
            self.manager = manager
            try:
                yield
            finally:
                self.manager = None


def mount_mcp(app: FastAPI, assistant: Assistant, *, keys: bool) -> None:
    """Serve the MCP tools at /mcp on `app`; the app's ApiGuard checks keys and rate limits as for /v1."""
    endpoint = McpEndpoint(build_server(assistant), keys=keys)
    app.router.routes.append(Route("/mcp", endpoint, include_in_schema=False))
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[Any]:
        async with contextlib.AsyncExitStack() as stack:
            await stack.enter_async_context(endpoint.running())
            yield await stack.enter_async_context(inner(app))

    app.router.lifespan_context = lifespan
