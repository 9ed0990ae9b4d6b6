"""Performance side by side in one run: indexing, query latency, HTTP throughput, start-up, memory, ONNX quality.

    python -m bench.perf DATA_DIR --index DIR [--limit 1000] [--rounds 2] [--queries 200] [--only SECTIONS]
    e.g. python -m bench.perf path/to/scifact --index path/to/cache/scifact-index

DATA_DIR is a BEIR-format directory (SciFact: corpus.jsonl, queries_<split>.jsonl, qrels/<split>.tsv). DIR
caches the index of the whole corpus: the first run builds it (a few minutes for SciFact) with its ONNX
export, later runs reuse it. Corpora are read from temporary folders outside the project: a hard link to
corpus.jsonl (a copy where linking fails) for the whole corpus, the first --limit documents for the
indexing section. Retrieval and chunking settings come from the environment as in the application.

Sections (--only indexing,query,throughput,startup,memory,quality picks some):

    indexing    chunks/s of build_index from a corpus folder into a fresh index folder (load, chunk, embed,
                BM25, write) against SentenceTransformerEmbedder.embed alone on exactly the texts the
                pipeline embeds, in --rounds rounds that alternate which goes first, by wall time and by
                this process's CPU time, and the share of each pipeline run spent inside embed() (which
                load drifting between runs cannot skew); the time of a re-run with nothing changed; the
                one-time ONNX export.
    query       p50/p99 of Assistant.ask and .search in process for both query backends (onnx, torch), of
                POST /v1/ask over loopback HTTP (the server in a subprocess), and of embedding the question
                alone; every operation runs once per question, in rotating order, so that they share the
                machine's noise, after a --settle pause (both runtimes' threads spin for a while after a
                run). Questions: the first --queries claims.
    throughput  requests/s of POST /v1/ask with 1, 4 and 16 concurrent clients (--requests each), errors.
    startup     `python cli.py --help` and `python cli.py ask Q --index DIR` in new processes (--runs each),
                the latter also with ASSISTANT_QUERY_BACKEND=torch: time to the printed answer.
    memory      peak RSS (VmHWM) of a new process that opens the index and asks --asks questions, per
                backend; index bytes on disk per chunk, and of the ONNX export.
    quality     nDCG@10 (per document, a document ranks by its best chunk, as in bench/beir.py) of hybrid
                search over every judged query, with the onnx and the torch query path.

The HTTP server is `python cli.py serve` (1 worker, 127.0.0.1 only) with ASSISTANT_RATE_LIMIT set high so
that the rate limiter never refuses a request. The machine may be shared: the load average is printed at
the start and the end, and the medians are of interleaved runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from assistant.assistant import Assistant, query_embedder
from assistant.config import Settings
from assistant.embedding.export import EXPORT_DIR, ensure_query_export, export_onnx
from assistant.embedding.model import Embedder, SentenceTransformerEmbedder
from assistant.embedding.onnx import export_is_fresh
from assistant.ingest.chunking import ChunkerSettings, chunk_document
from assistant.ingest.loaders import load_file
from assistant.storage.build import build_with_settings, index_text
from assistant.storage.generations import current_generation, open_index
from bench.beir import DEPTH, ndcg_at_k
from bench.common import load_qrels, load_queries, percentile
from bench.load import (
    HIGH_RATE_LIMIT,
    LoadResult,
    Server,
    load_average,
    run_clients,
    start_server,
)

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ("indexing", "query", "throughput", "startup", "memory", "quality")
CONCURRENCY = (1, 4, 16)
CORPUS_FILE = "corpus.jsonl"

# Targets (issue 6).
PIPELINE_SHARE = 0.85  # pipeline chunks/s at least this share of the embedder's alone
RERUN_SHARE = 0.02  # a re-run with nothing changed within this share of a full build
ASK_OVER_EMBED = 3.0  # in-process ask p50 within this many question embeddings
COLD_ASK_S = 1.5
HELP_S = 0.5
NDCG_GAP = 0.005


def ms(seconds: float) -> float:
    return seconds * 1000.0


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def section(title: str) -> None:
    print(f"\n== {title} " + "=" * max(0, 100 - len(title)), flush=True)


# --- corpora and the cached index ----------------------------------------------------------------------


def corpus_folder(data_dir: Path, tmp: Path, limit: int | None) -> Path:
    """A corpus folder with corpus.jsonl: a hard link to the dataset's (a copy where that fails), or its
    first `limit` documents. The corpus scan does not follow symlinks that lead outside the folder."""
    folder = tmp / (f"corpus-{limit}" if limit else "corpus")
    folder.mkdir(exist_ok=True)
    target = folder / CORPUS_FILE
    if target.exists():
        return folder
    source = data_dir / CORPUS_FILE
    if not limit:
        try:
            os.link(source, target)
        except OSError:  # another file system, or links not allowed
            shutil.copyfile(source, target)
        return folder
    with source.open(encoding="utf-8") as src, target.open("w", encoding="utf-8") as out:
        kept = 0
        for line in src:
            if kept >= limit:
                break
            if line.strip():
                out.write(line)
                kept += 1
    return folder


def build(corpus: Path, index_dir: Path, embedder: Embedder, settings: Settings) -> float:
    """Seconds for one build_index call (the report is checked for skipped files)."""
    started = time.perf_counter()
    report = build_with_settings(corpus, index_dir, embedder, settings)
    seconds = time.perf_counter() - started
    if report.skipped:
        raise SystemExit("; ".join(f"{s.source}: {s.reason}" for s in report.skipped))
    return seconds


@dataclass
class FullIndex:
    path: Path
    built_seconds: float | None  # None: reused as it was
    export_seconds: float | None  # None: the export was already fresh
    documents: int = 0
    chunks: int = 0


def ensure_full_index(
    data_dir: Path, index_dir: Path, tmp: Path, embedder: SentenceTransformerEmbedder, settings: Settings
) -> FullIndex:
    """Build (or bring up to date) the whole corpus's index and its ONNX export in index_dir."""
    corpus = corpus_folder(data_dir, tmp, None)
    before = current_generation(index_dir)
    if before is None:
        print(
            f"building the index of the whole corpus in {index_dir} (once; later runs reuse it) ...",
            flush=True,
        )
    seconds = build(corpus, index_dir, embedder, settings)
    written = current_generation(index_dir) != before  # new, or brought up to date (settings changed)
    had_export = export_is_fresh(index_dir / EXPORT_DIR, embedder.model_dir, name=embedder.name)
    started = time.perf_counter()
    if not ensure_query_export(index_dir, embedder):
        raise SystemExit("the model could not be exported to ONNX; the onnx query path cannot be measured")
    export = time.perf_counter() - started
    reader = open_index(index_dir, model=embedder.name, verify=False)
    full = FullIndex(index_dir, seconds if written else None, None if had_export else export)
    full.documents, full.chunks = len(reader.documents), reader.size
    reader.close()
    return full


