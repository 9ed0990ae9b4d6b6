"""The terminal chat: a loop of questions and :commands over one Assistant, keeping the conversation."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from rich.markup import escape

from assistant.errors import AssistantError, CorpusNotFound, IndexBusy
from assistant.interfaces.cli import render
from assistant.interfaces.cli.notes import export_note
from assistant.limits import MAX_K

if TYPE_CHECKING:
    from assistant.answering.results import Citation
    from assistant.assistant import Assistant
    from assistant.config import Settings
    from assistant.storage.report import BuildReport

PROMPT = "> "

HELP = [
    (":sources N", "passage N of the last answer in full, with its location (no N: list them)"),
    (":figures TOPIC", "the figures in the passages about TOPIC"),
    (":docs", "the indexed documents"),
    (":reindex", "update the index from the corpus"),
    (":k N", f"passages per answer, 1 to {MAX_K}"),
    (":json", "switch JSON output of answers on or off"),
    (":new", "start a new conversation (earlier questions are forgotten)"),
    (":help", "this list"),
    (":quit", "leave (also :q, :exit or Ctrl-D)"),
]


def default_history_file() -> Path:
    """Where typed lines are remembered between sessions: per user, not per index."""
    return Path.home() / ".local" / "state" / "figure-assistant" / "chat-history"


def is_terminal(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):  # no isatty, or a closed stream
        return False


class UsageError(AssistantError):
    """A command typed with missing or bad arguments."""

    code = "usage"
    status = 400


class Chat:
    """The chat's state (k, JSON mode, the conversation, the last citations) and its commands.

    `handle` takes one input line and returns what to print (None: nothing); with markup=True the text
    is rich markup for a terminal, otherwise plain text. `finished` turns True on :quit.
    """

    def __init__(
        self, assistant: Assistant, *, markup: bool = False, err: TextIO | None = None, width: int = 100
    ):
        self.assistant = assistant
        self.markup = markup
        self.err = err
        self.width = width
        self.k = assistant.settings.k
        self.json = False
        self.history: list[str] = []
        self.citations: tuple[Citation, ...] = ()
        self.finished = False
        self._commands: dict[str, Callable[[str], str | None]] = {
            "help": self._help,
            "sources": self._sources,
            "figures": self._figures,
            "docs": self._docs,
            "reindex": self._reindex,
            "k": self._k,
            "json": self._json,
            "new": self._new,
            "quit": self._quit,
            "q": self._quit,
            "exit": self._quit,
        }

    # --- text in either mode ---------------------------------------------------------------------

    def _plain(self, text: str) -> str:
        return escape(text) if self.markup else text

    def _error(self, message: str) -> str:
        message = " ".join(message.split())  # always exactly one line
        return f"[red]error:[/red] {escape(message)}" if self.markup else f"error: {message}"

    def header(self) -> str:
        status = self.assistant.status()
        docs, chunks = status["documents"], status["chunks"]
        lines = [
            f"{docs} document{'s' if docs != 1 else ''}, {chunks} chunk{'s' if chunks != 1 else ''}, "
            f"model {status['model']}",
            f"corpus: {self.assistant.settings.corpus_dir}",
            f"index: {status['index']}",
            "Ask a question, or type :help for commands.",
        ]
        if not self.markup:
            return "\n".join(lines)
        return "\n".join(
            [f"[bold]{escape(lines[0])}[/bold]", *(f"[dim]{escape(x)}[/dim]" for x in lines[1:])]
        )

    # --- one line --------------------------------------------------------------------------------

    def handle(self, line: str) -> str | None:
        """Answer a question or run a :command; errors become one line and the chat goes on."""
        line = line.strip()
        if not line:
            return None
        try:
            if line.startswith(":"):
                name, _, arg = line[1:].partition(" ")
                command = self._commands.get(name.lower())
                if command is None:
                    raise UsageError(f"unknown command :{name}; type :help for the commands")
                return command(arg.strip())
            return self._ask(line)
        except AssistantError as exc:
            return self._error(exc.message)

    def _ask(self, question: str) -> str:
        answer = self.assistant.ask(question, k=self.k, history=self.history)
        self.history.append(question)
        self.citations = answer.citations
        if self.json:
            return self._plain(render.to_json(answer))
        if self.markup:
            return render.answer_chat_markup(answer, width=self.width)
        return render.answer_text(answer)

    # --- commands --------------------------------------------------------------------------------

    def _help(self, arg: str) -> str:
        width = max(len(usage) for usage, _ in HELP)
        lines = [
            "Ask a question in plain words; follow-up questions are read in the light of the earlier ones."
        ]
        lines += [f"  {usage.ljust(width)}  {what}" for usage, what in HELP]
        if self.markup:
            return "\n".join([escape(lines[0])] + [f"[cyan]{escape(x)}[/cyan]" for x in lines[1:]])
        return "\n".join(lines)

    def _sources(self, arg: str) -> str:
        if not self.citations:
            raise UsageError("no passages yet; ask a question first")
        if not arg:
            return self._plain("\n".join(render.cite_line(c) for c in self.citations))
        count = len(self.citations)
        n = _whole_number(arg)
        if n is None or not 1 <= n <= count:
            raise UsageError(f"no passage {arg}; the last answer cites passages 1 to {count}")
        c = self.citations[n - 1]
        return render.passage_markup(c) if self.markup else render.passage_text(c)

    def _figures(self, topic: str) -> str:
        if not topic:
            raise UsageError("usage: :figures TOPIC")
        result = self.assistant.figures(topic, k=self.k)
        self.citations = result.citations  # :sources N then shows the passages the figures come from
        if self.json:
            return self._plain(render.to_json(result))
        return self._plain(render.figures_cited_text(result))

    def _docs(self, arg: str) -> str:
        return self._plain(render.documents_text(self.assistant.documents()))

    def _reindex(self, arg: str) -> str:
        if self.err is not None:
            from assistant.interfaces.cli.progress import (
                progress_bar,  # rich progress bars: only a reindex needs them
            )

            with progress_bar(self.err) as update:
                report = self.assistant.reindex(progress=update)
        else:
            report = self.assistant.reindex()
        return self._plain(reindex_text(report))

    def _k(self, arg: str) -> str:
        if arg:
            n = _whole_number(arg)
            if n is None or not 1 <= n <= MAX_K:
                raise UsageError(f":k takes a whole number from 1 to {MAX_K}, not {arg!r}")
            self.k = n
        return self._plain(f"passages per answer: {self.k}")

    def _json(self, arg: str) -> str:
        self.json = not self.json
        return self._plain(f"JSON output {'on' if self.json else 'off'}")

    def _new(self, arg: str) -> str:
        self.history.clear()
        self.citations = ()
        return self._plain("new conversation")

    def _quit(self, arg: str) -> None:
        self.finished = True
        return None


def _whole_number(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() else None


def reindex_text(report: BuildReport) -> str:
    from assistant.ingest.decoding import printable

    # names are escaped when the corpus is scanned; a library's reason is made one line here
    lines = [f"skipped {s.source}: {printable(s.reason)}" for s in report.skipped]
    lines.append(report.summary() if report.written else f"index is up to date; {report.summary()}")
    if report.documents == 0:
        lines.append(
            "warning: the index is empty (no readable document in the corpus); every question will abstain"
        )
    return "\n".join(lines)


# --- the loop ------------------------------------------------------------------------------------


def prompt_reader(history_file: Path, *, output: Any = None, input: Any = None) -> Callable[[], str | None]:
    """Read lines with prompt_toolkit: line editing, and history kept in history_file (None at EOF)."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory, History, InMemoryHistory

    history: History
    try:
        history_file.parent.mkdir(parents=True, exist_ok=True)
        history_file.touch(exist_ok=True)
        history = FileHistory(str(history_file))
    except OSError:
        history = InMemoryHistory()  # an unwritable home still gets a working chat
    session: PromptSession[str] = PromptSession(history=history, output=output, input=input)

    def read() -> str | None:
        try:
            return session.prompt(PROMPT)
        except EOFError:
            return None

    return read


