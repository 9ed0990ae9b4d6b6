"""POST /v1/chat/completions (plain and streamed) against POST /v1/ask on one server, side by side in one run.

    python -m bench.chat_completions --index DIR [--questions FILE] [--latency 300] [--clients 1,4]
                                     [--rounds 12] [--per-phase 30]

DIR is a built index (`python cli.py index` builds index/ from corpus/). The questions are FILE's lines, or
by default a set about the repository's corpus (any question works: the routes do the same retrieval
whatever it finds). The server is `python cli.py serve --index DIR` in a subprocess on 127.0.0.1, with
ASSISTANT_RATE_LIMIT set high so the limiter never answers 429. Three sections:

    in process  the median time of each route's own work once the answer is there: /v1/ask's
                to_dict, validation through AnswerOut and JSON; the completion's JSON; the stream's
                chunks. Then the mean time of Assistant.ask itself, for scale.

    latency     one client on a keep-alive connection sends each question to the three routes in turn
                (ask, chat, chat streamed; who goes first rotates), --latency questions in all, so that
                the routes share the machine's noise request by request. Prints p50/p99 per route and
                the median of the paired differences to /v1/ask (the wrapper's cost, which the noise
                of a loaded machine would hide in a difference of medians).
    throughput  for each number of concurrent clients, alternating phases (ask, chat, chat streamed,
                ask, ...) for --rounds rounds; each phase sends --per-phase requests. requests/s is a
                route's requests over the wall time of its phases; against ask, the median over the
                rounds of each phase's rate against the ask phase of its round.

Latency is from sending the request to the last byte read (for a stream, `data: [DONE]`). The exit status
is 1 when any request failed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import percentile
from bench.load import HIGH_RATE_LIMIT, load_average, start_server

MODEL = "figure-assistant"
QUESTIONS = [
    "How large was China's digital economy in 2021?",
    "What share of GDP did the digital economy account for in 2021?",
    "What was China's data output in 2021?",
    "How fast did the digital economy grow?",
    "How many 5G base stations does China have?",
    "What was the unemployment rate in China in 2022?",
    "How many years did the transformation of Binjiang Factory take?",
    "How many dilemmas do MSMEs face on the path towards digitalization?",
    "What is the boiling point of mercury?",
    "How many online delivery workers are there in China?",
]
ROUTES = ("ask", "chat", "chat stream")


def request(route: str, question: str) -> tuple[str, dict[str, Any]]:
    """The path and JSON body of one request to `route`."""
    if route == "ask":
        return "/v1/ask", {"question": question}
    body: dict[str, Any] = {"model": MODEL, "messages": [{"role": "user", "content": question}]}
    if route == "chat stream":
        body["stream"] = True
    return "/v1/chat/completions", body


@dataclass
class RouteResult:
    latencies_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0  # wall time of this route's phases
    errors: Counter[str] = field(default_factory=Counter)
    phase_rates: list[float] = field(default_factory=list)  # requests/s of each phase, round by round

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0


def run_phase(
    url: str, route: str, questions: Sequence[str], *, clients: int, requests: int, start: int
) -> RouteResult:
    """`clients` threads send `requests` requests to `route` between them; the phase's wall time and latencies."""
    import httpx

    lock = threading.Lock()
    sent = 0
    result = RouteResult()
    begin = threading.Barrier(clients + 1)

    def take() -> int | None:
        nonlocal sent
        with lock:
            if sent >= requests:
                return None
            sent += 1
            return sent - 1

    def loop(client: httpx.Client) -> None:
        latencies: list[float] = []
        errors: Counter[str] = Counter()
        begin.wait()
        while (n := take()) is not None:
            path, body = request(route, questions[(start + n) % len(questions)])
            started = time.perf_counter()
            try:
                response = client.post(url + path, json=body)
                text = response.read()
                ok = response.status_code == 200 and (
                    route != "chat stream" or text.endswith(b"data: [DONE]\n\n")
                )
                if ok:
                    latencies.append((time.perf_counter() - started) * 1000.0)
                else:
                    errors[f"HTTP {response.status_code}"] += 1
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] += 1
        with lock:
            result.latencies_ms.extend(latencies)
            result.errors.update(errors)

    connections = [httpx.Client(trust_env=False, timeout=60.0) for _ in range(clients)]
    threads = [threading.Thread(target=loop, args=(c,), daemon=True) for c in connections]
    try:
        for thread in threads:
            thread.start()
        begin.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        result.seconds = time.perf_counter() - started
    finally:
        for c in connections:
            c.close()
    return result