# --- indexing ------------------------------------------------------------------------------------------


@dataclass
class IndexingResult:
    documents: int
    chunks: int
    embed_seconds: list[float] = field(default_factory=list)  # wall time
    pipeline_seconds: list[float] = field(default_factory=list)
    embed_cpu: list[float] = field(default_factory=list)  # CPU time of this process, all threads
    pipeline_cpu: list[float] = field(default_factory=list)
    inner_embed_seconds: list[float] = field(default_factory=list)  # the pipeline's own embed() calls
    orders: list[str] = field(default_factory=list)
    rerun_seconds: list[float] = field(default_factory=list)
    full_rerun_seconds: list[float] = field(default_factory=list)
    export_seconds: float = 0.0

    @property
    def embed_rate(self) -> float:
        return self.chunks / median(self.embed_seconds)

    @property
    def pipeline_rate(self) -> float:
        return self.chunks / median(self.pipeline_seconds)

    @property
    def inner_share(self) -> float:
        """Median share of a pipeline run spent inside embed(): the pipeline's rate over the embedder's,
        measured within one run, so load that drifts between runs does not enter it."""
        return median([e / p for e, p in zip(self.inner_embed_seconds, self.pipeline_seconds, strict=True)])


class TimedEmbedder:
    """Passes everything to an embedder and adds up the wall time spent in its embed() calls."""

    def __init__(self, inner: SentenceTransformerEmbedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.seconds = 0.0

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def embed(self, texts: Sequence[str], *, progress: Callable[[int], None] | None = None) -> np.ndarray:
        started = time.perf_counter()
        try:
            return self.inner.embed(texts, progress=progress)
        finally:
            self.seconds += time.perf_counter() - started

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)


