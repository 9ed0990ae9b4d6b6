"""Bounded load test of POST /v1/ask on loopback: concurrent clients against a real server in a subprocess.

    python -m bench.load DATA_DIR --index DIR [--clients 16] [--seconds 60] [--max-requests 100000]

DATA_DIR is a BEIR-format directory: its queries (queries_<split>.jsonl, SciFact's claims) are the
questions, asked round-robin. DIR is an index built beforehand (python -m bench.perf DATA_DIR --index DIR
builds and caches one). The server is `python cli.py serve --index DIR --port P` in a subprocess, bound to
127.0.0.1 only, with ASSISTANT_RATE_LIMIT set high so that the rate limiter never answers 429. Each client
is a thread with its own keep-alive connection; its loop ends at the deadline or when the shared request
budget is spent, whichever comes first. The server's resident memory is read from /proc/PID/status every
--sample seconds. The server is stopped at the end; the exit status is 1 when any request failed (a status
other than 200, or an exception such as a timeout or a refused connection).

With --attack the clean run is followed by the same run under attack, and the two are printed side by
side: --attackers more clients send requests built to be expensive (glob filters of 60,000 "[", through
/v1/search, /v1/ask and GET /v1/figures?where=; unauthenticated garbage), and meanwhile `cli.py index`
builds a scratch index from a corpus of bombs (a .docx that inflates to 400 MB, 80,000 nested <div>, a
100 MB line without spaces, a PDF of 5,000 pages, a 100 MB JSONL line), which must skip each one by its
limit. The attackers' own requests are counted apart: they must all be refused (400).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import load_queries, percentile, read_status_kib

ROOT = Path(__file__).resolve().parent.parent
HIGH_RATE_LIMIT = 1_000_000  # requests a minute per client address: far above what loopback can reach


# --- the server ----------------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now (the server binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A `cli.py serve` subprocess on 127.0.0.1; its output goes to a log file, not a pipe that could fill."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path
    started_in: float = 0.0  # seconds from spawn to the first successful /readyz

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_kib(self) -> int | None:
        return read_status_kib(self.pid, "VmRSS")

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 15.0) -> int | None:
        """Ask the server to shut down (SIGTERM: uvicorn finishes in-flight requests), kill it if it hangs."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        return self.process.returncode


def start_server(
    index_dir: Path,
    log_dir: Path,
    *,
    env: dict[str, str] | None = None,
    rate_limit: int = HIGH_RATE_LIMIT,
    timeout: float = 180.0,
) -> Server:
    """Start `python cli.py serve --index DIR --port P` on loopback and wait until /readyz answers 200."""
    import httpx

    port = free_port()
    environment = dict(os.environ)
    environment.update(env or {})
    environment["ASSISTANT_RATE_LIMIT"] = str(rate_limit)
    log = log_dir / f"server-{port}.log"
    command = [sys.executable, str(ROOT / "cli.py"), "serve", "--index", str(index_dir)]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    started = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdin=subprocess.DEVNULL, stdout=out, stderr=out
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + timeout
    with httpx.Client(trust_env=False, timeout=5.0) as client:
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"the server exited with status {process.returncode}:\n{server.log_tail()}"
                )
            try:
                if client.get(server.url + "/readyz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(
                    f"the server did not become ready in {timeout:.0f} s:\n{server.log_tail()}"
                )
            time.sleep(0.1)
    server.started_in = time.perf_counter() - started
    return server


# --- the clients ---------------------------------------------------------------------------------------


@dataclass
class LoadResult:
    """Every request's latency and outcome, over one bounded run of concurrent clients."""

    clients: int
    seconds: float  # wall time from the first request sent to the last answer received
    latencies_ms: list[float] = field(default_factory=list)  # successful requests only
    errors: Counter[str] = field(default_factory=Counter)  # "HTTP 503", "ReadTimeout", ...

    @property
    def requests(self) -> int:
        return len(self.latencies_ms) + sum(self.errors.values())

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds > 0 else 0.0

    def p(self, q: float) -> float:
        return percentile(self.latencies_ms, q)


