"""The HTTP API: a FastAPI app over one shared Assistant, with one JSON error shape for every failure."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Annotated, Any, TextIO

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi_offline import FastAPIOffline
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.interfaces.http.middleware import (
    MAX_BODY_BYTES,
    ApiGuard,
    BodyLimit,
    CatchAll,
    RateLimiter,
    error_response,
    hide_query_strings,
)
from assistant.interfaces.http.openai_compat import add_openai_routes
from assistant.interfaces.http.schemas import (
    ERROR_RESPONSES,
    STATUS_CODES,
    AskRequest,
    HealthOut,
    ReadyOut,
    SearchRequest,
)
from assistant.interfaces.mcp.server import mount_mcp
from assistant.limits import MAX_K, MAX_QUESTION_CHARS
from assistant.schema import AnswerOut, DocumentOut, FiguresOut, SearchOut

if TYPE_CHECKING:
    from assistant.assistant import Assistant

logger = logging.getLogger(__name__)


# --- the app ---------------------------------------------------------------------------------------


def _one_line(exc: RequestValidationError) -> str:
    """The first validation error as one line naming the field, e.g. `k: Input should be ...`."""
    errors = exc.errors()
    if not errors:
        return "the request is invalid"
    first = errors[0]
    loc = [str(p) for p in first.get("loc", ())]
    if first.get("type") == "json_invalid":
        return f"the request body is not valid JSON ({first.get('ctx', {}).get('error', 'decode error')})"
    if loc == ["body"]:
        where = "request body"
    else:
        where = ".".join(loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc)
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first.get('msg', 'invalid')}{more}"


def _json_media(content_type: str | None) -> bool:
    """Whether a request's content type is JSON (or absent, which FastAPI reads as JSON)."""
    if not content_type:
        return True
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


# At module level because FastAPI resolves the (postponed) annotations of dependencies in module globals.
_bearer = HTTPBearer(auto_error=False, description="one of the API keys, when the server has any")


