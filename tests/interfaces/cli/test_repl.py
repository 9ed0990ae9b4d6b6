"""The terminal chat driven with injected lines: plain-text output asserted exactly, commands and errors."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest

import assistant.embedding.export as export
from assistant.assistant import Assistant
from assistant.config import Settings
from assistant.errors import ExportFailed
from assistant.interfaces.cli import render
from assistant.interfaces.cli.notes import export_note
from assistant.interfaces.cli.repl import Chat, _export_again, chat_loop, prompt_reader, run_chat
from assistant.storage.build import build_index
from tests.embedding.test_similarity import write_tiny_export
from tests.fakes import FakeEmbedder

ROOT = Path(__file__).resolve().parents[3]
QUESTION = "How large was China's digital economy in 2021?"
FOLLOW_UP = "And what share of GDP was that?"

DOCS = {
    "economy.txt": "Digital economy\n\nThe scale of China's digital economy came to 45.5 trillion yuan in 2021, "
    "accounting for 39.8 percent of GDP. Data output reached 6.6ZB in 2021, a year-on-year increase of 29.4 percent.",
    "harbour.txt": "Harbour report\n\nThe harbour handled 12 million containers in 2022. "
    "Dockers unloaded 300 ships in a single month.",
    "orchard.txt": "Orchard notes\n\nThe orchard grows apples and pears on 40 hectares. "
    "The cellar ferments 4,000 litres of cider a year.",
    "payments.txt": "Mobile payments\n\nMobile money payments in Kenya were worth 55 percent of GDP in 2021. "
    "There were 38.4 million accounts.",
    "rail.txt": "Rail freight\n\nRail freight volumes rose 7 percent to 4.9 billion tonnes in 2022.",
    "solar.txt": "Solar power\n\nSolar panels supplied 12.5 percent of the electricity in 2022, up from 10 percent in 2021.",
}

ECONOMY = (
    "Digital economy The scale of China's digital economy came to 45.5 trillion yuan in 2021, accounting for "
    "39.8 percent of GDP. Data output reached 6.6ZB in 2021, a year-on-year increase of 29.4 percent."
)
PAYMENTS = "Mobile payments Mobile money payments in Kenya were worth 55 percent of GDP in 2021. There were 38.4 million accounts."
SOLAR = (
    "Solar power Solar panels supplied 12.5 percent of the electricity in 2022, up from 10 percent in 2021."
)
HARBOUR = "Harbour report The harbour handled 12 million containers in 2022. Dockers unloaded 300 ships in a single month."

ANSWER = f"""Answer: 45.5 trillion yuan [1]
From: The scale of China's digital economy came to 45.5 trillion yuan in 2021, accounting for 39.8 percent of GDP.

