"""The server's HTTP/1.1 connections: uvicorn's h11 protocol with a deadline for each request's head.

uvicorn holds a connection open for as long as its client takes to send the request line and headers:
a client that connects and stalls, or sends a header a byte at a time (slowloris), keeps a socket forever.
Here the head must be complete within `head_timeout` seconds of the connection opening or of the
previous response; otherwise the client gets a 408 in the API's one error shape and the connection closes.
The body has its own deadline (middleware.BodyLimit). A request h11 cannot parse (a garbage request line,
a header name with a space, a negative Content-Length, raw non-ASCII bytes in the target) gets a 400 in
the same JSON shape, not uvicorn's plain text. It also turns Nagle's algorithm off on every connection
(see no_delay). Imported only by the server: it pulls in uvicorn.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from assistant.limits import REQUEST_TIMEOUT


def error_body(code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message}}).encode()


MALFORMED = "malformed HTTP request (the request line or headers could not be parsed)"


def timeout_response(seconds: float) -> bytes:
    """The raw 408 response for a head that did not arrive in time (no request exists to answer through h11)."""
    body = json.dumps(
        {
            "error": {
                "code": "request_timeout",
                "message": f"the request did not arrive within {seconds:g} seconds",
            }
        }
    ).encode()
    head = (
        "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


def no_delay(transport: asyncio.BaseTransport) -> None:
    """Send small writes at once (TCP_NODELAY) on a TCP connection.

    asyncio sets it only on sockets it sees as TCP (protocol IPPROTO_TCP). `serve --workers N` listens on
    a socket uvicorn creates with protocol 0, so its connections kept Nagle's algorithm: a response's
    second write waited for the client's delayed ACK, about 40 ms on every keep-alive request.
    """
    sock = transport.get_extra_info("socket")
    if (
        sock is not None
        and sock.family in (socket.AF_INET, socket.AF_INET6)
        and sock.type == socket.SOCK_STREAM
    ):
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class HeadTimeoutProtocol(H11Protocol):
    """H11Protocol that closes connections whose request head takes longer than `head_timeout` seconds."""

    head_timeout: float = REQUEST_TIMEOUT  # set by the server from Settings.request_timeout

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None
        self._head_bytes = 0  # bytes received towards the next request's head

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        no_delay(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._head_timer is not None:
            self._head_bytes += len(data)
        super().data_received(data)
        if self._waiting_for_head():
            return
        self._disarm()  # the head is in: the body's deadline is the middleware's

    def on_response_complete(self) -> None:
        super().on_response_complete()  # may start a pipelined request at once
        if self._waiting_for_head() and not self.transport.is_closing():
            self._arm()

    def send_400_response(self, msg: str) -> None:
        """The response to a request h11 could not parse: a 400 in the API's error shape, then close."""
        import h11  # uvicorn's own dependency, loaded with it

        body = error_body("bad_request", MALFORMED)
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        try:
            for event in (
                h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
                h11.Data(data=body),
                h11.EndOfMessage(),
            ):
                self.transport.write(self.conn.send(event) or b"")
        except h11.LocalProtocolError:  # a response had already begun: nothing more can be said
            pass
        self.transport.close()

    def _waiting_for_head(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm(self) -> None:
        self._disarm()
        self._head_bytes = 0
        self._head_timer = self.loop.call_later(self.head_timeout, self._expire)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _expire(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or not self._waiting_for_head():
            return
        if self._head_bytes:  # a request was begun: say why it is refused
            self.transport.write(timeout_response(self.head_timeout))
        self.transport.close()