def pipeline_texts(corpus: Path, settings: Settings) -> tuple[int, list[str]]:
    """(documents, texts) that build_index embeds for a fresh index of the corpus, in its order."""
    chunker = ChunkerSettings.from_settings(settings)
    docs = load_file(corpus / CORPUS_FILE, CORPUS_FILE)
    texts = [index_text(c.text, d.title) for d in docs for c in chunk_document(d, chunker)]
    return len(docs), texts


def bench_indexing(
    data_dir: Path,
    tmp: Path,
    embedder: SentenceTransformerEmbedder,
    settings: Settings,
    *,
    limit: int,
    rounds: int,
    full_index: Path,
) -> IndexingResult:
    corpus = corpus_folder(data_dir, tmp, limit)
    documents, texts = pipeline_texts(corpus, settings)
    result = IndexingResult(documents, len(texts))
    embedder.embed(texts[:64])  # load the model and warm up: neither side pays for it
    last_index = tmp / "indexing-none"
    for r in range(rounds):
        order = ("embed", "pipeline") if r % 2 == 0 else ("pipeline", "embed")
        result.orders.append(" then ".join(order))
        for step in order:
            cpu = time.process_time()
            if step == "embed":
                started = time.perf_counter()
                vectors = embedder.embed(texts)
                result.embed_seconds.append(time.perf_counter() - started)
                result.embed_cpu.append(time.process_time() - cpu)
                assert vectors.shape[0] == len(texts)
            else:
                shutil.rmtree(last_index, ignore_errors=True)
                last_index = tmp / f"indexing-{r}"
                before = embedder.embedded
                timed = TimedEmbedder(embedder)
                result.pipeline_seconds.append(build(corpus, last_index, timed, settings))
                result.pipeline_cpu.append(time.process_time() - cpu)
                result.inner_embed_seconds.append(timed.seconds)
                if embedder.embedded - before != len(texts):
                    raise SystemExit(
                        f"the pipeline embedded {embedder.embedded - before} texts, not the {len(texts)} expected"
                    )
        print(
            f"  round {r + 1}/{rounds} ({result.orders[-1]}): embed {result.embed_seconds[-1]:.1f} s, "
            f"pipeline {result.pipeline_seconds[-1]:.1f} s (of which embedding {result.inner_embed_seconds[-1]:.1f} s)",
            flush=True,
        )
    for _ in range(3):
        result.rerun_seconds.append(build(corpus, last_index, embedder, settings))
    whole = corpus_folder(data_dir, tmp, None)
    for _ in range(3):
        result.full_rerun_seconds.append(build(whole, full_index, embedder, settings))
    started = time.perf_counter()
    export_onnx(embedder.model_dir, tmp / "onnx-export", name=embedder.name)
    result.export_seconds = time.perf_counter() - started
    shutil.rmtree(tmp / "onnx-export", ignore_errors=True)
    shutil.rmtree(last_index, ignore_errors=True)
    return result