[1] Digital economy — economy.txt, chars 0-201
[2] Mobile payments — payments.txt, chars 0-119
[3] Solar power — solar.txt, chars 0-103
[4] Rail freight — rail.txt, chars 0-80
[5] Harbour report — harbour.txt, chars 0-112

  [1] {ECONOMY}
  [2] {PAYMENTS}
  [3] {SOLAR}"""

HELP = """Ask a question in plain words; follow-up questions are read in the light of the earlier ones.
  :sources N      passage N of the last answer in full, with its location (no N: list them)
  :figures TOPIC  the figures in the passages about TOPIC
  :docs           the indexed documents
  :reindex        update the index from the corpus
  :k N            passages per answer, 1 to 50
  :json           switch JSON output of answers on or off
  :new            start a new conversation (earlier questions are forgotten)
  :help           this list
  :quit           leave (also :q, :exit or Ctrl-D)"""


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in DOCS.items():
        (corpus / name).write_text(text)
    # the fake embedder's similarities are not the model's, so the scorer fitted on the model's would
    # withhold answers at random here: the chat answers whatever the rules find (the scorer is tested apart)
    return replace(Settings(), corpus_dir=corpus, index_dir=tmp_path / "index", min_confidence=0.0)


@pytest.fixture
def assistant(settings: Settings) -> Assistant:
    fake = FakeEmbedder(64)
    build_index(settings.corpus_dir, settings.index_dir, fake)
    return Assistant.open(settings=settings, embedder=fake)


def chat(assistant: Assistant, *lines: str) -> str:
    """What the chat prints on stdout for these input lines (piped, so plain text)."""
    out, err = io.StringIO(), io.StringIO()
    stdin = io.StringIO("".join(line + "\n" for line in lines))
    assert run_chat(assistant.settings, stdin=stdin, out=out, err=err, assistant=assistant) == 0
    return sure(out.getvalue())


def sure(text: str) -> str:
    """The output with a weak answer's line as a sure one's: how sure the scorer is depends on the fake
    embedder (test_render checks the "probably ..., confidence P" line)."""
    return re.sub(r"^Answer: probably (.*) \(confidence \d\.\d\d\)$", r"Answer: \1", text, flags=re.M)


def replies(*texts: str) -> str:
    """Replies as the chat prints them: separated by a blank line."""
    return "\n\n".join(texts) + "\n"


def test_a_question_gets_its_answer_with_citations_and_passages(assistant: Assistant) -> None:
    assert chat(assistant, QUESTION) == replies(ANSWER)


def test_header_names_the_index_and_goes_to_stderr(assistant: Assistant, settings: Settings) -> None:
    out, err = io.StringIO(), io.StringIO()
    run_chat(settings, stdin=io.StringIO(""), out=out, err=err, assistant=assistant)
    assert out.getvalue() == ""
    assert err.getvalue() == (
        "6 documents, 6 chunks, model fake-embedder\n"
        f"corpus: {settings.corpus_dir}\n"
        f"index: {settings.index_dir}\n"
        "Ask a question, or type :help for commands.\n"
    )


def test_help(assistant: Assistant) -> None:
    assert chat(assistant, ":help") == replies(HELP)


def test_k_3_then_a_question_shows_3_citations(assistant: Assistant) -> None:
    three = f"""Answer: 45.5 trillion yuan [1]
From: The scale of China's digital economy came to 45.5 trillion yuan in 2021, accounting for 39.8 percent of GDP.

[1] Digital economy — economy.txt, chars 0-201
[2] Mobile payments — payments.txt, chars 0-119
[3] Solar power — solar.txt, chars 0-103

  [1] {ECONOMY}
  [2] {PAYMENTS}
  [3] {SOLAR}"""
    assert chat(assistant, ":k 3", QUESTION, ":k") == replies(
        "passages per answer: 3", three, "passages per answer: 3"
    )


@pytest.mark.parametrize("arg", ["abc", "0", "51", "-1", "2.5"])
def test_k_out_of_range_is_one_line_and_keeps_k(assistant: Assistant, arg: str) -> None:
    assert chat(assistant, f":k {arg}", ":k") == replies(
        f"error: :k takes a whole number from 1 to 50, not '{arg}'", "passages per answer: 5"
    )


def test_sources_n_shows_the_passage_in_full_with_its_location(assistant: Assistant) -> None:
    full = (
        "[1] Digital economy — economy.txt, chars 0-201\n\n"
        "Digital economy\n\nThe scale of China's digital economy came to 45.5 trillion yuan in 2021, accounting "
        "for 39.8 percent of GDP. Data output reached 6.6ZB in 2021, a year-on-year increase of 29.4 percent."
    )
    assert chat(assistant, QUESTION, ":sources 1") == replies(ANSWER, full)


def test_sources_without_n_lists_the_citations(assistant: Assistant) -> None:
    listing = (
        "[1] Digital economy — economy.txt, chars 0-201\n"
        "[2] Mobile payments — payments.txt, chars 0-119\n"
        "[3] Solar power — solar.txt, chars 0-103\n"
        "[4] Rail freight — rail.txt, chars 0-80\n"
        "[5] Harbour report — harbour.txt, chars 0-112"
    )
    assert chat(assistant, QUESTION, ":sources") == replies(ANSWER, listing)


@pytest.mark.parametrize("arg", ["9", "0", "x"])
def test_sources_out_of_range_is_one_line(assistant: Assistant, arg: str) -> None:
    assert chat(assistant, QUESTION, f":sources {arg}") == replies(
        ANSWER, f"error: no passage {arg}; the last answer cites passages 1 to 5"
    )


def test_sources_before_any_answer(assistant: Assistant) -> None:
    assert chat(assistant, ":sources 1") == replies("error: no passages yet; ask a question first")


def test_figures_lists_the_figures_about_a_topic_and_their_passages(assistant: Assistant) -> None:
    figures = """[1] 45.5 trillion yuan (money) — The scale of China's digital economy came to 45.5 trillion yuan in 2021, accounting for 39.8 percent of GDP.
