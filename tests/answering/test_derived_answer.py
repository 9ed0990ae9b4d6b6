"""Derived answers over real table files (HTML, DOCX, XLSX): each operation's exact result and cited operands,
parentheses negatives, scales reconciled or refused, a missing operand named; the working in JSON and text."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from assistant.answering.results import Answer
from assistant.assistant import Assistant
from assistant.config import Settings
from assistant.interfaces.cli.render import answer_markup, answer_text
from assistant.schema import AnswerOut
from assistant.storage.build import build_index
from tests.fakes import FakeEmbedder
from tests.helpers import through_schema

CASH_HTML = """<html><head><title>Annual report 2019</title></head><body>
<p>Cash flows of the group.</p>
<table><caption>Consolidated cash flows (in millions)</caption>
<thead><tr><th></th><th>2019</th><th>2018</th><th>2017</th></tr></thead>
<tbody>
<tr><td>Net cash provided by operating activities</td><td>4,421.8</td><td>4,029.3</td><td>3,500.0</td></tr>
<tr><td>Net cash used in investing activities</td><td>(1,200.5)</td><td>(980.0)</td><td>(700.0)</td></tr>
<tr><td>Dividends paid</td><td>(300.0)</td><td>(250.0)</td><td>(240.0)</td></tr>
</tbody></table></body></html>"""


def _sales_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Product sales by line.")
    document.add_paragraph("Amounts in thousands")
    rows = [
        ["", "2019", "2018"],
        ["Widgets", "300", "250"],
        ["Gizmos", "60", "110"],
        ["Other", "100", "150"],
        ["Total product sales", "460", "510"],
    ]
    table = document.add_table(rows=len(rows), cols=3)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    document.save(str(path))


def _headcount_xlsx(path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Headcount"
    for row in [
        ["Site", "2019", "2018", "2017"],
        ["Berlin staff", 120, 95, 80],
        ["Lisbon staff", 40, 60, 55],
        ["Oslo staff", 75, 70, 20],
    ]:
        sheet.append(row)
    book.save(str(path))


MIXED_HTML = """<html><body>
<table><caption>Segment revenue (in millions)</caption>
<thead><tr><th></th><th>2019</th><th>2018</th></tr></thead>
<tbody><tr><td>Segment revenue</td><td>12.5</td><td>10.0</td></tr></tbody></table>
<p>Licensing notes follow.</p>
<table><caption>Licensing fees</caption>
<thead><tr><th></th><th>2019</th><th>2018</th></tr></thead>
<tbody><tr><td>Licensing fees</td><td>800</td><td>700</td></tr></tbody></table>
<p>Margins follow.</p>
<table><caption>Margins</caption>
<thead><tr><th></th><th>2019</th><th>2018</th></tr></thead>
<tbody><tr><td>Gross margin</td><td>41.2%</td><td>40.6%</td></tr>
<tr><td>Gross profit</td><td>$ 950</td><td>$ 800</td></tr></tbody></table>
</body></html>"""


# a header row the reader keeps in the body: the years stand in the first body row
INVENTORY_HTML = """<html><body>
<table><thead><tr><th></th><th>December 31</th><th>December 31</th></tr></thead>
<tbody><tr><td></td><td>2019</td><td>2 0 1 8</td></tr>
<tr><td>Inventories:</td><td></td><td></td></tr>
<tr><td>Raw materials</td><td>222</td><td>191</td></tr>
<tr><td>Finished goods</td><td>668</td><td>716</td></tr>
<tr><td></td><td>890</td><td>907</td></tr></tbody></table>
</body></html>"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    root = tmp_path_factory.mktemp("derived")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "cash.html").write_text(CASH_HTML, encoding="utf-8")
    _sales_docx(corpus / "sales.docx")
    _headcount_xlsx(corpus / "headcount.xlsx")
    (corpus / "mixed.html").write_text(MIXED_HTML, encoding="utf-8")
    (corpus / "inventory.html").write_text(INVENTORY_HTML, encoding="utf-8")
    fake = FakeEmbedder(dimension=64)
    build_index(corpus, root / "index", fake)
    return Assistant.open(root / "index", settings=Settings(), embedder=fake)


def ask(assistant: Assistant, question: str, source: str) -> Answer:
    return assistant.ask(question, k=8, filters={"source": source})


def operands(answer: Answer) -> list[tuple[str, str, str | None]]:
    assert answer.derivation is not None
    return [(o.row_label, o.text, o.period) for o in answer.derivation.operands]