def _bearer_guard(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    """Declares the Bearer scheme in the OpenAPI document; ApiGuard checks the key before the body is read."""


def _following(
    assistant: Assistant, interval: float
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """The app's lifespan: while it serves, swap in each new generation another process builds.

    Replicas share one index directory and never write to it; a separate `index` run (or any one replica's
    reindex) writes a new generation and switches CURRENT, and every replica follows within `interval`
    seconds. Requests in flight finish on the generation they started on.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(_follow_generations(assistant, interval)) if interval > 0 else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    return lifespan


async def _follow_generations(assistant: Assistant, interval: float) -> None:
    failed = ""  # why the last new generation failed to open: warn once, keep serving the one before
    while True:
        await asyncio.sleep(interval)
        try:
            if await run_in_threadpool(assistant.reload):
                logger.info("now serving %s", assistant.reader.path.name)
        except Exception as exc:  # whatever it was, the loop must go on: the next build may be fine
            reason = exc.message if isinstance(exc, AssistantError) else f"{type(exc).__name__}: {exc}"
            if reason != failed:
                logger.warning("still serving %s: %s", assistant.reader.path.name, reason)
                failed = reason


def create_app(assistant: Assistant, settings: Settings | None = None) -> FastAPI:
    """The HTTP API over `assistant`; limits, keys and CORS come from `settings` (default: the assistant's)."""
    settings = settings or assistant.settings
    # fastapi-offline serves the Swagger UI files itself: the stock /docs page loads them from a CDN,
    # which an offline install cannot reach.
    app = FastAPIOffline(
        lifespan=_following(assistant, settings.reload_interval),
        title="Figure assistant",
        version="1",
        description="Answers questions from the indexed documents, with cited passages and extracted figures.",
        redoc_url=None,
        responses={500: ERROR_RESPONSES[500]},
    )

    @app.exception_handler(AssistantError)
    async def assistant_error(request: Request, exc: AssistantError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        code, message = STATUS_CODES.get(exc.status_code, "error"), str(exc.detail)
        # The router's own 404 and 405 carry only the reason phrase; say what was asked for instead.
        if exc.status_code == 404 and message == "Not Found":
            message = f"no route {request.method} {request.url.path}"
        elif exc.status_code == 405 and message == "Method Not Allowed":
            message = f"{request.method} is not allowed on {request.url.path}"
        return error_response(exc.status_code, code, message, dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        if request.method == "POST" and not _json_media(request.headers.get("content-type")):
            # `curl -d` sends a form: say what to send rather than what the form failed to be
            return error_response(
                415,
                "unsupported_media_type",
                "send the request body as JSON with the header content-type: application/json",
            )
        return error_response(422, "invalid_request", _one_line(exc))

    guard = Depends(_bearer_guard)
    errors: dict[int | str, dict[str, Any]] = {
        s: ERROR_RESPONSES[s] for s in (400, 401, 408, 413, 415, 422, 429, 503)
    }

    @app.get("/healthz", response_model=HealthOut, tags=["health"])
    def healthz() -> dict[str, Any]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/readyz", response_model=ReadyOut, responses={503: ERROR_RESPONSES[503]}, tags=["health"])
    def readyz() -> Any:
        """Readiness: the index is loaded, and the query model loads and embeds a probe question."""
        try:
            status = assistant.check_ready()
        except AssistantError as exc:
            return error_response(503, exc.code, exc.message)
        except Exception:
            logger.exception("readiness check failed")
            return error_response(503, "not_ready", "the index is not loaded")
        return {
            "status": "ready",
            "documents": status["documents"],
            "chunks": status["chunks"],
            "model": status["model"],
        }

    @app.post("/v1/ask", response_model=AnswerOut, responses=errors, dependencies=[guard], tags=["v1"])
    def ask(body: AskRequest) -> dict[str, Any]:
        """Answer a question with the figure that fits it, the sentence it came from and numbered citations."""
        answer = assistant.ask(
            body.question,
            k=body.k,
            filters=body.filters,
            history=body.history,
            min_confidence=body.min_confidence,
        )
        return answer.to_dict()

    @app.post("/v1/search", response_model=SearchOut, responses=errors, dependencies=[guard], tags=["v1"])
    def search(body: SearchRequest) -> dict[str, Any]:
        """The best passages for a query."""
        return assistant.search(body.query, k=body.k, filters=body.filters).to_dict()

    @app.get("/v1/figures", response_model=FiguresOut, responses=errors, dependencies=[guard], tags=["v1"])
    def figures(
        q: Annotated[str, Query(description=f"the topic, at most {MAX_QUESTION_CHARS} characters")],
        k: Annotated[int | None, Query(ge=1, le=MAX_K)] = None,
        where: Annotated[list[str] | None, Query(description="FIELD=PATTERN filters (repeatable)")] = None,
    ) -> dict[str, Any]:
        """Every figure in the passages about a topic, each with its citation."""
        return assistant.figures(q, k=k, filters=where).to_dict()

    @app.get(
        "/v1/documents", response_model=list[DocumentOut], responses=errors, dependencies=[guard], tags=["v1"]
    )
    def documents() -> list[dict[str, Any]]:
        """The indexed documents."""
        return [d.to_dict() for d in assistant.documents()]

    app.add_middleware(CatchAll)
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES, timeout=settings.request_timeout)
    # keys and rate limits for /v1 and /mcp, checked before a body is read
    app.add_middleware(
        ApiGuard,
        keys=settings.api_keys,
        limiter=RateLimiter(settings.rate_limit),
        per_minute=settings.rate_limit,
    )
    # OpenAI's routes and error shape (its middleware outside the limits, so it shapes their errors too)
    add_openai_routes(app, assistant, guard)
    mount_mcp(app, assistant, keys=bool(settings.api_keys))
    if settings.cors_origins:
        from starlette.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    return app


# --- serving ---------------------------------------------------------------------------------------


def create_app_from_env() -> FastAPI:
    """The app for one worker process: settings from the environment, its own Assistant."""
    from assistant.assistant import Assistant
    from assistant.interfaces.http.protocol import HeadTimeoutProtocol

    settings = Settings.from_env()
    HeadTimeoutProtocol.head_timeout = settings.request_timeout  # this worker's connections
    hide_query_strings()
    return create_app(Assistant.open(settings=settings), settings)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    err: TextIO = sys.stderr,
) -> int:
    """Open the index and serve the API until interrupted; with workers > 1 each worker opens its own copy."""
    import os

    import uvicorn

    from assistant.assistant import Assistant
    from assistant.interfaces.http.ports import check_port
    from assistant.interfaces.http.protocol import HeadTimeoutProtocol

    check_port(host, port)  # before loading the model: a busy port is one line, not a traceback later
    assistant = Assistant.open(settings=settings)  # fails here, with its message, when the index is missing
    hide_query_strings()
    if not settings.api_keys and not is_loopback(host):
        print(
            f"warning: serving on {host} without API keys: anyone who can reach this port can query "
            "the documents; set ASSISTANT_API_KEYS",
            file=err,
        )
    if workers > 1:
        del assistant  # each worker process opens the index itself
        os.environ.update(settings.to_env())
        uvicorn.run(
            "assistant.interfaces.http.app:create_app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            http=HeadTimeoutProtocol,
        )
    else:
        HeadTimeoutProtocol.head_timeout = settings.request_timeout
        uvicorn.run(create_app(assistant, settings), host=host, port=port, http=HeadTimeoutProtocol)
    return 0