[1] 2021 (year) — …of China's digital economy came to 45.5 trillion yuan in 2021, accounting for 39.8 percent of GDP.
[1] 39.8 percent (percent) — …economy came to 45.5 trillion yuan in 2021, accounting for 39.8 percent of GDP.
[1] 6.6ZB (data_size) — Data output reached 6.6ZB in 2021, a year-on-year increase of 29.4 percent.
[1] 2021 (year) — Data output reached 6.6ZB in 2021, a year-on-year increase of 29.4 percent.
[1] 29.4 percent (percent) — …output reached 6.6ZB in 2021, a year-on-year increase of 29.4 percent.

[1] Digital economy — economy.txt, chars 0-201"""
    assert chat(assistant, ":k 1", ":figures data output") == replies("passages per answer: 1", figures)


def test_figures_needs_a_topic(assistant: Assistant) -> None:
    assert chat(assistant, ":figures") == replies("error: usage: :figures TOPIC")


def test_docs_lists_the_indexed_documents(assistant: Assistant) -> None:
    docs = """economy.txt — Digital economy (1 chunk)
harbour.txt — Harbour report (1 chunk)
orchard.txt — Orchard notes (1 chunk)
payments.txt — Mobile payments (1 chunk)
rail.txt — Rail freight (1 chunk)
solar.txt — Solar power (1 chunk)"""
    assert chat(assistant, ":docs") == replies(docs)


def test_json_toggle_prints_the_answer_as_json(assistant: Assistant) -> None:
    out = chat(assistant, ":json", QUESTION, ":json", QUESTION)
    on, raw, rest = out.split("\n\n", 2)
    assert on == "JSON output on"
    assert "\n" not in raw
    assert json.loads(raw) == assistant.ask(QUESTION, k=5).to_dict()
    assert rest == replies("JSON output off", ANSWER)


def test_follow_up_uses_the_conversation_and_new_forgets_it(assistant: Assistant) -> None:
    with_history = """Answer: 39.8 percent [1]
From: The scale of China's digital economy came to 45.5 trillion yuan in 2021, accounting for 39.8 percent of GDP.

[1] Digital economy — economy.txt, chars 0-201
[2] Mobile payments — payments.txt, chars 0-119
[3] Solar power — solar.txt, chars 0-103
[4] Harbour report — harbour.txt, chars 0-112
[5] Orchard notes — orchard.txt, chars 0-115"""
    # asked alone, the follow-up is about Kenya
    head = sure(render.answer_text(assistant.ask(FOLLOW_UP, k=5))).splitlines()[0]
    assert head == "Answer: 55 percent [1]"
    alone = f"""{head}
From: Mobile money payments in Kenya were worth 55 percent of GDP in 2021.

