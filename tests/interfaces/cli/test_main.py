"""The CLI end to end: the real packaged model over the seed article, batch mode, and one-line errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SEED = ROOT / "corpus" / "china-digital-economy-2022.txt"
QUESTION = "How large was China's digital economy in 2021?"


def run(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=300,
        cwd=ROOT,
    )


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The seed article indexed once with the real model through the CLI."""
    base = tmp_path_factory.mktemp("seed")
    corpus = base / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    index = base / "index"
    result = run("index", "--corpus", str(corpus), "--index", str(index))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("1 added, 0 updated, 0 removed, 0 unchanged; 1 documents, ")
    return corpus, index


@pytest.mark.slow
def test_index_rerun_reports_up_to_date(seed_index: tuple[Path, Path]) -> None:
    corpus, index = seed_index
    result = run("index", "--corpus", str(corpus), "--index", str(index))
    assert result.returncode == 0
    assert result.stdout.startswith("index is up to date; 0 added, 0 updated, 0 removed, 1 unchanged;")
    assert "(0 embedded)" in result.stdout


@pytest.mark.slow
def test_ask_json_answers_the_seed_question(seed_index: tuple[Path, Path]) -> None:
    _, index = seed_index
    result = run("ask", QUESTION, "--index", str(index), "--json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["question"] == QUESTION
    assert answer["answer"] == "45.5 trillion yuan"
    assert "45.5 trillion yuan" in answer["sentence"]["text"]
    cited = answer["citations"][answer["sentence"]["citation"] - 1]
    assert cited["source"] == SEED.name and cited["doc_id"] == SEED.name
    assert cited["title"].startswith("China Resilience")
    text = SEED.read_text()
    # The citation's span points at the passage in the document's text (after the front matter).
    from assistant.ingest.decoding import split_front_matter

    body = split_front_matter(text)[1]
    assert body[cited["start"] : cited["end"]] == cited["text"]
    assert set(cited) == {
        "n",
        "doc_id",
        "title",
        "source",
        "page",
        "start",
        "end",
        "text",
        "score",
        "focus",
        "table",
    }
    # the cited passage's focus is the answer's sentence, in document offsets
    assert body[cited["focus"]["start"] : cited["focus"]["end"]] == answer["sentence"]["text"]
    assert answer["figure"]["value"] == pytest.approx(4.55e13)


@pytest.mark.slow
def test_ask_text_output(seed_index: tuple[Path, Path]) -> None:
    _, index = seed_index
    result = run("ask", QUESTION, "--index", str(index))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Answer: 45.5 trillion yuan [")
    assert lines[1].startswith("From: ") and "45.5 trillion yuan in 2021" in lines[1]
    assert any(line.startswith("[1] China Resilience") and SEED.name in line for line in lines)


@pytest.mark.slow
def test_batch_mode_prints_one_json_line_per_question_in_order(seed_index: tuple[Path, Path]) -> None:
    _, index = seed_index
    questions = [QUESTION, "   ", "What share of China's GDP did the digital economy account for?"]
    result = run("ask", "-", "--index", str(index), stdin="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["question"] for r in rows] == [questions[0], questions[2]]
    assert rows[0]["answer"] == "45.5 trillion yuan"
    assert rows[1]["answer"] == "39.8 percent"
    assert all(0.0 <= r["confidence"] <= 1.0 and r["reason"] is None for r in rows)
    strict = run("ask", "-", "--index", str(index), "--min-confidence", "1", stdin=QUESTION + "\n")
    withheld = json.loads(strict.stdout)
    assert withheld["abstained"] and withheld["confidence"] == rows[0]["confidence"]
    assert withheld["reason"].startswith(
        "no clear amount of money for china digital economy: the closest, 45.5"
    )
    search = run("search", "-", "--index", str(index), "-k", "2", stdin="data output\nMSMEs\n")
    hits = [json.loads(line) for line in search.stdout.splitlines()]
    assert [h["query"] for h in hits] == ["data output", "MSMEs"]
    assert all(len(h["hits"]) == 2 for h in hits)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", "   "], "error: the question is empty"),
        (["search", ""], "error: the query is empty"),
        (
            ["index", "--corpus", "/nonexistent/corpus"],
            "error: corpus directory not found: /nonexistent/corpus",
        ),
    ],
)
@pytest.mark.slow
def test_errors_are_one_line_without_traceback(tmp_path: Path, args: list[str], message: str) -> None:
    result = run(*args, "--index", str(tmp_path / "idx"))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [message] or result.stderr.strip().startswith(message)
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_missing_index_says_how_to_build_it(tmp_path: Path) -> None:
    result = run("ask", QUESTION, "--index", str(tmp_path / "none"))
    assert result.returncode == 1
    # the hint names the folders: a plain `python cli.py index` would build index/, not the one asked for
    assert result.stderr.strip() == (
        f"error: no index in {tmp_path / 'none'}; build one with: "
        f"python cli.py index --corpus {ROOT / 'corpus'} --index {tmp_path / 'none'}"
    )


@pytest.mark.slow
def test_env_sets_the_default_index(tmp_path: Path) -> None:
    result = run("ask", QUESTION, env={"ASSISTANT_INDEX": str(tmp_path / "envidx")})
    assert result.returncode == 1
    assert str(tmp_path / "envidx") in result.stderr


@pytest.mark.slow
def test_help_is_fast_and_lists_commands() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("index", "ask", "search", "figures", "chat", "serve"):
        assert command in result.stdout


@pytest.mark.slow
def test_one_shot_commands_note_a_corpus_changed_since_the_index_was_built(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    report = corpus / "harbour.txt"
    report.write_text("Harbour report\n\nThe harbour handled 12 million containers in 2021.")
    env = {"ASSISTANT_CORPUS": str(corpus), "ASSISTANT_INDEX": str(index)}
    assert run("index", env=env).returncode == 0
    question = "How many containers did the harbour handle?"
    quiet = run("ask", question, env=env)
    assert quiet.returncode == 0 and quiet.stderr == ""
    os.utime(report, ns=(1, 1))  # touched, same bytes: no change
    assert run("ask", question, env=env).stderr == ""
    report.write_text("Harbour report\n\nThe harbour handled 15 million containers in 2021.")
    (corpus / "airport.txt").write_text("The airport handled 9 million passengers.")
    for args in (("ask", question), ("search", "harbour"), ("figures", "harbour")):
        result = run(*args, env=env)
        assert result.returncode == 0, result.stderr
        assert result.stderr == (
            f"note: {corpus} changed since the index was built (1 new, 1 changed, 0 removed); "
            f"run: python cli.py index --corpus {corpus} --index {index}\n"
        )
    assert run("ask", question, env=env).stdout.startswith("Answer: 12 million containers")  # still the index


def test_the_installed_command_points_at_main() -> None:
    from importlib.metadata import entry_points

    from assistant.interfaces.cli.main import main

    (script,) = entry_points(group="console_scripts", name="figure-assistant")
    assert script.load() is main


@pytest.mark.slow
def test_the_installed_command_runs() -> None:
    command = Path(sys.executable).parent / "figure-assistant"
    result = subprocess.run([str(command), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: figure-assistant ")


def test_min_confidence_outside_zero_to_one_is_refused(tmp_path: Path) -> None:
    result = run("ask", QUESTION, "--min-confidence", "2", "--index", str(tmp_path / "idx"))
    assert result.returncode == 2
    assert "argument --min-confidence: must be between 0 and 1, got 2" in result.stderr
    assert "Traceback" not in result.stderr