def measure(
    url: str, questions: Sequence[str], *, clients: int, rounds: int, per_phase: int
) -> dict[str, RouteResult]:
    """The three routes in alternating phases; each route's results merged over the rounds."""
    merged = {route: RouteResult() for route in ROUTES}
    for r in range(rounds):
        order = ROUTES[r % 3 :] + ROUTES[: r % 3]  # who goes first rotates
        for route in order:
            phase = run_phase(url, route, questions, clients=clients, requests=per_phase, start=r * per_phase)
            merged[route].latencies_ms.extend(phase.latencies_ms)
            merged[route].seconds += phase.seconds
            merged[route].errors.update(phase.errors)
            merged[route].phase_rates.append(phase.throughput)
    return merged


def send(client: Any, url: str, route: str, question: str) -> float | None:
    """One request; its latency in ms, or None when it failed."""
    import httpx

    path, body = request(route, question)
    started = time.perf_counter()
    try:
        response = client.post(url + path, json=body)
        text = response.read()
    except httpx.HTTPError:
        return None
    if response.status_code != 200 or (route == "chat stream" and not text.endswith(b"data: [DONE]\n\n")):
        return None
    return (time.perf_counter() - started) * 1000.0


def paired_latency(
    url: str, questions: Sequence[str], *, count: int
) -> tuple[dict[str, RouteResult], dict[str, list[float]]]:
    """Each question to every route in turn on one connection: latencies per route, and per route the
    differences to /v1/ask for the same question at the same moment."""
    import httpx

    results = {route: RouteResult() for route in ROUTES}
    differences: dict[str, list[float]] = {route: [] for route in ROUTES[1:]}
    with httpx.Client(trust_env=False, timeout=60.0) as client:
        for n in range(count):
            question = questions[n % len(questions)]
            order = ROUTES[n % 3 :] + ROUTES[: n % 3]
            took = {route: send(client, url, route, question) for route in order}
            for route, ms in took.items():
                if ms is None:
                    results[route].errors["failed"] += 1
                else:
                    results[route].latencies_ms.append(ms)
            for route in differences:
                ask_ms, route_ms = took["ask"], took[route]
                if ask_ms is not None and route_ms is not None:
                    differences[route].append(route_ms - ask_ms)
    return results, differences


