"""Table and derived answers' fitted confidences: the shipped models, their shape, and real tables read
through the real loaders."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.answering.answer import build_answer
from assistant.answering.confidence import (
    DERIVED,
    DERIVED_FEATURES,
    STRUCTURED_FILE,
    SURE,
    TABLE,
    TABLE_FEATURES,
    derivation_confidence,
    load_scorer,
    load_structured,
    table_confidence,
)
from assistant.answering.reasons import below
from assistant.answering.results import Answer
from assistant.ingest.chunking import ChunkerSettings, chunk_document
from assistant.ingest.document import Document
from assistant.retrieval.search import Hit
from tests.tables.test_table_files import ANALYZE, ask, idf_over, load

Writer = Callable[[Path], Path]
ROWS = [
    ("Revenue", "1,450", "1,210"),
    ("Operating income", "320", "280"),
    ("Income tax expense", "60", "55"),
    ("Provision for doubtful accounts receivable", "12", "9"),
]


def ask_with(question: str, doc: Document, *, min_confidence: float) -> Answer:
    """As tests/tables' ask (every chunk a hit, in document order), with a minimum confidence."""
    chunks = chunk_document(doc, ChunkerSettings(max_tokens=200, overlap_tokens=20))
    hits = [Hit(c, 1.0 - i / 100, doc.title, doc.source, dense=0.5) for i, c in enumerate(chunks)]
    idf = idf_over([c.text for c in chunks])
    return build_answer(question, hits, analyze=ANALYZE, idf=idf, min_confidence=min_confidence)


def html_report(path: Path) -> Path:
    body = "".join(f"<tr><td>{r}</td><td>{a}</td><td>{b}</td></tr>" for r, a, b in ROWS)
    path.write_text(
        "<html><body><h1>Acme annual report</h1><table><thead><tr><th></th><th>2023</th><th>2022</th></tr>"
        f"</thead><tbody>{body}</tbody></table><p>Acme sells anvils.</p></body></html>",
        encoding="utf-8",
    )
    return path


def markdown_report(path: Path) -> Path:
    lines = ["| | 2023 | 2022 |", "|---|---|---|", *(f"| {r} | {a} | {b} |" for r, a, b in ROWS)]
    path.write_text(
        "# Acme annual report\n\n" + "\n".join(lines) + "\n\nAcme sells anvils.\n", encoding="utf-8"
    )
    return path


def test_the_shipped_models_load_and_read_the_declared_features() -> None:
    models = load_structured()
    assert models[TABLE].features == TABLE_FEATURES
    assert models[DERIVED].features == DERIVED_FEATURES
    raw = json.loads(STRUCTURED_FILE.read_text(encoding="utf-8"))
    assert set(raw) >= {"about", "fitted", TABLE, DERIVED}  # says what it was fitted on
    assert raw["fitted"]["table_answers"] > 0 and raw["fitted"]["derived_answers"] > 0
    # no default threshold: only a caller's minimum withholds a table or derived answer
    assert models[TABLE].threshold == 0.0 and models[DERIVED].threshold == 0.0


@pytest.mark.parametrize("name", ["row_match", "column_match"])
def test_table_confidence_rises_with_the_row_and_the_column_match(name: str) -> None:
    grid = [0.0, 0.34, 0.6, 1.0, 1.5]
    others = [n for n in ("row_match", "column_match") if n != name]
    for other, margin, period in itertools.product(grid, [0.0, 0.5, 1.0], [0.0, 1.0]):
        base = {others[0]: other, "row_margin": margin, "column_margin": margin, "period": period}
        values = [table_confidence({**base, name: v}) for v in grid]
        assert values == sorted(values), (base, values)
        assert values[-1] > values[0]
        assert all(0.0 <= v <= 1.0 for v in values)


def test_derivation_confidence_rises_with_the_weakest_operand() -> None:
    for margin, operands, percent in itertools.product([0.0, 0.5, 1.0], [2.0, 3.0], [0.0, 1.0]):
        base = {"min_margin": margin, "operands": operands, "percent": percent}
        values = [derivation_confidence({**base, "min_match": v}) for v in (0.0, 0.34, 0.6, 1.0, 1.5)]
        assert values == sorted(values) and values[-1] > values[0], (base, values)


@pytest.mark.parametrize("write", [html_report, markdown_report], ids=["html", "md"])
def test_a_clear_cell_is_more_confident_than_a_weak_one(tmp_path: Path, write: Writer) -> None:
    doc = load(write(tmp_path / ("acme.html" if write is html_report else "acme.md")))
    clear = ask("What was the income tax expense in 2023?", doc)
    weak = ask("What was the expense in 2023?", doc)  # the row only partly named
    assert clear.answer == "60" and weak.answer == "60" and not weak.abstained
    assert clear.features["row_match"] > weak.features["row_match"]
    assert clear.confidence == table_confidence(clear.features) >= SURE
    assert weak.confidence == table_confidence(weak.features) < SURE
    assert weak.confidence < clear.confidence - 0.3
    # an exact row with a lead over the next ("income" is in two other rows) beats a shared word
    other = ask("What was revenue in 2023?", doc)
    assert other.answer == "1,450" and other.confidence >= clear.confidence - 0.05


@pytest.mark.parametrize("write", [html_report, markdown_report], ids=["html", "md"])
def test_a_weak_cell_is_given_by_default_and_withheld_below_a_minimum(tmp_path: Path, write: Writer) -> None:
    doc = load(write(tmp_path / ("acme.html" if write is html_report else "acme.md")))
    question = "What was the provision in 2023?"  # one word of a four-word row label
    given = ask(question, doc)
    assert not given.abstained and given.answer == "12"
    minimum = load_scorer().threshold  # the prose answers' default, as a caller's minimum
    assert given.confidence == table_confidence(given.features) < minimum
    withheld = ask_with(question, doc, min_confidence=minimum)
    assert withheld.abstained and withheld.confidence == given.confidence
    assert withheld.features == given.features  # what it was judged on
    assert withheld.reason == f"the closest answer, 12, {below(given.confidence, minimum)}"


@pytest.mark.parametrize("write", [html_report, markdown_report], ids=["html", "md"])
def test_a_derived_answer_from_clear_operands_is_more_confident(tmp_path: Path, write: Writer) -> None:
    doc = load(write(tmp_path / ("acme.html" if write is html_report else "acme.md")))
    clear = ask("What was the change in income tax expense from 2022 to 2023?", doc)
    weak = ask("What was the change in tax from 2022 to 2023?", doc)
    assert clear.derivation is not None and weak.derivation is not None
    assert clear.answer == weak.answer == "+5"
    assert clear.features["min_match"] > weak.features["min_match"]
    assert clear.confidence == derivation_confidence(clear.features) > weak.confidence
    assert weak.confidence == derivation_confidence(weak.features)
    # the answer carries what its confidence read, the operation included
    rate = ask("What was the percentage change in revenue from 2022 to 2023?", doc)
    assert rate.answer == "+19.83 percent" and rate.features["percent"] == 1.0
    assert clear.features["percent"] == 0.0 and clear.features["operands"] == 2.0