def test_percentage_change_in_html_with_the_working(assistant: Assistant) -> None:
    answer = ask(
        assistant,
        "What was the percentage change in net cash provided by operating activities from 2018 to 2019?",
        "cash.html",
    )
    d = answer.derivation
    assert d is not None and not answer.abstained
    assert d.operation == "percentage change"
    assert d.shown == Decimal("9.74") and d.unit == "percent"
    assert d.value == (Decimal("4421.8") - Decimal("4029.3")) / Decimal("4029.3") * 100
    assert answer.answer == "+9.74 percent"
    assert d.formula == "(4,421.8 - 4,029.3) / 4,029.3 x 100"
    assert operands(answer) == [
        ("Net cash provided by operating activities", "4,421.8", "2019"),
        ("Net cash provided by operating activities", "4,029.3", "2018"),
    ]


def test_change_of_parenthesised_negatives_keeps_the_scale(assistant: Assistant) -> None:
    answer = ask(
        assistant,
        "What was the change in net cash used in investing activities from 2018 to 2019?",
        "cash.html",
    )
    d = answer.derivation
    assert d is not None and d.value == Decimal("-220.5") and d.scale == "million"
    assert d.formula == "(-1,200.5) - (-980.0)"
    assert answer.answer == "-220.5 million"
    assert [o.value for o in d.operands] == [Decimal("-1200.5"), Decimal("-980.0")]


def test_average_and_total_over_the_years_named_or_all(assistant: Assistant) -> None:
    average = ask(assistant, "What is the average dividends paid in 2018 and 2019?", "cash.html").derivation
    assert average is not None and average.operation == "average"
    assert average.value == Decimal("-275") and average.formula == "((-250.0) + (-300.0)) / 2"
    total = ask(
        assistant,
        "What is the total net cash provided by operating activities from 2017 to 2019?",
        "cash.html",
    ).derivation
    assert total is not None and total.operation == "sum"
    assert total.value == Decimal("11951.1") and total.formula == "3,500.0 + 4,029.3 + 4,421.8"
    every = ask(
        assistant, "What was the average net cash provided by operating activities?", "cash.html"
    ).derivation
    assert every is not None and every.value == Decimal("11951.1") / 3 and every.shown == Decimal("3983.70")


def test_share_of_a_total_in_docx(assistant: Assistant) -> None:
    answer = ask(assistant, "What share of total product sales was Other in 2019?", "sales.docx")
    d = answer.derivation
    assert d is not None and d.operation == "share"
    assert operands(answer) == [("Other", "100", "2019"), ("Total product sales", "460", "2019")]
    assert d.shown == Decimal("21.74") and d.unit == "percent"
    assert d.formula == "100 / 460 x 100"
    assert all(o.scale == "thousand" for o in d.operands)


def test_ratio_and_difference_of_two_rows_in_docx(assistant: Assistant) -> None:
    ratio = ask(assistant, "What is the ratio of Widgets to Gizmos in 2018?", "sales.docx").derivation
    assert ratio is not None and ratio.operation == "ratio"
    assert ratio.formula == "250 / 110" and ratio.shown == Decimal("2.27") and ratio.unit is None
    difference = ask(assistant, "What is the difference between Widgets and Gizmos in 2019?", "sales.docx")
    assert difference.derivation is not None and difference.derivation.value == Decimal("240")
    assert difference.answer == "+240 thousand"


def test_counts_in_xlsx(assistant: Assistant) -> None:
    years = ask(assistant, "How many years did Berlin staff exceed 90?", "headcount.xlsx").derivation
    assert years is not None and years.operation == "count" and years.value == Decimal(2)
    assert sorted(o.text for o in years.operands) == ["120", "95"]
    rows = ask(assistant, "How many sites in 2019 had staff above 50?", "headcount.xlsx").derivation
    assert rows is not None and rows.value == Decimal(2)
    assert sorted(o.row_label for o in rows.operands) == ["Berlin staff", "Oslo staff"]


def test_change_from_xlsx_numbers(assistant: Assistant) -> None:
    answer = ask(
        assistant, "What was the percentage change in Oslo staff from 2017 to 2019?", "headcount.xlsx"
    )
    d = answer.derivation
    assert d is not None and d.value == Decimal(275) and d.formula == "(75 - 20) / 20 x 100"


def test_years_in_a_body_row_above_name_the_columns(assistant: Assistant) -> None:
    answer = ask(
        assistant, "What is the percentage change in finished goods between 2018 and 2019?", "inventory.html"
    )
    d = answer.derivation
    assert d is not None and d.formula == "(668 - 716) / 716 x 100" and d.shown == Decimal("-6.70")