def run_clients(
    url: str,
    questions: Sequence[str],
    *,
    clients: int,
    seconds: float,
    max_requests: int,
    path: str = "/v1/ask",
    timeout: float = 60.0,
) -> LoadResult:
    """`clients` threads POST questions round-robin until `seconds` pass or `max_requests` have been sent."""
    import httpx

    lock = threading.Lock()
    sent = 0
    result = LoadResult(clients, 0.0)
    begin = threading.Barrier(clients + 1)
    deadline = 0.0

    def take() -> int | None:
        nonlocal sent
        with lock:
            if sent >= max_requests or time.monotonic() >= deadline:
                return None
            sent += 1
            return sent - 1

    def client_loop() -> None:
        latencies: list[float] = []
        errors: Counter[str] = Counter()
        with httpx.Client(trust_env=False, timeout=timeout) as client:
            begin.wait()
            while (n := take()) is not None:
                body = {"question": questions[n % len(questions)]}
                started = time.perf_counter()
                try:
                    response = client.post(url + path, json=body)
                    response.read()
                    if response.status_code == 200:
                        latencies.append((time.perf_counter() - started) * 1000.0)
                    else:
                        errors[f"HTTP {response.status_code}"] += 1
                except httpx.HTTPError as exc:
                    errors[type(exc).__name__] += 1
        with lock:
            result.latencies_ms.extend(latencies)
            result.errors.update(errors)

    threads = [threading.Thread(target=client_loop, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + seconds
    started = time.perf_counter()
    begin.wait()
    for thread in threads:
        thread.join(seconds + timeout + 10.0)
    result.seconds = time.perf_counter() - started
    return result


class MemorySampler:
    """Samples a process's resident memory every `every` seconds in a thread: (seconds since start, KiB)."""

    def __init__(self, pid: int, every: float) -> None:
        self.pid = pid
        self.every = every
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._started = 0.0

    def _sample(self) -> None:
        kib = read_status_kib(self.pid, "VmRSS")
        if kib is not None:
            self.samples.append((time.perf_counter() - self._started, kib))

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self._sample()

    def __enter__(self) -> MemorySampler:
        self._started = time.perf_counter()
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


@dataclass(frozen=True, slots=True)
class MemoryTrend:
    first_mib: float
    last_mib: float
    max_mib: float
    mid_mib: float  # the sample nearest the middle of the run
    samples: int

    @property
    def second_half_growth_mib(self) -> float:
        return self.last_mib - self.mid_mib

    @property
    def stable(self) -> bool:
        """Stable: the second half of the run grows resident memory by at most 5% (or 8 MiB, if more)."""
        return self.second_half_growth_mib <= max(8.0, 0.05 * self.mid_mib)


def memory_trend(samples: Sequence[tuple[float, int]]) -> MemoryTrend:
    if not samples:
        return MemoryTrend(0.0, 0.0, 0.0, 0.0, 0)
    end = samples[-1][0]
    mid = min(samples, key=lambda s: abs(s[0] - end / 2))
    mib = [kib / 1024 for _, kib in samples]
    return MemoryTrend(mib[0], mib[-1], max(mib), mid[1] / 1024, len(samples))


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (1/5/15 min, {os.cpu_count()} cores)"


# --- the attack ----------------------------------------------------------------------------------------


def write_ordinary(corpus: Path) -> None:
    corpus.mkdir(parents=True, exist_ok=True)
    (corpus / "ordinary.txt").write_text("Ordinary\n\nThe harbour handled 12 million containers.")


def write_bombs(corpus: Path) -> list[str]:
    """A corpus of files built to exhaust memory or time, and one ordinary file; returns their names."""
    import zipfile

    from tests.helpers import make_docx, make_pdf  # real files of each type, written by hand

    write_ordinary(corpus)
    docx = make_docx(corpus / "bomb.docx", ["A small report."])
    with zipfile.ZipFile(docx) as src:
        members = {info.filename: src.read(info) for info in src.infolist()}
    head, sep, rest = members["word/document.xml"].partition(b"?>")
    members["word/document.xml"] = head + sep + b"<!--" + b"0" * (400 << 20) + b"-->" + rest
    with zipfile.ZipFile(docx, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(name, data)
    (corpus / "deep.html").write_text("<html><body>" + "<div>" * 80_000 + "x" + "</div>" * 80_000)
    with (corpus / "nospaces.txt").open("w") as handle:
        for _ in range(100):
            handle.write("A" * (1 << 20))
    make_pdf(corpus / "pages.pdf", ["page"] * 5_000)
    with (corpus / "line.jsonl").open("w") as handle:
        handle.write('{"_id": "x", "text": "' + "word " * (20 << 20) + '"}\n')
    return sorted(p.name for p in corpus.iterdir())


BAD_PATTERN = "[" * 60_000


def attacker_requests(url: str) -> list[tuple[str, str, dict[str, object]]]:
    """(method, url, httpx keyword arguments) of each kind of hostile request, sent in turn. Bodies are
    encoded once here: the attackers share the load clients' process, and must not slow them down in it."""
    import json

    def body(payload: dict[str, object]) -> dict[str, object]:
        return {"content": json.dumps(payload).encode(), "headers": {"Content-Type": "application/json"}}

    return [
        ("POST", url + "/v1/search", body({"query": "cells", "filters": {"source": BAD_PATTERN}})),
        ("POST", url + "/v1/ask", body({"question": "cells?", "filters": {"title": BAD_PATTERN}})),
        ("GET", url + "/v1/figures", {"params": {"q": "cells", "where": "source=" + BAD_PATTERN[:4000]}}),
        ("POST", url + "/v1/ask", {"content": b"{not json", "headers": {"Content-Type": "application/json"}}),
    ]


@dataclass
class Attack:
    """Attacker threads and a hostile index build, running until stopped."""

    url: str
    attackers: int
    index_log: Path
    statuses: Counter[str] = field(default_factory=Counter)
    index_seconds: float = 0.0
    index_status: int | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def _attack(self) -> None:
        import httpx

        kinds = attacker_requests(self.url)
        seen: Counter[str] = Counter()
        with httpx.Client(trust_env=False, timeout=60.0) as client:
            n = 0
            while not self._stop.is_set():
                method, target, kwargs = kinds[n % len(kinds)]
                n += 1
                try:
                    seen[f"HTTP {client.request(method, target, **kwargs).status_code}"] += 1  # type: ignore[arg-type]
                except httpx.HTTPError as exc:
                    seen[type(exc).__name__] += 1
        self.statuses.update(seen)

    def _index(self, corpus: Path, index: Path) -> None:
        command = [
            sys.executable,
            str(ROOT / "cli.py"),
            "index",
            "--corpus",
            str(corpus),
            "--index",
            str(index),
        ]
        environment = dict(os.environ, ASSISTANT_QUERY_BACKEND="torch")  # no export: the bombs are the point
        started = time.perf_counter()
        with self.index_log.open("wb") as out:
            self.index_status = subprocess.run(
                command, cwd=ROOT, env=environment, stdout=out, stderr=out
            ).returncode
        self.index_seconds = time.perf_counter() - started

    def start(self, corpus: Path, index: Path) -> None:
        self._threads = [threading.Thread(target=self._index, args=(corpus, index), daemon=True)]
        self._threads += [threading.Thread(target=self._attack, daemon=True) for _ in range(self.attackers)]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(600)


def merge(a: LoadResult, b: LoadResult) -> LoadResult:
    """Two runs as one: their requests pooled, their wall times added."""
    return LoadResult(a.clients, a.seconds + b.seconds, a.latencies_ms + b.latencies_ms, a.errors + b.errors)


def result_row(label: str, result: LoadResult) -> str:
    peak = max(result.latencies_ms, default=0.0)
    return (
        f"{label:<8} {result.requests:>8} {result.error_count:>6} {result.throughput:>7.1f} {result.p(50):>8.1f} "
        f"{result.p(95):>8.1f} {result.p(99):>8.1f} {peak:>8.1f} {result.seconds:>7.1f}"
    )


# --- the run -------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("data", type=Path, help="BEIR-format directory; its queries are the questions")
    parser.add_argument("--index", type=Path, required=True, help="a built index (see bench/perf.py)")
    parser.add_argument("--split", default="train", help="queries_<split>.jsonl (default train)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the run (default 60)")
    parser.add_argument("--max-requests", type=int, default=100_000, help="request budget of the whole run")
    parser.add_argument("--sample", type=float, default=2.0, help="seconds between RSS samples (default 2)")
    parser.add_argument("--warmup", type=int, default=8, help="requests sent before the run, not counted")
    parser.add_argument("--attack", action="store_true", help="then the same run under attack, side by side")
    parser.add_argument("--attackers", type=int, default=2, help="hostile clients with --attack (default 2)")
    parser.add_argument(
        "--rounds", type=int, default=2, help="clean/attacked pairs with --attack (default 2)"
    )
    args = parser.parse_args(argv)

    questions = list(load_queries(args.data, args.split).values())
    if not questions:
        raise SystemExit(f"no queries in {args.data}")
    print(f"load average at start: {load_average()}")
    with tempfile.TemporaryDirectory(prefix="load-") as tmp:
        server = start_server(args.index, Path(tmp))
        try:
            print(
                f"server: cli.py serve, 1 worker, {server.url} (pid {server.pid}), ready in "
                f"{server.started_in:.1f} s; ASSISTANT_RATE_LIMIT={HIGH_RATE_LIMIT} (the limiter never refuses)"
            )
            warm = run_clients(server.url, questions[::-1], clients=1, seconds=60, max_requests=args.warmup)
            # With --attack both runs index a corpus meanwhile (loading the model costs the same CPU in
            # both): the clean run an ordinary file, the attacked run the same file among the bombs.
            # Rounds alternate clean and attacked runs, so the load of a shared machine falls on both alike.
            background, attack, attacked = None, None, None
            result = LoadResult(args.clients, 0.0)
            if args.attack:
                write_ordinary(Path(tmp) / "ordinary")
                bombs = write_bombs(Path(tmp) / "bombs")
                print(
                    f"attack: {args.attackers} hostile clients; indexing {len(bombs)} files: {', '.join(bombs)}"
                )
            rounds = args.rounds if args.attack else 1
            with MemorySampler(server.pid, args.sample) as sampler:
                for n in range(rounds):
                    if args.attack:
                        background = Attack(server.url, 0, Path(tmp) / f"clean-index-{n}.log")
                        background.start(Path(tmp) / "ordinary", Path(tmp) / f"clean-index-{n}")
                    try:
                        clean = run_clients(
                            server.url,
                            questions,
                            clients=args.clients,
                            seconds=args.seconds,
                            max_requests=args.max_requests,
                        )
                    finally:
                        if background is not None:
                            background.stop()
                    result = merge(result, clean)
                    if not args.attack:
                        break
                    attack = Attack(server.url, args.attackers, Path(tmp) / f"index-{n}.log")
                    attack.start(Path(tmp) / "bombs", Path(tmp) / f"bomb-index-{n}")
                    try:
                        hostile = run_clients(
                            server.url,
                            questions,
                            clients=args.clients,
                            seconds=args.seconds,
                            max_requests=args.max_requests,
                        )
                    finally:
                        attack.stop()
                    attacked = hostile if attacked is None else merge(attacked, hostile)
                    print(
                        f"round {n + 1}: {result_row('clean', clean).strip()} | {result_row('attacked', hostile).strip()}"
                    )
            if attack is not None:
                index_output = attack.index_log.read_text(errors="replace").strip()
        finally:
            status = server.stop()
    trend = memory_trend(sampler.samples)
    print(
        f"{args.clients} clients for up to {args.seconds:.0f} s (at most {args.max_requests} requests), "
        f"POST /v1/ask, {len(questions)} questions round-robin; {args.warmup} warm-up requests not counted"
        + (f" ({warm.error_count} failed)" if warm.error_count else "")
    )
    print()
    print(
        f"{'run':<8} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'max ms':>8} {'wall s':>7}"
    )
    if args.attack:
        print(f"pooled over {args.rounds} rounds of {args.seconds:.0f} s each:")
    print(result_row("clean", result))
    if result.errors:
        print("errors: " + ", ".join(f"{kind} x{n}" for kind, n in result.errors.most_common()))
    if attacked is not None and attack is not None:
        print(result_row("attacked", attacked))
        if attacked.errors:
            print("errors under attack: " + ", ".join(f"{k} x{n}" for k, n in attacked.errors.most_common()))
        print(
            f"under attack: throughput {attacked.throughput / max(result.throughput, 1e-9):.0%} of clean, "
            f"p99 {attacked.p(99) / max(result.p(99), 1e-9):.0%} of clean"
        )
        refused = ", ".join(f"{k} x{n}" for k, n in attack.statuses.most_common())
        print(f"attackers' requests (last round): {sum(attack.statuses.values())} ({refused})")
        if background is not None:
            print(
                f"clean run's index run (the ordinary file alone): exit status {background.index_status} "
                f"in {background.index_seconds:.1f} s"
            )
        print(
            f"hostile index run (last round): exit status {attack.index_status} in {attack.index_seconds:.1f} s"
        )
        for line in index_output.splitlines():
            print(f"  {line}")
        result.errors.update(attacked.errors)
    print()
    print(
        f"server RSS ({trend.samples} samples, every {args.sample:g} s): first {trend.first_mib:.1f} MiB, "
        f"last {trend.last_mib:.1f} MiB, max {trend.max_mib:.1f} MiB; second half "
        f"{trend.second_half_growth_mib:+.1f} MiB ({trend.mid_mib:.1f} -> {trend.last_mib:.1f}): "
        + ("stable" if trend.stable else "GROWING")
    )
    how = f"signal {-status}" if status is not None and status < 0 else f"status {status}"
    print(f"server stopped (SIGTERM; exited with {how})")
    print(f"load average at end: {load_average()}")
    failed = result.error_count + warm.error_count
    print(f"errors: {failed} -> {'PASS' if failed == 0 else 'FAIL'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