def print_indexing(r: IndexingResult, limit: int, full: FullIndex) -> None:
    print(
        f"{r.documents} documents (the first {limit} of the corpus) -> {r.chunks} chunks; rounds: "
        + "; ".join(r.orders)
    )
    print(f"{'':<28} {'median s':>9} {'chunks/s':>9} {'CPU s':>8} {'chunks/CPU s':>13}   runs (wall s)")
    for name, runs, cpu in (
        ("embedder alone (the floor)", r.embed_seconds, r.embed_cpu),
        ("pipeline (build_index)", r.pipeline_seconds, r.pipeline_cpu),
    ):
        print(
            f"{name:<28} {median(runs):>9.2f} {r.chunks / median(runs):>9.1f} {median(cpu):>8.1f} "
            f"{r.chunks / median(cpu):>13.1f}   " + " ".join(f"{s:.2f}" for s in runs)
        )
    overhead = [p - e for p, e in zip(r.pipeline_seconds, r.inner_embed_seconds, strict=True)]
    print(
        f"pipeline / embedder alone: {r.pipeline_rate / r.embed_rate:.1%} by wall time, "
        f"{median(r.embed_cpu) / median(r.pipeline_cpu):.1%} by CPU time; within each pipeline run, "
        f"embedding takes {r.inner_share:.1%} (the rest, load + chunk + BM25 + write: "
        + ", ".join(f"{s:.1f}" for s in overhead)
        + " s)"
    )
    rerun = median(r.rerun_seconds)
    print(
        f"re-run, nothing changed: {ms(rerun):.0f} ms median of {len(r.rerun_seconds)} "
        f"({rerun / median(r.pipeline_seconds):.2%} of the full build of these {r.chunks} chunks)"
    )
    whole = median(r.full_rerun_seconds)
    est = full.chunks / r.pipeline_rate if full.chunks else float("nan")
    print(
        f"re-run on the whole corpus ({full.chunks} chunks), nothing changed: {ms(whole):.0f} ms "
        f"({whole / est:.2%} of a full build estimated at {est:.0f} s from the pipeline rate)"
    )
    print(f"ONNX export (once per index and model, at index time): {r.export_seconds:.1f} s")


# --- query latency -------------------------------------------------------------------------------------


@dataclass
class QueryResult:
    times: dict[str, list[float]]  # operation -> milliseconds per question
    queries: int
    server_ready_s: float
    settle: float

    def p(self, op: str, q: float) -> float:
        return percentile(self.times[op], q)


def make_assistants(
    index_dir: Path, settings: Settings, torch_embedder: SentenceTransformerEmbedder
) -> tuple[Assistant, Assistant]:
    """(onnx, torch) assistants over one open index: the same reader, the two query embedders."""
    base = replace(settings, index_dir=index_dir)
    onnx_settings = replace(base, query_backend="onnx")
    onnx = query_embedder(onnx_settings)  # raises when the export is missing or stale
    onnx.load()  # type: ignore[attr-defined]
    reader = open_index(index_dir, model=torch_embedder.name)
    return (
        Assistant(onnx_settings, onnx, reader),
        Assistant(replace(base, query_backend="torch"), torch_embedder, reader),
    )


def bench_queries(
    assistants: tuple[Assistant, Assistant], server: Server, questions: Sequence[str], *, settle: float
) -> QueryResult:
    """Every operation once per question, in rotating order, with `settle` seconds between operations: after
    a run, ONNX Runtime's worker threads spin for ~30 ms and torch's for ~8 ms, and on 2 cores that spinning
    would slow whichever operation comes next (torch's embedding right after ONNX's takes twice as long)."""
    import httpx

    onnx, torch = assistants
    client = httpx.Client(trust_env=False, timeout=60.0)

    def http_ask(q: str) -> None:
        response = client.post(server.url + "/v1/ask", json={"question": q})
        if response.status_code != 200:
            raise RuntimeError(f"POST /v1/ask answered {response.status_code}: {response.text[:200]}")

    ops: dict[str, Callable[[str], object]] = {
        "embed onnx": onnx.embedder.embed_query,
        "search onnx": onnx.search,
        "ask onnx": onnx.ask,
        "embed torch": torch.embedder.embed_query,
        "search torch": torch.search,
        "ask torch": torch.ask,
        "HTTP ask": http_ask,
    }
    names = list(ops)
    for q in questions[-5:]:  # warm-up: caches, allocators, the server's first requests
        for name in names:
            ops[name](q)
    times: dict[str, list[float]] = {name: [] for name in names}
    for i, q in enumerate(questions):
        for name in names[i % len(names) :] + names[: i % len(names)]:  # rotate who goes first
            time.sleep(settle)
            started = time.perf_counter()
            ops[name](q)
            times[name].append(ms(time.perf_counter() - started))
    client.close()
    return QueryResult(times, len(questions), server.started_in, settle)