[1] Mobile payments — payments.txt, chars 0-119
[2] Digital economy — economy.txt, chars 0-201
[3] Harbour report — harbour.txt, chars 0-112
[4] Solar power — solar.txt, chars 0-103
[5] Orchard notes — orchard.txt, chars 0-115"""
    out = chat(assistant, QUESTION, FOLLOW_UP, ":new", FOLLOW_UP)
    assert out == replies(
        ANSWER,
        f"{with_history}\n\n  [1] {ECONOMY}\n  [2] {PAYMENTS}\n  [3] {SOLAR}",
        "new conversation",
        f"{alone}\n\n  [1] {PAYMENTS}\n  [2] {ECONOMY}\n  [3] {HARBOUR}",
    )
    assert out.endswith(replies(chat(assistant, FOLLOW_UP).rstrip("\n")))


def test_the_conversation_keeps_the_questions_since_new(assistant: Assistant) -> None:
    session = Chat(assistant)
    session.handle(QUESTION)
    session.handle(FOLLOW_UP)
    assert session.history == [QUESTION, FOLLOW_UP]
    session.handle(":new")
    assert session.history == []
    session.handle(":docs")
    assert session.history == []


def test_unknown_command_is_one_line(assistant: Assistant) -> None:
    assert chat(assistant, ":frobnicate now", ":docs").startswith(
        "error: unknown command :frobnicate; type :help for the commands\n\n"
    )


def test_an_error_from_the_assistant_is_one_line_and_the_chat_goes_on(assistant: Assistant) -> None:
    assert chat(assistant, "x" * 2001, ":k") == replies(
        "error: the question is 2001 characters long; the limit is 2000", "passages per answer: 5"
    )


def test_empty_lines_are_ignored(assistant: Assistant) -> None:
    assert chat(assistant, "", "   ", ":k", "") == replies("passages per answer: 5")


def test_eof_exits_0(assistant: Assistant) -> None:
    assert chat(assistant) == ""


def test_quit_stops_reading(assistant: Assistant) -> None:
    for word in (":quit", ":q", ":exit"):
        assert chat(assistant, ":k", word, QUESTION) == replies("passages per answer: 5")


def test_reindex_reports_the_added_file(assistant: Assistant, settings: Settings) -> None:
    (settings.corpus_dir / "wind.txt").write_text(
        "Wind power\n\nWind turbines generated 125 terawatt hours in 2022."
    )
    out = chat(assistant, ":reindex", ":reindex", "How much did wind turbines generate?")
    out = re.sub(r"in \d+\.\d s", "in 0.0 s", out)
    first, second, answer = out.split("\n\n", 2)
    assert (
        first
        == "1 added, 0 updated, 0 removed, 6 unchanged; 7 documents, 7 chunks (1 embedded) in 0.0 s; 0 skipped"
    )
    assert second == (
        "index is up to date; 0 added, 0 updated, 0 removed, 7 unchanged; 7 documents, 7 chunks (0 embedded) "
        "in 0.0 s; 0 skipped"
    )
    assert answer.startswith("Answer: 125 terawatt hours [1]\n")  # the new document is searched at once


def test_ctrl_c_drops_the_line_and_the_chat_goes_on(assistant: Assistant) -> None:
    lines: list[object] = [KeyboardInterrupt(), ":k 2", KeyboardInterrupt(), ":k", None]
    written: list[str] = []

    def read() -> str | None:
        item = lines.pop(0)
        if isinstance(item, BaseException):
            raise item
        return item  # type: ignore[return-value]

    assert chat_loop(Chat(assistant), read, written.append) == 0
    assert written == ["passages per answer: 2", "passages per answer: 2"]


def test_ctrl_c_during_an_answer_cancels_it(assistant: Assistant, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(assistant, "ask", interrupted)
    assert chat(assistant, QUESTION, ":k") == replies("passages per answer: 5")


def test_missing_corpus_and_index_is_one_line_and_exit_1(tmp_path: Path) -> None:
    settings = replace(Settings(), corpus_dir=tmp_path / "nothing", index_dir=tmp_path / "index")
    out, err = io.StringIO(), io.StringIO()
    assert run_chat(settings, stdin=io.StringIO(QUESTION), out=out, err=err) == 1
    assert out.getvalue() == ""
    assert err.getvalue() == (
        f"error: no index in {tmp_path / 'index'}, and no corpus to build one from: "
        f"{tmp_path / 'nothing'} is not a directory\n"
    )


@pytest.fixture
def every_answer_sure(monkeypatch: pytest.MonkeyPatch) -> None:
    """A sure answer's rendering, whatever the scorer makes of the fake embedder's similarities."""
    from assistant.answering import confidence

    monkeypatch.setattr(confidence, "SURE", 0.0)


@pytest.mark.usefixtures("every_answer_sure")
def test_terminal_output_is_rich(assistant: Assistant, settings: Settings) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Terminal()
    run_chat(settings, stdin=io.StringIO(QUESTION + "\n"), out=out, err=io.StringIO(), assistant=assistant)
    text = out.getvalue()
    assert "\x1b[1;32m45.5 trillion yuan\x1b[0m" in text  # the answer in bold green
    assert "\x1b[1;7m45.5 trillion yuan\x1b[0m" in text  # highlighted in its sentence
    assert ":sources N shows passage N in full" in text


@pytest.mark.usefixtures("every_answer_sure")
def test_terminal_answer_folds_the_passages(assistant: Assistant) -> None:
    from rich.console import Console

    console = Console(file=io.StringIO(), width=80, color_system=None)
    console.print(Chat(assistant, markup=True, width=80).handle(QUESTION))
    lines = console.file.getvalue().splitlines()  # type: ignore[attr-defined]
    assert lines[:8] == [
        "45.5 trillion yuan [1]",
        "The scale of China's digital economy came to 45.5 trillion yuan in 2021, ",
        "accounting for 39.8 percent of GDP.",
        "",
        "[1] Digital economy — economy.txt",
        "    Digital economy The scale of China's digital economy came to 45.5 trillion",
        "    yuan in 2021, accounting for 39.8 percent of GDP. Data output reached …",
        "",
    ]
    assert lines[-1] == ":sources N shows passage N in full"


def test_prompt_reader_keeps_history_in_a_file(tmp_path: Path) -> None:
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    history = tmp_path / "state" / "chat-history"
    with create_pipe_input() as pipe:
        pipe.send_text("first question\r")
        read = prompt_reader(history, input=pipe, output=DummyOutput())
        assert read() == "first question"
        pipe.send_text("\x04")  # Ctrl-D on an empty line
        assert read() is None
    assert "+first question" in history.read_text()


def test_a_chat_that_cannot_export_again_answers_through_torch_and_says_what_to_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = replace(Settings(), index_dir=tmp_path / "my index", corpus_dir=tmp_path / "docs")
    write_tiny_export(settings.index_dir / "onnx")

    def read_only(index_dir: Path, embedder: object) -> bool:
        raise ExportFailed(f"could not write the ONNX export in {index_dir / 'onnx'} (Read-only file system)")

    monkeypatch.setattr(export, "ensure_query_export", read_only)
    opened = SimpleNamespace(embedder=FakeEmbedder())
    note = export_note(settings, opened.embedder)
    assert note is not None
    err = io.StringIO()
    assert _export_again(settings, opened, note, err) is opened  # type: ignore[arg-type]
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("the index's ONNX export is out of date; exporting it again")
    assert lines[1].endswith("(Read-only file system)")
    assert lines[2] == note


# --- the real command line ------------------------------------------------------------------------------


@pytest.mark.slow  # the real model: about 20 s, most of it building the index
@pytest.mark.slow
def test_piped_chat_prints_plain_text(tmp_path: Path) -> None:
    """`printf 'question\\n' | python cli.py chat`: builds the index on first use, then answers in plain text."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "china.txt").write_text((ROOT / "corpus" / "china-digital-economy-2022.txt").read_text())
    result = subprocess.run(
        [sys.executable, "cli.py", "chat", "--index", str(tmp_path / "index"), "--corpus", str(corpus)],
        input=f"{QUESTION}\n:k 2\n:sources 1\n",
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout
    assert result.stdout.startswith("Answer: ")
    assert "\n[1] China Resilience: China's booming digital economy" in result.stdout
    assert "\n\npassages per answer: 2\n\n[1] China Resilience: " in result.stdout
    # without the progress lines a log gets every few seconds of a build (stderr is not a terminal here)
    log = "".join(line for line in result.stderr.splitlines(True) if not line.startswith("indexing: "))
    assert log.startswith(f"no index in {tmp_path / 'index'} yet; building it from {corpus}\n1 added, ")


@pytest.mark.slow
def test_chat_brings_a_stale_index_up_to_date_before_answering(tmp_path: Path) -> None:
    """Real model: a corpus file edited since the index was built is re-indexed when the chat opens."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    report = corpus / "harbour.txt"
    report.write_text("Harbour report\n\nThe harbour handled 12 million containers in 2021.")
    settings = replace(Settings(), corpus_dir=corpus, index_dir=tmp_path / "index")
    question = "How many containers did the harbour handle in 2021?\n"

    def chat_once() -> tuple[str, str]:
        out, err = io.StringIO(), io.StringIO()
        assert run_chat(settings, stdin=io.StringIO(question), out=out, err=err) == 0
        # without the progress lines a log gets every few seconds of a build (err is not a terminal)
        lines = err.getvalue().splitlines(True)
        return out.getvalue(), "".join(line for line in lines if not line.startswith("indexing: "))

    out, _ = chat_once()
    assert out.startswith("Answer: 12 million containers")
    report.write_text("Harbour report\n\nThe harbour handled 15 million containers in 2021.")
    out, err = chat_once()
    assert err.startswith(
        f"{corpus} changed since the index was built (0 new, 1 changed, 0 removed); updating it\n"
        "0 added, 1 updated, 0 removed, 0 unchanged"
    )
    assert out.startswith("Answer: 15 million containers")
    out, err = chat_once()  # nothing changed: the index opens as it is
    assert err.startswith("1 document, 1 chunk, model") and "changed" not in err
    assert out.startswith("Answer: 15 million containers")

    # an export written by an older version (or damaged) is exported again, once, and then used
    from assistant.embedding.onnx import EXPORT_FORMAT, MANIFEST_FILE, OnnxEmbedder

    manifest_path = tmp_path / "index" / "onnx" / MANIFEST_FILE
    manifest = json.loads(manifest_path.read_text())
    manifest_path.write_text(json.dumps({**manifest, "format": EXPORT_FORMAT - 1}))
    out, err = chat_once()
    assert "the index's ONNX export is out of date; exporting it again" in err and "run:" not in err
    assert json.loads(manifest_path.read_text())["format"] == EXPORT_FORMAT
    assert out.startswith("Answer: 15 million containers")
    from assistant.interfaces.cli.repl import _ensure_index

    assert isinstance(_ensure_index(settings, io.StringIO()).embedder, OnnxEmbedder)

    from filelock import FileLock

    report.write_text("Harbour report\n\nThe harbour handled 18 million containers in 2021.")
    with FileLock(str(tmp_path / "index" / ".lock")):  # another process is building
        out, err = chat_once()
    assert "another process is building" in err and "answering from the index as it is" in err
    assert out.startswith("Answer: 15 million containers")

    # the same index opened with another corpus folder is left as it is: it was not built from that one
    other = tmp_path / "other"
    other.mkdir()
    (other / "airport.txt").write_text("Airport report\n\nThe airport handled 9 million passengers in 2021.")
    settings = replace(settings, corpus_dir=other)
    before = (tmp_path / "index" / "CURRENT").read_text()
    out, err = chat_once()
    assert "changed" not in err and (tmp_path / "index" / "CURRENT").read_text() == before
    assert out.startswith("Answer: 15 million containers")
