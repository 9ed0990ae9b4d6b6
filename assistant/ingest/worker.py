"""Parse corpus files in a worker process held to a time and a memory limit, so one file cannot stall a build.

A file whose parse runs past `parse_timeout` seconds gets its worker killed (a new one starts for the next
file); a parse that needs more than `parse_memory_mb` of address space fails inside the worker with a
MemoryError. Either way the file is skipped and named, and the build goes on. The workers are forked from a
small server process (multiprocessing's "forkserver"), never from the build process, which may hold a model
and threads.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import UnreadableDocument
from assistant.ingest.document import Document, SourceFile
from assistant.ingest.limits import MB, IngestLimits

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

# Loads one scanned file into Documents, or raises UnreadableDocument with the reason.
SourceLoader = Callable[[SourceFile], list[Document]]


def _serve(conn: Connection, memory_mb: int) -> None:
    """The worker's loop: parse each file it is sent, reply with its documents or why it was skipped."""
    import resource

    from assistant.ingest.loaders import load_file

    if memory_mb > 0:
        limit = memory_mb * MB
        with contextlib.suppress(ValueError, OSError):  # a hard limit below ours: keep the hard one
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        path, rel, root, inode, limits = request
        reply: tuple[str, Any]
        try:
            reply = ("ok", load_file(path, rel, root=root, expect=inode, limits=limits))
        except UnreadableDocument as exc:
            reply = ("skip", exc.message)
        except MemoryError:
            reply = ("skip", "ran out of memory while parsing (limit: parse_memory_mb)")
        except Exception as exc:  # a reader's bug must not end the worker: the file is skipped and named
            reply = ("skip", f"could not be parsed ({type(exc).__name__})")
        try:
            conn.send(reply)
        except MemoryError:
            conn.send(("skip", "ran out of memory while parsing (limit: parse_memory_mb)"))


class ParseWorker:
    """One worker process, started on first use and again after it is killed."""

    def __init__(self, limits: IngestLimits, root: Path) -> None:
        self.limits = replace(limits, isolate=False)  # what the worker applies to each file itself
        self.root = root
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None

    def _start(self) -> Connection:
        import multiprocessing  # imported here: only isolated builds start processes

        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["assistant.ingest.loaders"])
        parent, child = ctx.Pipe()
        process = ctx.Process(target=_serve, args=(child, self.limits.parse_memory_mb), daemon=True)
        process.start()
        child.close()
        self._process, self._conn = process, parent
        return parent

    def load(self, source: SourceFile) -> list[Document]:
        """The file's documents, parsed in the worker; UnreadableDocument when it broke a limit or failed."""
        request = (source.path, source.rel, self.root, source.inode, self.limits)
        conn = self._conn or self._start()
        try:
            conn.send(request)
        except OSError:  # the idle worker is gone (killed from outside): start another, once
            self.close()
            conn = self._start()
            conn.send(request)
        timeout = self.limits.parse_timeout
        if not conn.poll(timeout if timeout > 0 else None):
            self.close()
            raise UnreadableDocument(f"took longer than {timeout:g} s to parse (limit: parse_timeout)")
        try:
            status, value = conn.recv()
        except (EOFError, OSError, MemoryError):
            self.close()
            raise UnreadableDocument("the parser process died (out of memory?)") from None
        if status != "ok":
            raise UnreadableDocument(value)
        return list(value)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()
            self._process.join(5)
        self._process, self._conn = None, None


@contextlib.contextmanager
def source_loader(limits: IngestLimits, root: Path) -> Iterator[SourceLoader]:
    """A loader for the scanned files of root: in a worker process when limits.isolate, else in this one."""
    from assistant.ingest import loaders  # looked up when called, so tests can stand in for a reader

    if not limits.isolate:
        yield lambda source: loaders.load_file(
            source.path, source.rel, root=root, expect=source.inode, limits=limits
        )
        return
    worker = ParseWorker(limits, root)
    try:
        yield worker.load
    finally:
        worker.close()
