"""Command-line interface: parse arguments, make one call into the package, print, exit.

Heavy modules (torch, faiss, bm25s) are imported inside the commands so that --help and errors stay fast.
"""

from __future__ import annotations

import argparse
import functools
import io
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from assistant.interfaces.cli.notes import export_note, index_command

if TYPE_CHECKING:
    from assistant.assistant import Assistant
    from assistant.config import Settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        # the installed command names itself; `python cli.py` keeps the name the README uses
        prog="figure-assistant" if Path(sys.argv[0]).name == "figure-assistant" else "cli.py",
        description="Offline question answering over your documents, with cited passages and extracted figures. "
        "With no command, opens a chat on the default corpus (building its index on first use).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(p: argparse.ArgumentParser, *, corpus: bool = False, query: bool = False) -> None:
        p.add_argument("--index", metavar="DIR", help="index directory (default: $ASSISTANT_INDEX or index/)")
        if corpus:
            p.add_argument(
                "--corpus", metavar="DIR", help="corpus directory (default: $ASSISTANT_CORPUS or corpus/)"
            )
        elif query:
            p.add_argument(
                "--corpus",
                metavar="DIR",
                help="the corpus the index was built from, to note when it has changed since "
                "(default: the folder the index records)",
            )

    p = sub.add_parser("index", help="build or update the index from the corpus")
    common(p, corpus=True)
    p.add_argument("--rebuild", action="store_true", help="re-embed everything instead of updating")
    p.add_argument(
        "--json", action="store_true", help="print the report (every file and its outcome) as JSON"
    )

    for name, what in (("ask", "QUESTION"), ("search", "QUERY")):
        p = sub.add_parser(name, help="answer a question once" if name == "ask" else "list the best passages")
        p.add_argument(
            "text",
            metavar=what,
            help=f"the {what.lower()}, or - to read one per line from stdin (JSON lines out)",
        )
        common(p, query=True)
        p.add_argument("-k", type=int, default=None, help="passages to retrieve (default 5)")
        p.add_argument("--json", action="store_true", help="print JSON")
        p.add_argument(
            "--where",
            action="append",
            metavar="FIELD=PATTERN",
            default=[],
            help="only documents whose id, source, title or metadata field matches (glob); repeatable",
        )
        if name == "ask":
            p.add_argument(
                "--min-confidence",
                type=_confidence,
                metavar="P",
                default=None,
                help="abstain below this confidence, 0..1 (default: the fitted threshold; 0 answers whatever is found)",
            )

    p = sub.add_parser("figures", help="list the figures in the passages about a topic")
    p.add_argument("text", metavar="TOPIC")
    common(p, query=True)
    p.add_argument("-k", type=int, default=None, help="passages to read (default 5)")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print JSON")
    fmt.add_argument("--csv", action="store_true", help="print CSV")
    p.add_argument("--where", action="append", metavar="FIELD=PATTERN", default=[])

    p = sub.add_parser("docs", help="list the indexed documents")
    common(p)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("chat", help="interactive chat (the default command)")
    common(p, corpus=True)

    p = sub.add_parser("serve", help="serve the HTTP API")
    common(p)
    p.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1, loopback only)")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1, help="worker processes (each loads the model and index)")

    p = sub.add_parser("mcp", help="serve the MCP tools over stdio (for desktop assistants and agents)")
    common(p)
    return parser