def print_queries(r: QueryResult, full: FullIndex) -> None:
    print(
        f"{r.queries} SciFact claims on the whole index ({full.documents} documents, {full.chunks} chunks); "
        f"default k; HTTP: one client, keep-alive, server backend onnx (auto); {ms(r.settle):.0f} ms pause "
        "before each operation (thread pools of the other runtime stop spinning)"
    )
    print(f"{'operation':<14} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8} {'p50 / embed p50':>16}")
    for name in r.times:
        backend = "torch" if name.endswith("torch") else "onnx"
        embed = r.p(f"embed {backend}", 50)
        print(
            f"{name:<14} {r.p(name, 50):>8.2f} {r.p(name, 99):>8.2f} {statistics.fmean(r.times[name]):>8.2f} "
            f"{r.p(name, 50) / embed:>15.1f}x"
        )


# --- throughput ----------------------------------------------------------------------------------------


def bench_throughput(server: Server, questions: Sequence[str], requests: int) -> list[LoadResult]:
    results = []
    for clients in CONCURRENCY:
        results.append(
            run_clients(server.url, questions, clients=clients, seconds=600.0, max_requests=requests)
        )
        r = results[-1]
        print(f"  {clients} clients: {r.requests} requests in {r.seconds:.1f} s", flush=True)
    return results


def print_throughput(results: Sequence[LoadResult], requests: int) -> None:
    print(
        f"POST /v1/ask, {requests} requests per level, server: cli.py serve (1 worker, 127.0.0.1), "
        f"ASSISTANT_RATE_LIMIT={HIGH_RATE_LIMIT} so the limiter never refuses"
    )
    print(f"{'clients':>7} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8}")
    for r in results:
        print(
            f"{r.clients:>7} {r.requests:>8} {r.error_count:>6} {r.throughput:>7.1f} {r.p(50):>8.1f} {r.p(99):>8.1f}"
        )
        if r.errors:
            print("        errors: " + ", ".join(f"{kind} x{n}" for kind, n in r.errors.most_common()))


# --- start-up ------------------------------------------------------------------------------------------


@dataclass
class Startup:
    first_output: list[float] = field(default_factory=list)  # seconds to the first byte on stdout
    exit: list[float] = field(default_factory=list)


def time_process(command: Sequence[str], env: dict[str, str]) -> tuple[float, float]:
    """(seconds to the first byte on stdout, seconds to exit) of a new process; it must succeed."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    process.stdout.read(1)
    first = time.perf_counter() - started
    _, err = process.communicate()
    done = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}): {err.decode()[-500:]}")
    return first, done


def bench_startup(index_dir: Path, question: str, runs: int) -> dict[str, Startup]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")  # the answer reaches the pipe when it is printed
    env.pop("ASSISTANT_QUERY_BACKEND", None)
    cli = [sys.executable, str(ROOT / "cli.py")]
    ask = [*cli, "ask", question, "--index", str(index_dir)]
    cases = {
        "cli.py --help": ([*cli, "--help"], env),
        "cli.py ask (auto: onnx)": (ask, env),
        "cli.py ask (torch)": (ask, dict(env, ASSISTANT_QUERY_BACKEND="torch")),
    }
    for command, environment in cases.values():
        time_process(
            command, environment
        )  # one unmeasured run: the file cache holds what a new process reads
    out = {name: Startup() for name in cases}
    for _ in range(runs):
        for name, (command, environment) in cases.items():
            first, done = time_process(command, environment)
            out[name].first_output.append(first)
            out[name].exit.append(done)
    return out


def print_startup(results: dict[str, Startup], runs: int) -> None:
    print(f"new process each time, median of {runs} (interleaved, after one unmeasured run of each)")
    print(f"{'command':<26} {'to output s':>11} {'to exit s':>10}   runs to output (s)")
    for name, r in results.items():
        print(
            f"{name:<26} {median(r.first_output):>11.2f} {median(r.exit):>10.2f}   "
            + " ".join(f"{s:.2f}" for s in r.first_output)
        )


# --- memory --------------------------------------------------------------------------------------------

PROBE = """
import json, sys
from dataclasses import replace
from assistant.assistant import Assistant
from assistant.config import Settings

