"""Check that the server can listen where it is asked to, before the model and index are loaded."""

from __future__ import annotations

import errno
import socket

from assistant.errors import PortUnavailable


def check_port(host: str, port: int) -> None:
    """Raise PortUnavailable, with what to do, when host:port cannot be listened on; else return."""
    if not 1 <= port <= 65535:
        raise PortUnavailable(f"invalid port {port}: choose a number from 1 to 65535 with --port")
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError):
        raise PortUnavailable(
            f"cannot serve on {host}: not a known host name or address (see --host)"
        ) from None
    family, kind, proto, _, address = infos[0]
    probe = socket.socket(family, kind, proto)
    try:
        # as uvicorn binds: SO_REUSEADDR lets a port in TIME_WAIT be reused, not one another program listens on
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(address)
        probe.listen(1)
    except OSError as exc:
        raise PortUnavailable(_why(exc, host, port)) from None
    finally:
        probe.close()


def _why(exc: OSError, host: str, port: int) -> str:
    if exc.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is already in use by another program; stop it or choose another --port"
    if exc.errno == errno.EACCES:
        return f"port {port} needs administrator rights; choose one above 1023 with --port"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"cannot serve on {host}: not an address of this machine (see --host)"
    return f"cannot listen on {host}:{port} ({exc.strerror or exc})"
