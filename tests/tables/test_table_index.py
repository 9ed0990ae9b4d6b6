"""Tables through the index and the interfaces: pieces keep whole rows with their header, the index keeps the
table structure, citations point at the cell in JSON, in the terminal and over HTTP."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.assistant import Assistant
from assistant.config import Settings
from assistant.errors import IndexMismatch
from assistant.ingest.chunking import ChunkerSettings, chunk_document
from assistant.ingest.loaders import load_file
from assistant.interfaces.cli import render
from assistant.interfaces.http.app import create_app
from assistant.schema import AnswerOut
from assistant.storage.build import build_index
from assistant.storage.generations import FORMAT_VERSION, open_index
from assistant.tables.model import row_line
from tests.fakes import FakeEmbedder
from tests.helpers import through_schema

REPORT = """# Acme annual report

Acme makes anvils and sells them worldwide. The year was a good one for the company.

Table 2: Segment results (in millions)

| Segment | 2023 | 2022 |
|---|---:|---:|
| Anvils | 900 | 800 |
| Hammers | 350 | 300 |
| Tongs | (20) | 15 |
| Total revenue | 1,230 | 1,115 |

The chief executive retired in March after twenty years with Acme.
"""


def make_assistant(root: Path) -> Assistant:
    corpus = root / "corpus"
    corpus.mkdir(parents=True)
    (corpus / "acme.md").write_text(REPORT, encoding="utf-8")
    (corpus / "notes.txt").write_text(
        "Weather notes\n\nIt rained 120 millimetres in April.", encoding="utf-8"
    )
    build_index(corpus, root / "index", FakeEmbedder(dimension=64))
    settings = replace(Settings(), corpus_dir=corpus, index_dir=root / "index", rate_limit=0)
    return Assistant.open(root / "index", settings=settings, embedder=FakeEmbedder(dimension=64))


@pytest.fixture(scope="module")
def acme(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    return make_assistant(tmp_path_factory.mktemp("tables"))


def test_pieces_keep_rows_whole_and_carry_the_header(tmp_path: Path) -> None:
    path = tmp_path / "acme.md"
    path.write_text(REPORT, encoding="utf-8")
    doc = load_file(path, path.name)[0]
    # a tiny budget: one row per piece
    chunks = chunk_document(doc, ChunkerSettings(max_tokens=12, overlap_tokens=0))
    pieces = [c for c in chunks if c.table is not None]
    table = doc.tables[0].table
    assert len(pieces) == len(table.body)
    for i, chunk in enumerate(pieces):
        assert chunk.text == doc.text[chunk.start : chunk.end]
        assert chunk.text.endswith(row_line(table, i))  # whole rows only
        assert chunk.table is not None
        assert chunk.table.table.caption == "Table 2: Segment results (in millions)"
        assert chunk.table.table.grid[0] == ("Segment", "2023", "2022")
        assert chunk.table.rows == (1 + i,)
    assert row_line(table, 0) == "Anvils: 2023 900; 2022 800"
    # no piece holds prose
    assert all("anvils and sells" not in c.text for c in pieces)


def test_the_index_keeps_table_pieces(acme: Assistant) -> None:
    reader = acme.reader
    stored = reader.chunks(list(range(reader.size)))
    tables = [s.chunk.table for s in stored.values() if s.chunk.table is not None]
    assert tables and all(t.table.caption.startswith("Table 2") for t in tables)
    assert {r for t in tables for r in t.rows} == {1, 2, 3, 4}


def test_an_index_of_the_previous_format_is_refused_with_the_fix(tmp_path: Path, acme: Assistant) -> None:
    index = acme.settings.index_dir
    gen = sorted(index.glob("gen-*"))[-1]
    manifest = json.loads((gen / "manifest.json").read_text())
    assert manifest["format_version"] == FORMAT_VERSION == 2
    copy = tmp_path / "old"
    import shutil

    shutil.copytree(index, copy)
    old_gen = sorted(copy.glob("gen-*"))[-1]
    (old_gen / "manifest.json").write_text(json.dumps({**manifest, "format_version": 1}))
    with pytest.raises(IndexMismatch, match=r"rebuild with: python cli\.py index --rebuild"):
        open_index(copy, model=FakeEmbedder(dimension=64).name, verify=False)


def test_ask_answers_by_row_and_column_and_cites_the_cell(acme: Assistant) -> None:
    answer = acme.ask("What was the revenue from hammers in 2022?")
    assert answer.answer == "300 million" and not answer.abstained
    data = answer.to_dict()
    cited = [c["table"] for c in data["citations"] if c["table"]]
    assert cited == [
        {
            "table": 0,
            "row": 2,
            "row_label": "Hammers",
            "column": 2,
            "column_header": "2022",
            "period": "2022",
            "unit": "million",
        }
    ]
    assert data["table"]["cell"]["value"] == 300 and data["table"]["match"]["row_match"] > 0.5
    assert data["figure"]["table"]["row_label"] == "Hammers"
    # the terminal shows the cited row under its header
    text = render.answer_text(answer)
    assert "Row 'Hammers', column '2022' (2022, million)" in text
    row_lines = [line for line in text.splitlines() if "Hammers" in line and "350" in line and "300" in line]
    assert row_lines and any("2023" in line and "2022" in line for line in text.splitlines())
    # a comparison answers with the winning label, a negative cell reads as negative
    assert acme.ask("Which segment had the highest revenue in 2023?").answer == "Anvils"
    assert acme.ask("Which segment had the lowest revenue in 2023?").answer == "Tongs"
    # prose in the same document still answers
    assert acme.ask("What does Acme make?").answer == "Acme makes anvils and sells them worldwide."


def test_sources_shows_the_table_piece(acme: Assistant) -> None:
    answer = acme.ask("What was the revenue from hammers in 2022?")
    cited = next(c for c in answer.citations if c.piece is not None)
    shown = render.passage_text(cited)
    assert "Table 2: Segment results (in millions)" in shown
    header = next(line for line in shown.splitlines() if "Segment" in line and "Table" not in line)
    assert "2023" in header and "2022" in header


def test_figures_list_row_column_period_and_unit(acme: Assistant) -> None:
    result = acme.figures("segment results anvils hammers tongs")
    cells = [f for f in result.figures if f.cell is not None]
    tongs = next(
        f for f in cells if f.cell is not None and f.cell.row_label == "Tongs" and f.cell.period == "2023"
    )
    assert tongs.figure.value == -20e6 and tongs.cell is not None and tongs.cell.unit == "million"
    assert "row 'Tongs', column '2023'" in render.figures_text(result)
    rows = list(csv.DictReader(io.StringIO(render.figures_csv(result))))
    hammers = next(r for r in rows if r["row"] == "Hammers" and r["column"] == "2022")
    assert hammers["text"] == "300" and hammers["period"] == "2022" and hammers["unit"] == "million"


def test_http_carries_the_cell_in_the_documented_shape(acme: Assistant) -> None:
    with TestClient(create_app(acme)) as client:
        r = client.post("/v1/ask", json={"question": "What was the revenue from tongs in 2023?"})
        assert r.status_code == 200
        body = r.json()
        assert through_schema(AnswerOut, body) == body
        assert body["answer"] == "(20) million" and body["table"]["cell"]["value"] == -20
        cited = [c["table"] for c in body["citations"] if c["table"]]
        assert cited[0]["row_label"] == "Tongs" and cited[0]["column_header"] == "2023"
        r = client.get("/v1/figures", params={"q": "segment results anvils"})
        assert r.status_code == 200
        tables = [f["table"] for f in r.json()["figures"] if f["table"]]
        assert any(t["row_label"] == "Anvils" and t["period"] == "2022" for t in tables)