def _stream_reader(stdin: TextIO) -> Callable[[], str | None]:
    def read() -> str | None:
        line = stdin.readline()
        return None if line == "" else line

    return read


def chat_loop(
    chat: Chat,
    read: Callable[[], str | None],
    write: Callable[[str], None],
    *,
    busy: Callable[[], AbstractContextManager[object]] | None = None,
) -> int:
    """Feed lines to the chat until EOF or :quit; Ctrl-C drops the current line and the chat goes on.

    busy, when given, wraps the answering of each question (a spinner on a terminal).
    """
    while not chat.finished:
        try:
            line = read()
            if line is None:
                break
            if busy is not None and line.strip() and not line.lstrip().startswith(":"):
                with busy():
                    reply = chat.handle(line)
            else:
                reply = chat.handle(line)
        except KeyboardInterrupt:
            continue
        if reply is not None:
            write(reply)
    return 0


def _ensure_index(settings: Settings, err: TextIO) -> Assistant:
    """Open the configured index, building it from the corpus first when there is none, and bringing it up to
    date first when files of the corpus were added, changed or removed since it was built."""
    from assistant.assistant import Assistant
    from assistant.embedding.model import SentenceTransformerEmbedder
    from assistant.storage.changes import corpus_changes
    from assistant.storage.generations import current_generation

    if current_generation(settings.index_dir) is not None:
        changes = corpus_changes(settings.corpus_dir, settings.index_dir)
        if not changes:
            assistant = Assistant.open(settings=settings)
            note = export_note(settings, assistant.embedder)
            return assistant if note is None else _export_again(settings, assistant, note, err)
        print(
            f"{settings.corpus_dir} changed since the index was built ({changes.summary()}); updating it",
            file=err,
            flush=True,
        )
    elif not settings.corpus_dir.is_dir():
        raise CorpusNotFound(
            f"no index in {settings.index_dir}, and no corpus to build one from: {settings.corpus_dir} is not a directory"
        )
    else:
        print(
            f"no index in {settings.index_dir} yet; building it from {settings.corpus_dir}",
            file=err,
            flush=True,
        )
    from assistant.interfaces.cli.progress import index_with_progress

    embedder = SentenceTransformerEmbedder(settings.model, batch_size=settings.batch_size)
    try:
        report = index_with_progress(settings, embedder, err)
    except IndexBusy as exc:
        if current_generation(settings.index_dir) is None:
            raise
        print(f"{exc.message}; answering from the index as it is", file=err, flush=True)
    else:
        print(reindex_text(report), file=err, flush=True)
    return Assistant.open(settings=settings, embedder=embedder)