def rendering_costs(index: Path, questions: Sequence[str], *, repeat: int = 200) -> dict[str, float]:
    """In process, median ms per answer of each route's own work after `ask`: what the wrapper adds."""
    import json

    from pydantic import TypeAdapter

    from assistant.assistant import Assistant
    from assistant.config import Settings
    from assistant.interfaces.http.openai_compat import chunks, completion
    from assistant.schema import AnswerOut

    assistant = Assistant.open(index, settings=Settings.from_env())
    answers = [assistant.ask(q) for q in questions]
    shape = TypeAdapter(AnswerOut)  # what FastAPI does with /v1/ask's response
    steps = {
        "ask: to_dict, AnswerOut, JSON": lambda a: shape.dump_json(shape.validate_python(a.to_dict())),
        "chat: completion JSON": lambda a: json.dumps(completion(a)),
        "chat stream: chunks JSON": lambda a: [json.dumps(c) for c in chunks(a)],
    }
    costs = {}
    for name, step in steps.items():
        times = []
        for _ in range(repeat):
            for answer in answers:
                started = time.perf_counter()
                step(answer)
                times.append((time.perf_counter() - started) * 1000.0)
        costs[name] = percentile(times, 50)
    started = time.perf_counter()
    for q in questions:
        assistant.ask(q)
    costs["the question itself: Assistant.ask"] = (time.perf_counter() - started) * 1000.0 / len(questions)
    return costs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True, help="a built index directory")
    parser.add_argument("--questions", type=Path, help="a file with one question per line")
    parser.add_argument(
        "--latency", type=int, default=300, help="questions of the latency section (default 300)"
    )
    parser.add_argument("--clients", default="1,4", help="concurrent clients, comma-separated (default 1,4)")
    parser.add_argument("--rounds", type=int, default=12, help="rounds of the three phases (default 12)")
    parser.add_argument("--per-phase", type=int, default=30, help="requests per phase (default 30)")
    parser.add_argument(
        "--warmup", type=int, default=10, help="requests per route before the run, not counted"
    )
    args = parser.parse_args(argv)

    questions = QUESTIONS
    if args.questions:
        questions = [q.strip() for q in args.questions.read_text().splitlines() if q.strip()]
        if not questions:
            raise SystemExit(f"no questions in {args.questions}")
    levels = [int(c) for c in args.clients.split(",")]
    print(f"load average at start: {load_average()}")
    failed = 0
    print("in process, each route's work after the answer (median ms per answer)")
    for name, ms in rendering_costs(args.index, questions).items():
        print(f"  {name:<36} {ms:>7.3f}")
    with tempfile.TemporaryDirectory(prefix="chat-bench-") as tmp:
        server = start_server(args.index, Path(tmp))
        try:
            print(
                f"server: cli.py serve --index {args.index}, 1 worker, ready in {server.started_in:.1f} s; "
                f"{len(questions)} questions; ASSISTANT_RATE_LIMIT={HIGH_RATE_LIMIT}"
            )
            for route in ROUTES:
                run_phase(server.url, route, questions, clients=1, requests=args.warmup, start=0)
            results, differences = paired_latency(server.url, questions, count=args.latency)
            print(
                f"latency, one client, each question to the three routes in turn ({args.latency} questions)"
            )
            print(f"{'route':<12} {'p50 ms':>8} {'p99 ms':>8}  {'paired difference to ask: median':>32}")
            base = percentile(results["ask"].latencies_ms, 50)
            for route, result in results.items():
                extra = ""
                if route in differences:
                    median = percentile(differences[route], 50)
                    extra = f"{median:+.2f} ms ({median / base * 100:+.1f}% of ask p50)"
                print(
                    f"{route:<12} {percentile(result.latencies_ms, 50):>8.2f} "
                    f"{percentile(result.latencies_ms, 99):>8.2f}  {extra:>32}"
                )
                failed += sum(result.errors.values())
            print()
            print("throughput, alternating phases per route")
            print(
                f"{'clients':>7}  {'route':<12} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}  req/s vs ask, median of rounds"
            )
            for clients in levels:
                results = measure(
                    server.url, questions, clients=clients, rounds=args.rounds, per_phase=args.per_phase
                )
                asks = results["ask"].phase_rates
                for route, result in results.items():
                    # each round's phase against the ask phase of the same round: bursts of other load
                    # between rounds cancel out, which the totals' ratio would not do
                    ratios = [
                        rate / ask - 1 for rate, ask in zip(result.phase_rates, asks, strict=True) if ask > 0
                    ]
                    versus = "" if route == "ask" else f"{percentile(ratios, 50) * 100:+.1f}%"
                    print(
                        f"{clients:>7}  {route:<12} {len(result.latencies_ms):>8} {result.throughput:>8.1f} "
                        f"{percentile(result.latencies_ms, 50):>8.2f} {percentile(result.latencies_ms, 99):>8.2f}"
                        f"  {versus:>10}"
                    )
                    if result.errors:
                        failed += sum(result.errors.values())
                        print(f"{'':>7}  errors: {dict(result.errors)}")
        finally:
            server.stop()
    print(f"load average at end: {load_average()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