def test_a_row_without_a_label_under_a_section_is_its_total(assistant: Assistant) -> None:
    d = ask(
        assistant, "What was the change in total inventories from 2018 to 2019?", "inventory.html"
    ).derivation
    assert d is not None and d.formula == "890 - 907" and d.value == Decimal(-17)
    assert [o.row_label for o in d.operands] == ["Inventories – Total", "Inventories – Total"]


def test_a_missing_operand_is_refused_with_its_name(assistant: Assistant) -> None:
    answer = ask(assistant, "What was the change in Copenhagen staff from 2018 to 2019?", "headcount.xlsx")
    assert answer.abstained
    assert answer.derivation is not None and answer.derivation.value is None
    assert answer.derivation.refusal == "no figure found for Copenhagen staff"
    assert "Copenhagen staff" in answer.answer
    missing_year = ask(assistant, "What was the change in Oslo staff from 2015 to 2019?", "headcount.xlsx")
    assert missing_year.abstained and missing_year.derivation is not None
    assert missing_year.derivation.refusal == "no figure found for Oslo staff, 2015"


def test_a_scale_stated_for_one_operand_only_is_refused(assistant: Assistant) -> None:
    answer = ask(assistant, "What is the ratio of segment revenue to licensing fees in 2019?", "mixed.html")
    assert answer.abstained
    d = answer.derivation
    assert d is not None and d.refusal is not None and "scales disagree" in d.refusal
    assert [o.text for o in d.operands] == ["12.5", "800"]


def test_units_that_disagree_are_refused(assistant: Assistant) -> None:
    answer = ask(
        assistant, "What is the difference between gross margin and gross profit in 2019?", "mixed.html"
    )
    assert answer.abstained
    assert (
        answer.derivation is not None
        and answer.derivation.refusal == "the operands' units disagree (% and USD)"
    )


def test_a_change_of_percentages_is_in_points(assistant: Assistant) -> None:
    d = ask(assistant, "What was the change in gross margin from 2018 to 2019?", "mixed.html").derivation
    assert d is not None and d.value == Decimal("0.6") and d.unit == "percentage points"


def test_the_json_carries_the_derivation_and_fits_the_api_schema(assistant: Assistant) -> None:
    answer = ask(
        assistant,
        "What was the percentage change in net cash provided by operating activities from 2018 to 2019?",
        "cash.html",
    )
    data = answer.to_dict()
    assert through_schema(AnswerOut, data) == data
    d = data["derivation"]
    assert d["operation"] == "percentage change" and d["value"] == 9.74 and d["unit"] == "percent"
    assert d["formula"] == "(4,421.8 - 4,029.3) / 4,029.3 x 100"
    first = d["operands"][0]
    assert (first["text"], first["value"], first["row_label"], first["period"]) == (
        "4,421.8",
        4421.8,
        "Net cash provided by operating activities",
        "2019",
    )
    cited = next(c for c in data["citations"] if c["n"] == first["citation"])
    assert cited["doc_id"] == first["doc"] and cited["table"]["row_label"] == first["row_label"]
    assert d["features"]["operands"] == 2.0 and d["features"]["min_match"] > 0
    refused = ask(assistant, "What was the change in Copenhagen staff from 2018 to 2019?", "headcount.xlsx")
    assert refused.to_dict()["derivation"]["refusal"] == "no figure found for Copenhagen staff"
    assert through_schema(AnswerOut, refused.to_dict()) == refused.to_dict()
    plain = ask(assistant, "Cash flows of the group", "cash.html")
    assert plain.to_dict()["derivation"] is None


def test_the_terminal_prints_the_result_then_the_formula_and_each_cited_operand(assistant: Assistant) -> None:
    answer = ask(
        assistant,
        "What was the percentage change in net cash provided by operating activities from 2018 to 2019?",
        "cash.html",
    )
    n = answer.derivation.operands[0].citation if answer.derivation else 0
    lines = answer_text(answer).splitlines()
    assert lines[:4] == [
        "Answer: +9.74 percent",
        "  +9.74 percent = (4,421.8 - 4,029.3) / 4,029.3 x 100",
        f"  [{n}] Net cash provided by operating activities, 2019: 4,421.8",
        f"  [{n}] Net cash provided by operating activities, 2018: 4,029.3",
    ]
    assert "(4,421.8 - 4,029.3) / 4,029.3 x 100" in answer_markup(answer)
    refused = ask(assistant, "What was the change in Copenhagen staff from 2018 to 2019?", "headcount.xlsx")
    assert answer_text(refused).splitlines()[0] == (
        "Answer: The documents do not answer this. No figure found for Copenhagen staff."
    )
