"""HTTP limits as ASGI middleware and helpers: request body size and time, rate limits per client, a catch-all 500."""

from __future__ import annotations

import asyncio
import hmac
import logging
import math
import threading
import time
from collections.abc import Callable, Sequence
from urllib.parse import parse_qsl

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.limits import REQUEST_TIMEOUT

logger = logging.getLogger("assistant.interfaces.http.app")

MAX_BODY_BYTES = 64 * 1024
WINDOW_SECONDS = 60.0


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


class RateLimiter:
    """A token bucket per client: `per_minute` requests a minute, in bursts of up to that many. Thread-safe."""

    def __init__(
        self, per_minute: int, *, clock: Callable[[], float] = time.monotonic, max_clients: int = 10_000
    ) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / WINDOW_SECONDS
        self.clock = clock
        self.max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, when counted)
        self._lock = threading.Lock()

    def acquire(self, client: str) -> float:
        """0 when the client may go ahead (and one token is spent), else the seconds until it may retry."""
        if self.capacity <= 0:
            return 0.0
        now = self.clock()
        with self._lock:
            tokens, then = self._buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - then) * self.rate)
            if len(self._buckets) >= self.max_clients and client not in self._buckets:
                self._forget_idle(now)
            if tokens >= 1.0:
                self._buckets[client] = (tokens - 1.0, now)
                return 0.0
            self._buckets[client] = (tokens, now)
            return (1.0 - tokens) / self.rate

    def _forget_idle(self, now: float) -> None:
        # A bucket untouched for a whole window is full again: forgetting it changes nothing.
        for client, (_, then) in list(self._buckets.items()):
            if now - then >= WINDOW_SECONDS:
                del self._buckets[client]


# Query parameters that look like a credential: refused, so that no key ever travels in a URL (and its logs).
KEY_PARAMETERS = frozenset({"api_key", "apikey", "key", "token", "access_token"})


class ApiGuard:
    """Every /v1 and /mcp request: the API key (when keys are set), then the rate limit, before its body is read.

    Checked here rather than in a route dependency, which runs only after the body has been read and
    parsed: a client without a key got 422 for invalid JSON instead of 401, and was never rate-limited.
    """

    def __init__(self, app: ASGIApp, keys: Sequence[str], limiter: RateLimiter, per_minute: int) -> None:
        self.app = app
        self.keys = [key.encode() for key in keys]
        self.limiter = limiter
        self.per_minute = per_minute

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or not (
            path.startswith("/v1/") or path == "/mcp" or path.startswith("/mcp/")
        ):
            await self.app(scope, receive, send)
            return
        refusal = self.refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def refusal(self, scope: Scope) -> JSONResponse | None:
        client = scope.get("client")
        address = f"ip:{client[0] if client else 'unknown'}"
        query = scope.get("query_string", b"").decode("latin-1")
        if any(name.lower() in KEY_PARAMETERS for name, _ in parse_qsl(query, keep_blank_values=True)):
            # refused whether or not it is valid: a key in a URL ends up in logs and browser histories
            return self.limit(address) or error_response(
                401,
                "unauthorized",
                "send the API key in the Authorization header (Bearer KEY), never in the URL",
                {"WWW-Authenticate": "Bearer"},
            )
        if not self.keys:
            return self.limit(address)
        header = dict(scope["headers"]).get(b"authorization", b"")
        scheme, _, given = header.partition(b" ")
        given = given.strip() if scheme.lower() == b"bearer" else b""
        # Compare against every key, without stopping early, so timing tells nothing about which matched.
        matches = [hmac.compare_digest(given, key) for key in self.keys]
        if not given or not any(matches):
            return self.limit(address) or error_response(  # guessing keys counts against the guesser
                401,
                "unauthorized",
                "a valid API key is required: Authorization: Bearer KEY",
                {"WWW-Authenticate": "Bearer"},
            )
        return self.limit(f"key:{matches.index(True)}")

    def limit(self, client: str) -> JSONResponse | None:
        wait = self.limiter.acquire(client)
        if wait <= 0:
            return None
        return error_response(
            429,
            "rate_limited",
            f"more than {self.per_minute} requests a minute; retry later",
            {"Retry-After": str(max(1, math.ceil(wait)))},
        )


class HideQueryStrings(logging.Filter):
    """Drop the query string of /v1 requests from uvicorn's access log lines: questions and filters stay
    out of the logs, and so would a key sent as ?api_key= (which ApiGuard refuses anyway)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path, sep, _ = args[2].partition("?")
            if sep and path.startswith("/v1/"):
                record.args = (*args[:2], path, *args[3:])
        return True


def hide_query_strings() -> None:
    """Install HideQueryStrings on uvicorn's access log (once)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, HideQueryStrings) for f in access.filters):
        access.addFilter(HideQueryStrings())


class BodyLimit:
    """Read the request body here, holding it to two limits before the app sees it.

    413 for a body over `limit` bytes, declared by Content-Length or streamed in chunks; 408 when the whole
    body has not arrived `timeout` seconds after its head (a client that stalls or trickles a byte at a
    time). Either way the connection is closed, and the app, which gets the body in one message, never waits.
    """

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES, timeout: float = REQUEST_TIMEOUT) -> None:
        self.app = app
        self.limit = limit
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await self.too_large()(scope, receive, send)
            return
        parts: list[bytes] = []
        size = 0
        deadline = asyncio.get_running_loop().time() + self.timeout
        while True:
            try:
                message = await asyncio.wait_for(receive(), deadline - asyncio.get_running_loop().time())
            except asyncio.TimeoutError:  # not yet the built-in TimeoutError on Python 3.10
                await self.too_slow()(scope, receive, send)
                return
            if message["type"] != "http.request":
                return  # the client went away
            parts.append(message.get("body", b""))
            size += len(parts[-1])
            if size > self.limit:
                await self.too_large()(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        pending: Message | None = {"type": "http.request", "body": b"".join(parts), "more_body": False}

        async def replay() -> Message:
            nonlocal pending
            if pending is None:
                return await receive()
            message, pending = pending, None
            return message

        await self.app(scope, replay, send)

    def too_large(self) -> JSONResponse:
        return error_response(413, "payload_too_large", f"the request body is over {self.limit} bytes")

    def too_slow(self) -> JSONResponse:
        message = f"the request body did not arrive within {self.timeout:g} seconds"
        return error_response(408, "request_timeout", message, {"connection": "close"})


class CatchAll:
    """Turn any unexpected exception into a 500 in the one error shape; the traceback goes to the log only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            logger.exception("unexpected error in %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            await error_response(500, "internal_error", "internal error; the server log has the details")(
                scope, receive, send
            )
