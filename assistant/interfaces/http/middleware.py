"""HTTP limits as ASGI middleware and helpers: request body size and time, rate limits per client, a catch-all 500."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable

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