def _export_again(settings: Settings, assistant: Assistant, note: str, err: TextIO) -> Assistant:
    """The chat opened an index whose ONNX export it could not use (an older version's, or with a file missing
    or cut short): export it again (about 10 s, once; the index itself is untouched) and reopen, so questions
    skip torch from now on.
    When that fails (a read-only index), the chat answers through torch and prints the note (what to run)."""
    from assistant.assistant import Assistant
    from assistant.embedding.export import ensure_query_export
    from assistant.embedding.model import SentenceTransformerEmbedder

    print(
        "the index's ONNX export is out of date; exporting it again (once, about 10 s)", file=err, flush=True
    )
    embedder = SentenceTransformerEmbedder(settings.model, batch_size=settings.batch_size)
    try:
        exported = ensure_query_export(settings.index_dir, embedder)
    except AssistantError as exc:
        print(exc.message, file=err, flush=True)
        exported = False
    if exported:
        reopened = Assistant.open(settings=settings)
        if export_note(settings, reopened.embedder) is None:
            return reopened
    print(note, file=err, flush=True)
    return assistant


def run_chat(
    settings: Settings,
    *,
    stdin: TextIO,
    out: TextIO,
    err: TextIO,
    assistant: Assistant | None = None,
    history_file: Path | None = None,
) -> int:
    """The chat on a terminal (rich output, line editing) or over pipes (plain text, one question a line).

    history_file keeps typed lines between sessions (default: under ~/.local/state); it is only used
    when stdin is a terminal.
    """
    try:
        assistant = assistant or _ensure_index(settings, err)
    except AssistantError as exc:
        print(f"error: {exc.message}", file=err)
        return 1

    busy: Callable[[], AbstractContextManager[object]] | None = None
    if is_terminal(out):
        from rich.console import Console

        console = Console(file=out, highlight=False)
        chat = Chat(assistant, markup=True, err=err, width=min(console.width, 120))

        def write(reply: str) -> None:
            console.print(reply)
            console.print()

        busy = partial(console.status, "searching…", spinner="dots")
        console.print(chat.header())
        console.print()
    else:
        chat = Chat(assistant, markup=False, err=err)
        first = True

        def write(reply: str) -> None:
            nonlocal first
            # Replies are separated by a blank line; piped output is the replies only.
            out.write(reply + "\n" if first else "\n" + reply + "\n")
            out.flush()
            first = False

        print(chat.header(), file=err)  # to stderr: piped output holds the replies only

    if is_terminal(stdin):
        from prompt_toolkit.output import create_output

        # Prompt where a person looks: stdout, unless it is redirected to a file.
        output = create_output(stdout=out if is_terminal(out) else err)
        read = prompt_reader(history_file or default_history_file(), output=output)
    else:
        read = _stream_reader(stdin)
    try:
        return chat_loop(chat, read, write, busy=busy)
    except BrokenPipeError:
        return 0
