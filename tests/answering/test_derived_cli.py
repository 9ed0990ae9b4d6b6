"""A derived figure end to end: a real HTML report indexed with the real model through the CLI, asked once
for JSON and once for the terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent.parent
REPORT = """<html><head><title>Annual report 2019</title></head><body>
<p>The group's cash generation improved in 2019.</p>
<table><caption>Consolidated cash flows (in millions)</caption>
<thead><tr><th></th><th>2019</th><th>2018</th></tr></thead>
<tbody>
<tr><td>Net cash provided by operating activities</td><td>4,421.8</td><td>4,029.3</td></tr>
<tr><td>Net cash used in investing activities</td><td>(1,200.5)</td><td>(980.0)</td></tr>
</tbody></table></body></html>"""
QUESTION = "What was the percentage change in net cash provided by operating activities from 2018 to 2019?"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=600,
        cwd=ROOT,
    )


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("derived-cli")
    corpus = base / "corpus"
    corpus.mkdir()
    (corpus / "report.html").write_text(REPORT, encoding="utf-8")
    result = run("index", "--corpus", str(corpus), "--index", str(base / "index"))
    assert result.returncode == 0, result.stderr
    return base / "index"


def test_ask_json_carries_the_derivation(index: Path) -> None:
    result = run("ask", QUESTION, "--index", str(index), "--json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["answer"] == "+9.74 percent" and not answer["abstained"]
    d = answer["derivation"]
    assert d["operation"] == "percentage change" and d["formula"] == "(4,421.8 - 4,029.3) / 4,029.3 x 100"
    assert [(o["text"], o["period"]) for o in d["operands"]] == [("4,421.8", "2019"), ("4,029.3", "2018")]


def test_ask_text_shows_the_working(index: Path) -> None:
    result = run(
        "ask",
        "What was the change in net cash used in investing activities from 2018 to 2019?",
        "--index",
        str(index),
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Answer: -220.5 million"
    assert lines[1] == "  -220.5 million = (-1,200.5) - (-980.0)"
    assert lines[2].endswith("] Net cash used in investing activities, 2019: (1,200.5)")
    assert lines[3].endswith("] Net cash used in investing activities, 2018: (980.0)")
