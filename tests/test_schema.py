"""The result shapes: each face's JSON is the shape, and the shape is the OpenAPI document."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter

from assistant import schema
from assistant.assistant import Assistant
from assistant.config import Settings
from assistant.storage.build import build_index
from assistant.storage.generations import open_index
from tests.fakes import FakeEmbedder

REPORT = """# Acme annual report

All figures in USD million.

| Item | 2023 | 2022 |
|---|---|---|
| Revenue | 1,450 | 1,200 |
| Operating profit | 240 | (20) |

Acme had 310 employees in 2023, up from 280.
"""


@pytest.fixture(scope="module")
def acme(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    root = tmp_path_factory.mktemp("acme")
    (root / "corpus").mkdir()
    (root / "corpus" / "acme.md").write_text(REPORT, encoding="utf-8")
    embedder = FakeEmbedder(dimension=64)
    build_index(root / "corpus", root / "index", embedder)
    return Assistant(Settings(), embedder, open_index(root / "index", model=embedder.name))


def keys_follow_the_shape(data: Any, shape: Any) -> None:
    """Every object of the JSON has exactly its shape's fields, in order, all the way down."""
    assert list(data) == [f.name for f in dataclasses.fields(shape)]
    for f in dataclasses.fields(shape):
        value, nested = data[f.name], _nested_shape(shape, f.name)
        if nested is None or value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            keys_follow_the_shape(item, nested)


def _nested_shape(shape: Any, name: str) -> Any:
    hint = str(next(f.type for f in dataclasses.fields(shape) if f.name == name))
    found = [s for s in vars(schema).values() if dataclasses.is_dataclass(s) and s.__name__ in hint]
    return max(found, key=lambda s: len(s.__name__)) if found else None  # "TableCellOut" over "CellOut"


def test_an_answer_from_a_table_with_a_derivation_is_its_shape_all_the_way_down(acme: Assistant) -> None:
    cell = acme.ask("What was Acme's revenue in 2022?", min_confidence=0)
    derived = acme.ask("What was the percentage change in revenue from 2022 to 2023?", min_confidence=0)
    assert cell.answer.startswith("1,200") and cell.table is not None and cell.table.cell is not None
    assert derived.derivation is not None and derived.derivation.value is not None
    for answer in (cell, derived):
        data = answer.to_dict()
        keys_follow_the_shape(data, schema.AnswerOut)
        assert TypeAdapter(schema.AnswerOut).validate_python(data) == schema.AnswerOut.of(answer)
    d = derived.to_dict()["derivation"]
    assert d["value"] == 20.83 and d["exact"].startswith("20.8333") and isinstance(d["operands"], list)
    table = cell.to_dict()["table"]
    assert table["cell"]["row_label"] == "Revenue" and table["cell"]["column_header"] == "2022"


def test_search_figures_and_documents_are_their_shapes(acme: Assistant) -> None:
    search = acme.search("revenue", k=2).to_dict()
    keys_follow_the_shape(search, schema.SearchOut)
    assert [h["n"] for h in search["hits"]] == [1, 2]
    keys_follow_the_shape(acme.figures("revenue", k=2).to_dict(), schema.FiguresOut)
    (doc,) = [d.to_dict() for d in acme.documents()]
    keys_follow_the_shape(doc, schema.DocumentOut)
    assert doc["source"] == "acme.md" and doc["pages"] == 0


def test_the_openapi_schema_of_a_shape_is_its_fields_and_their_docstrings() -> None:
    answer = TypeAdapter(schema.AnswerOut).json_schema()
    assert list(answer["properties"]) == [f.name for f in dataclasses.fields(schema.AnswerOut)]
    assert answer["additionalProperties"] is False
    assert (
        answer["properties"]["confidence"]["description"] == "the probability that the answer is right, 0..1"
    )
    required = set(answer["required"])
    assert {"question", "confidence", "citations"} <= required and "derivation" not in required
    with pytest.raises(ValueError, match="page\n  Unexpected keyword"):
        TypeAdapter(schema.FocusOut).validate_python({"start": 1, "end": 2, "page": 3})


def test_to_json_turns_nested_shapes_into_objects_and_tuples_into_lists() -> None:
    hits = schema.SearchOut(
        "q", [schema.HitOut(1, "d", "c", "t", "s", None, 0, 5, 0.5, 0.4, 0.3, "text", None)]
    )
    data = schema.json_object(hits)
    assert data["hits"][0]["focus"] is None and data["hits"][0]["chunk_id"] == "c"
    assert schema.to_json({"a": (1, schema.FocusOut(2, 3))}) == {"a": [1, {"start": 2, "end": 3}]}
    assert json.loads(json.dumps(data)) == data


@pytest.mark.slow
def test_printing_an_answer_as_json_does_not_import_pydantic(tmp_path: Path) -> None:
    # the CLI prints JSON on a cold start: pydantic costs more than half a second to import
    code = (
        "import sys\n"
        "from assistant.answering.results import Answer, Citation\n"
        "c = Citation(1, 'd', 't', 's', None, 0, 4, 'text', 0.5, focus=(0, 4))\n"
        "print(Answer('q', 'a', False, None, None, citations=(c,), confidence=0.5).to_dict())\n"
        "print('pydantic' in sys.modules)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[1],
    )
    printed, imported = run.stdout.splitlines()
    assert "'focus': {'start': 0, 'end': 4}" in printed and imported == "False"