def kib(key):
    with open("/proc/self/status") as handle:
        return next(int(line.split()[1]) for line in handle if line.startswith(key + ":"))

index, backend, asks = sys.argv[1], sys.argv[2], int(sys.argv[3])
questions = json.load(sys.stdin)
assistant = Assistant.open(index, settings=replace(Settings.from_env(), query_backend=backend))
assistant.ask(questions[0])
opened = kib("VmRSS")
for i in range(asks):
    assistant.ask(questions[i % len(questions)])
print(json.dumps({"opened": opened, "rss": kib("VmRSS"), "hwm": kib("VmHWM")}))
"""


@dataclass
class Memory:
    probes: dict[str, dict[str, int]]  # backend -> KiB after open + 1 ask, after all asks, peak
    index_bytes: int
    export_bytes: int
    chunks: int


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def bench_memory(index_dir: Path, questions: Sequence[str], asks: int, chunks: int) -> Memory:
    probes = {}
    for backend in ("onnx", "torch"):
        done = subprocess.run(
            [sys.executable, "-c", PROBE, str(index_dir), backend, str(asks)],
            input=json.dumps(list(questions)),
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"memory probe ({backend}) failed: {done.stderr[-500:]}")
        probes[backend] = json.loads(done.stdout.strip().splitlines()[-1])
    generation = current_generation(index_dir)
    assert generation is not None
    return Memory(probes, folder_bytes(generation), folder_bytes(index_dir / EXPORT_DIR), chunks)


def print_memory(m: Memory, asks: int) -> None:
    print(f"new process: Assistant.open + {asks} asks; VmRSS after open and one ask, VmHWM at the end")
    print(f"{'backend':<8} {'RSS opened MiB':>15} {'RSS end MiB':>12} {'peak MiB':>9}")
    for backend, p in m.probes.items():
        print(f"{backend:<8} {p['opened'] / 1024:>15.1f} {p['rss'] / 1024:>12.1f} {p['hwm'] / 1024:>9.1f}")
    print(
        f"index on disk: {m.index_bytes / 2**20:.1f} MiB for {m.chunks} chunks = {m.index_bytes / m.chunks:,.0f} "
        f"bytes per chunk; ONNX export: {m.export_bytes / 2**20:.1f} MiB (once per index)"
    )


# --- quality -------------------------------------------------------------------------------------------


@dataclass
class Quality:
    queries: int
    ndcg: dict[str, float]
    same_top10: float  # share of queries whose top-10 documents are identical in order


def bench_quality(assistants: tuple[Assistant, Assistant], data_dir: Path, split: str) -> Quality:
    qrels = load_qrels(data_dir / "qrels" / f"{split}.tsv")
    queries = {q: t for q, t in load_queries(data_dir, split).items() if qrels.get(q)}
    rankings: dict[str, dict[str, list[str]]] = {"onnx": {}, "torch": {}}
    for qid, text in queries.items():
        for name, assistant in zip(("onnx", "torch"), assistants, strict=True):
            hits = assistant.retriever.search_documents(text, k=DEPTH, mode="hybrid")
            rankings[name][qid] = [h.chunk.doc_id for h in hits]
    ndcg = {
        name: sum(ndcg_at_k(r[q], qrels[q]) for q in queries) / len(queries) for name, r in rankings.items()
    }
    same = sum(rankings["onnx"][q][:10] == rankings["torch"][q][:10] for q in queries) / len(queries)
    return Quality(len(queries), ndcg, same)


def print_quality(q: Quality, split: str) -> None:
    print(f"hybrid search, {q.queries} judged {split} queries, documents ranked by their best chunk")
    print(f"{'query path':<10} {'nDCG@10':>8}")
    for name, value in q.ndcg.items():
        print(f"{name:<10} {value:>8.4f}")
    print(
        f"difference {abs(q.ndcg['onnx'] - q.ndcg['torch']):.4f}; identical top 10 for {q.same_top10:.1%} of queries"
    )


# --- the run -------------------------------------------------------------------------------------------


def verdict(ok: bool | None) -> str:
    """PASS or FAIL for a target; "info" for a figure shown beside a target for comparison."""
    return "info" if ok is None else "PASS" if ok else "FAIL"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("data", type=Path, help="BEIR-format directory (corpus.jsonl, queries, qrels/)")
    parser.add_argument("--index", type=Path, required=True, help="where the whole corpus's index is cached")
    parser.add_argument("--split", default="train", help="queries_<split>.jsonl and qrels/<split>.tsv")
    parser.add_argument("--limit", type=int, default=1000, help="documents indexed in the indexing section")
    parser.add_argument("--rounds", type=int, default=2, help="indexing rounds, alternating the order")
    parser.add_argument("--queries", type=int, default=200, help="claims timed in the query section")
    parser.add_argument(
        "--settle", type=float, default=0.05, help="seconds of pause before each timed query operation"
    )
    parser.add_argument("--requests", type=int, default=200, help="requests per concurrency level")
    parser.add_argument("--runs", type=int, default=5, help="processes started per start-up case")
    parser.add_argument("--asks", type=int, default=200, help="asks in the memory probe")
    parser.add_argument("--only", help=f"comma-separated sections to run (default all: {','.join(SECTIONS)})")
    args = parser.parse_args(argv)
    only = set(args.only.split(",")) if args.only else set(SECTIONS)
    if only - set(SECTIONS):
        parser.error(f"unknown sections: {', '.join(sorted(only - set(SECTIONS)))}")

    settings = Settings.from_env()
    questions = list(load_queries(args.data, args.split).values())
    print(f"load average at start: {load_average()}")
    print(
        f"settings: chunk_tokens={settings.chunk_tokens} chunk_overlap={settings.chunk_overlap} "
        f"fusion={settings.fusion} dense_weight={settings.dense_weight} candidates={settings.candidates} "
        f"k={settings.k} batch_size={settings.batch_size}"
    )
    targets: list[tuple[str, str, bool | None]] = []
    embedder = SentenceTransformerEmbedder(settings.model, batch_size=settings.batch_size)
    with tempfile.TemporaryDirectory(prefix="perf-") as name:
        tmp = Path(name)
        full = ensure_full_index(args.data, args.index, tmp, embedder, settings)
        how = f"built in {full.built_seconds:.1f} s" if full.built_seconds is not None else "reused"
        export = f"; ONNX export made in {full.export_seconds:.1f} s" if full.export_seconds else ""
        print(f"index of the whole corpus: {full.documents} documents, {full.chunks} chunks ({how}{export})")

        if "indexing" in only:
            section("indexing")
            indexing = bench_indexing(
                args.data,
                tmp,
                embedder,
                settings,
                limit=args.limit,
                rounds=args.rounds,
                full_index=args.index,
            )
            print_indexing(indexing, args.limit, full)
            share = indexing.pipeline_rate / indexing.embed_rate
            targets.append(
                (
                    f"pipeline >= {PIPELINE_SHARE:.0%} of embedder-only chunks/s",
                    f"{share:.1%} ({indexing.pipeline_rate:.1f} vs {indexing.embed_rate:.1f} chunks/s)",
                    share >= PIPELINE_SHARE,
                )
            )
            cpu_share = median(indexing.embed_cpu) / median(indexing.pipeline_cpu)
            targets.append(
                (
                    "  the same by CPU time (less sensitive to other processes)",
                    f"{cpu_share:.1%} ({median(indexing.pipeline_cpu):.1f} vs {median(indexing.embed_cpu):.1f} CPU s)",
                    cpu_share >= PIPELINE_SHARE,
                )
            )
            targets.append(
                ("  embedding's share of each pipeline run (drift-free)", f"{indexing.inner_share:.1%}", None)
            )
            rerun = median(indexing.rerun_seconds) / median(indexing.pipeline_seconds)
            targets.append(
                (
                    f"unchanged re-run < {RERUN_SHARE:.0%} of a full build",
                    f"{rerun:.2%} ({ms(median(indexing.rerun_seconds)):.0f} ms vs {median(indexing.pipeline_seconds):.1f} s)",
                    rerun < RERUN_SHARE,
                )
            )

        needs_server = bool(only & {"query", "throughput"})
        needs_assistants = bool(only & {"query", "quality"})
        assistants = make_assistants(args.index, settings, embedder) if needs_assistants else None
        server = start_server(args.index, tmp) if needs_server else None
        try:
            if "query" in only:
                assert assistants is not None and server is not None
                section("query latency")
                print(f"load average now: {load_average()}")
                queries = bench_queries(assistants, server, questions[: args.queries], settle=args.settle)
                print_queries(queries, full)
                ratio = queries.p("ask onnx", 50) / queries.p("embed onnx", 50)
                targets.append(
                    (
                        f"in-process ask p50 <= {ASK_OVER_EMBED:g}x question embedding (onnx)",
                        f"{ratio:.1f}x ({queries.p('ask onnx', 50):.1f} vs {queries.p('embed onnx', 50):.1f} ms)",
                        ratio <= ASK_OVER_EMBED,
                    )
                )
                torch_ratio = queries.p("ask torch", 50) / queries.p("embed torch", 50)
                targets.append(
                    (
                        "  same with the torch query path (for comparison)",
                        f"{torch_ratio:.1f}x ({queries.p('ask torch', 50):.1f} vs {queries.p('embed torch', 50):.1f} ms)",
                        None,
                    )
                )
            if "throughput" in only:
                assert server is not None
                section("throughput")
                load = bench_throughput(server, questions, args.requests)
                print_throughput(load, args.requests)
                errors = sum(r.error_count for r in load)
                targets.append(
                    (
                        "throughput run without errors",
                        f"{errors} errors; "
                        + ", ".join(f"{r.clients}c {r.throughput:.1f} req/s" for r in load),
                        errors == 0,
                    )
                )
        finally:
            if server is not None:
                server.stop()

        if "startup" in only:
            section("start-up")
            startup = bench_startup(args.index, questions[0], args.runs)
            print_startup(startup, args.runs)
            cold = median(startup["cli.py ask (auto: onnx)"].first_output)
            helps = median(startup["cli.py --help"].first_output)
            cold_torch = median(startup["cli.py ask (torch)"].first_output)
            targets.append((f"cold `cli.py ask` < {COLD_ASK_S} s", f"{cold:.2f} s", cold < COLD_ASK_S))
            targets.append(
                ("  same with ASSISTANT_QUERY_BACKEND=torch (for comparison)", f"{cold_torch:.2f} s", None)
            )
            targets.append((f"`cli.py --help` < {HELP_S} s", f"{helps:.2f} s", helps < HELP_S))

        if "memory" in only:
            section("memory")
            memory = bench_memory(args.index, questions, args.asks, full.chunks)
            print_memory(memory, args.asks)

        if "quality" in only:
            assert assistants is not None
            section("ONNX quality")
            quality = bench_quality(assistants, args.data, args.split)
            print_quality(quality, args.split)
            gap = abs(quality.ndcg["onnx"] - quality.ndcg["torch"])
            targets.append(
                (
                    f"nDCG@10 onnx vs torch within {NDCG_GAP}",
                    f"{gap:.4f} ({quality.ndcg['onnx']:.4f} vs {quality.ndcg['torch']:.4f})",
                    gap <= NDCG_GAP,
                )
            )

    section("targets")
    width = max((len(t[0]) for t in targets), default=10)
    for name, measured, ok in targets:
        print(f"{name:<{width}}  {measured:<48} {verdict(ok)}")
    print(f"\nload average at end: {load_average()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