def _confidence(text: str) -> float:
    """A --min-confidence value: a number from 0 to 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def _settings(args: argparse.Namespace) -> Settings:
    from assistant.config import Settings

    settings = Settings.from_env()
    if getattr(args, "index", None):
        settings = replace(settings, index_dir=Path(args.index))
    if getattr(args, "corpus", None):
        settings = replace(settings, corpus_dir=Path(args.corpus))
    return settings


def _open(settings: Settings) -> Assistant:
    from assistant.assistant import Assistant

    return Assistant.open(settings=settings)


def _stdin_lines(stdin: TextIO) -> Iterator[str]:
    for line in stdin:
        if line.strip():
            yield line.strip()


def cmd_index(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from assistant.embedding.model import SentenceTransformerEmbedder
    from assistant.ingest.decoding import printable
    from assistant.ingest.formats import SUPPORTED
    from assistant.interfaces.cli import render
    from assistant.interfaces.cli.progress import index_with_progress

    settings = _settings(args)
    embedder = SentenceTransformerEmbedder(settings.model, batch_size=settings.batch_size)
    report = index_with_progress(settings, embedder, err, rebuild=args.rebuild)
    if args.json:
        print(render.to_json(report), file=out)
    else:
        for skipped in report.skipped:  # names are escaped already; a library's reason may not be
            print(f"skipped {skipped.source}: {printable(skipped.reason)}", file=err)
        if report.note and not args.rebuild:
            print(f"rebuilt from scratch: {report.note}", file=err)
        print(report.summary() if report.written else f"index is up to date; {report.summary()}", file=out)
    if report.documents == 0:
        n = len(report.files)
        held = f"{n} file{'' if n == 1 else 's'}, none readable" if n else "no files"
        print(
            f"warning: the index is empty: {settings.corpus_dir} holds {held}, so every question will "
            f"abstain; add files of a supported type ({' '.join(SUPPORTED)}) and run: "
            f"{index_command(settings.corpus_dir, settings.index_dir)}",
            file=err,
        )
        return 1
    return 0


def cmd_query(args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO) -> int:
    from assistant.errors import AssistantError
    from assistant.ingest.decoding import valid_text
    from assistant.interfaces.cli import render
    from assistant.limits import check_k, check_question

    if args.text != "-":
        check_question(args.text, what="question" if args.command == "ask" else "query")
    if args.k is not None:
        check_k(args.k)
    assistant = _open(_settings(args))
    call: Callable[..., Any] = assistant.search
    if args.command == "ask":
        call = functools.partial(assistant.ask, min_confidence=args.min_confidence)
    if args.text == "-":
        # Batch mode: one JSON object per input line, in order; a bad line gets an error object, not an exit.
        if isinstance(stdin, io.TextIOWrapper):
            stdin.reconfigure(errors="surrogateescape")  # bytes that are not UTF-8 fail their line only
        for line in _stdin_lines(stdin):
            try:
                print(render.to_json(call(line, k=args.k, filters=args.where)), file=out, flush=True)
            except AssistantError as exc:
                # valid_text: a line that is not UTF-8 is echoed with U+FFFD, not a crash while printing
                error = {"code": exc.code, "message": exc.message}
                print(render.to_json({"question": valid_text(line), "error": error}), file=out, flush=True)
        _note_if_stale(args, assistant, err)
        return 0
    result = call(args.text, k=args.k, filters=args.where)
    if args.json:
        print(render.to_json(result), file=out)
    elif args.command == "ask":
        print(render.answer_text(result), file=out)
    else:
        print(render.hits_text(result), file=out)
    _note_if_stale(args, assistant, err)
    return 0


def cmd_figures(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from assistant.interfaces.cli import render

    assistant = _open(_settings(args))
    result = assistant.figures(args.text, k=args.k, filters=args.where)
    if args.json:
        print(render.to_json(result), file=out)
    elif args.csv:
        print(render.figures_csv(result), file=out)
    else:
        print(render.figures_cited_text(result), file=out)
    _note_if_stale(args, assistant, err)
    return 0


def _note_if_stale(args: argparse.Namespace, assistant: Assistant, err: TextIO) -> None:
    """One line on stderr when the corpus the index was built from has changed since (file sizes and times,
    then checksums of the files whose differ); a failed check says nothing, the answer stands. The corpus is
    the one given with --corpus, else the folder the index records it was built from. Another when the
    index's ONNX export cannot be used (see export_note)."""
    from assistant.errors import AssistantError
    from assistant.storage.changes import built_from, corpus_changes

    settings = assistant.settings
    note = export_note(settings, assistant.embedder)
    if note:
        print(note, file=err)
    try:
        corpus = Path(args.corpus) if args.corpus else (built_from(settings.index_dir) or settings.corpus_dir)
        changes = corpus_changes(corpus, settings.index_dir)
    except (AssistantError, OSError):
        return
    if changes:
        print(
            f"note: {corpus} changed since the index was built ({changes.summary()}); "
            f"run: {index_command(corpus, settings.index_dir)}",
            file=err,
        )


def cmd_docs(args: argparse.Namespace, out: TextIO) -> int:
    import json

    from assistant.interfaces.cli import render

    docs = _open(_settings(args)).documents()
    if args.json:
        print(json.dumps([d.to_dict() for d in docs], ensure_ascii=False), file=out)
    else:
        print(render.documents_text(docs), file=out)
    return 0


def cmd_chat(args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO) -> int:
    from assistant.interfaces.cli.repl import run_chat

    return run_chat(_settings(args), stdin=stdin, out=out, err=err)


def cmd_serve(args: argparse.Namespace, err: TextIO) -> int:
    from assistant.interfaces.http.app import serve

    return serve(_settings(args), host=args.host, port=args.port, workers=args.workers, err=err)


def cmd_mcp(args: argparse.Namespace) -> int:
    from assistant.interfaces.mcp.server import serve_stdio

    return serve_stdio(_settings(args))


def _with_folders(message: str, args: argparse.Namespace) -> str:
    """The message with its `python cli.py index` hint naming the folders this command was given (for a
    query without --corpus, the folder the index records it was built from, when it records one)."""
    if "python cli.py index" not in message:
        return message
    try:
        settings = _settings(args)
    except ValueError:
        return message
    corpus = settings.corpus_dir
    if args.command not in (None, "index", "chat") and not getattr(args, "corpus", None):
        from assistant.storage.changes import built_from

        corpus = built_from(settings.index_dir) or corpus
    return message.replace("python cli.py index", index_command(corpus, settings.index_dir))


def main(
    argv: Sequence[str] | None = None,
    *,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run one command; domain errors become one line on stderr and exit status 1."""
    stdin, out, err = stdin or sys.stdin, out or sys.stdout, err or sys.stderr
    args = build_parser().parse_args(argv)
    from assistant.errors import AssistantError

    try:
        if args.command in (None, "chat"):
            return cmd_chat(args, out, err, stdin)
        if args.command == "index":
            return cmd_index(args, out, err)
        if args.command in ("ask", "search"):
            return cmd_query(args, out, err, stdin)
        if args.command == "figures":
            return cmd_figures(args, out, err)
        if args.command == "docs":
            return cmd_docs(args, out)
        if args.command == "serve":
            return cmd_serve(args, err)
        if args.command == "mcp":
            return cmd_mcp(args)
    except AssistantError as exc:
        print(f"error: {_with_folders(exc.message, args)}", file=err)
        return exc.exit_status
    except ValueError as exc:  # bad settings from the environment
        print(f"error: {exc}", file=err)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=err)
        return 130
    except BrokenPipeError:
        return 0
    return 2
