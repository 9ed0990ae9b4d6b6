"""Tables in real files of each kind: read as rows and columns, their cells as figures, questions answered by
row and column."""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.answering.answer import build_answer
from assistant.answering.results import Answer
from assistant.ingest.chunking import ChunkerSettings, chunk_document
from assistant.ingest.document import Document
from assistant.ingest.loaders import load_file
from assistant.retrieval.search import Hit
from assistant.storage.lexical import Analyzer
from assistant.tables.cells import TableCell, table_cells

ANALYZE = Analyzer()


def load(path: Path) -> Document:
    docs = load_file(path, path.name)
    assert len(docs) == 1
    return docs[0]


def cell(doc: Document, row_label: str, header: str, table: int = 0, *, exact: bool = False) -> TableCell:
    """The cell of the named row (last label) and the column whose header contains `header` (is `header`
    when exact)."""
    found = [
        c
        for c in table_cells(doc.tables[table].table)
        if c.row_label[-1] == row_label
        and (c.column_header == header if exact else header in c.column_header)
    ]
    assert len(found) == 1, [(c.row_label, c.column_header) for c in table_cells(doc.tables[table].table)]
    return found[0]


def idf_over(texts: list[str]) -> Callable[[str], float]:
    docs = [set(ANALYZE(t)) for t in texts]

    def idf(term: str) -> float:
        df = sum(term in d for d in docs)
        return math.log(1.0 + (len(docs) - df + 0.5) / (df + 0.5))

    return idf


def ask(
    question: str, doc: Document, *, max_tokens: int = 200, min_confidence: float | None = None
) -> Answer:
    """Ask of every chunk of the document, in document order (a stand-in for retrieval)."""
    chunks = chunk_document(doc, ChunkerSettings(max_tokens=max_tokens, overlap_tokens=20))
    hits = [Hit(c, 1.0 - i / 100, doc.title, doc.source, dense=0.5) for i, c in enumerate(chunks)]
    return build_answer(
        question,
        hits,
        analyze=ANALYZE,
        idf=idf_over([c.text for c in chunks]),
        min_confidence=min_confidence,
    )


# --- HTML -------------------------------------------------------------------------------------------

HTML = """<html><head><title>Acme annual report</title></head><body>
<h1>Acme annual report</h1>
<p>Acme makes anvils. Its revenue grew strongly, as the table shows.</p>
<table>
<caption>Key figures (USD million)</caption>
<thead>
<tr><th rowspan="2">Item</th><th colspan="2">Fiscal year</th><th rowspan="2">Change</th></tr>
<tr><th>2023</th><th>2022</th></tr>
</thead>
<tbody>
<tr><td>Revenue</td><td>1,450</td><td>1,200</td><td>20.8%</td></tr>
<tr><td>Operating profit</td><td>(31)</td><td>240</td><td>n/m</td></tr>
<tr><td>Employees</td><td>260</td><td>250</td><td>4.0%</td></tr>
</tbody>
</table>
<p>The board thanks all employees for a good year.</p>
</body></html>"""


def test_html_table_with_spans_and_two_header_levels(tmp_path: Path) -> None:
    path = tmp_path / "acme.html"
    path.write_text(HTML, encoding="utf-8")
    doc = load(path)
    assert len(doc.tables) == 1
    table = doc.tables[0].table
    assert table.header_rows == 2 and table.caption == "Key figures (USD million)"
    # the prose stays in order around the table
    text = doc.text
    assert text.index("Acme makes anvils") < doc.tables[0].start < text.index("The board thanks")
    revenue = cell(doc, "Revenue", "2023")
    assert revenue.text == "1,450" and revenue.column_header == "Fiscal year 2023"
    assert revenue.period.years == (2023,) and revenue.unit == "USD" and revenue.scale == "million"
    assert cell(doc, "Revenue", "2022").text == "1,200"
    loss = cell(doc, "Operating profit", "2023")
    assert loss.value == -31.0 and loss.kind == "money"
    # the rowspan header heads its column at both levels
    change = cell(doc, "Employees", "Change")
    assert change.text == "4.0%" and change.unit == "%" and change.kind == "percent"

    answer = ask("What was Acme's revenue in 2023?", doc)
    assert answer.answer == "1,450 million" and not answer.abstained  # the scale of the caption
    assert answer.table is not None and answer.table.cell is not None
    cited = answer.citations[answer.table.citation - 1].to_dict()["table"]
    assert cited["row_label"] == "Revenue" and cited["column_header"] == "Fiscal year 2023"
    assert cited["row"] == 2 and cited["column"] == 1 and cited["period"] == "2023"
    assert ask("How many employees did Acme have in 2022?", doc).answer == "250"
    # a count row takes neither the currency nor the scale of the caption
    employees = cell(doc, "Employees", "2022")
    assert employees.unit is None and employees.scale is None and employees.kind == "number"
    assert ask("In which year was the revenue higher?", doc).answer == "2023"


# --- DOCX -------------------------------------------------------------------------------------------


def make_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph("Initech staff report")
    document.add_paragraph("Initech had a quiet year. Its headcount is shown below.")
    table = document.add_table(rows=5, cols=3)
    rows = [
        ["", "2023", "2022"],
        ["Headcount", "850", ""],  # an empty cell: 2022 not reported
        ["Average salary (USD)", "61,000", "58,500"],
        ["Offices", "", ""],  # merged below
        ["Turnover", "12%", "9%"],
    ]
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    merged = table.cell(3, 1).merge(table.cell(3, 2))
    merged.text = "4"
    document.add_paragraph("Headcount fell in 2021 to 700 people, before the new plant opened.")
    out = io.BytesIO()
    document.save(out)
    path.write_bytes(out.getvalue())
    return path


def test_docx_table_in_place_with_merged_and_empty_cells(tmp_path: Path) -> None:
    doc = load(make_docx(tmp_path / "initech.docx"))
    placed = doc.tables[0]
    # in place: after the first paragraphs, before the last one
    assert doc.text.index("quiet year") < placed.start < doc.text.index("fell in 2021")
    table = placed.table
    assert table.grid[1] == ("Headcount", "850", "")  # the empty cell keeps its column
    assert table.grid[3] == ("Offices", "4", "4")  # the merged cell fills both slots
    salary = cell(doc, "Average salary (USD)", "2022")
    assert salary.value == 58500 and salary.unit == "USD" and salary.period.years == (2022,)
    assert cell(doc, "Turnover", "2023").unit == "%"

    assert ask("What was the average salary at Initech in 2022?", doc).answer == "58,500"
    assert ask("What was Initech's headcount in 2023?", doc).answer == "850"
    # the 2022 headcount cell is empty: no guess from another column or row
    answer = ask("What was Initech's headcount in 2022?", doc)
    assert answer.abstained and answer.answer != "850"


# --- Markdown ---------------------------------------------------------------------------------------

MARKDOWN = """# Globex quarterly results

Globex sells widgets worldwide.

Table 1: Margins by quarter (in millions)

| Metric | Q3 2023 | Q2 2023 | Q3 2022 |
|---|---:|---:|---:|
| Revenue | 510 | 480 | 430 |
| Net margin | 12.5% | 11.0% | 9.8% |
| Segment result \\| Europe | (4.2) | 3.1 | 2.0 |

Globex expects demand to stay firm.
"""


def test_markdown_pipe_table(tmp_path: Path) -> None:
    path = tmp_path / "globex.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    doc = load(path)
    table = doc.tables[0].table
    assert table.caption == "Table 1: Margins by quarter (in millions)"
    margin = cell(doc, "Net margin", "Q3 2023")
    assert margin.text == "12.5%" and margin.period.quarter == 3 and margin.period.years == (2023,)
    assert margin.unit == "%"
    europe = cell(doc, "Segment result | Europe", "Q3 2023")
    assert europe.value == -4.2 and europe.scale == "million"
    revenue = cell(doc, "Revenue", "Q2 2023")
    assert revenue.text == "480" and revenue.scale == "million"

    answer = ask("What was Globex net margin in Q3 2023?", doc)
    assert answer.answer == "12.5%"
    assert ask("What was Globex revenue in Q3 2022?", doc).answer == "430 million"


def test_markdown_without_a_table_reads_as_before(tmp_path: Path) -> None:
    path = tmp_path / "plain.md"
    body = "# Notes\n\nA | B is not a table without its delimiter line.\n"
    path.write_text(body, encoding="utf-8")
    doc = load(path)
    assert doc.tables == () and doc.text == body


# --- CSV and XLSX -----------------------------------------------------------------------------------


def test_csv_is_one_table(tmp_path: Path) -> None:
    path = tmp_path / "prices.csv"
    path.write_text(
        'Product,"Price 2024 ($)","Price 2023 ($)"\nWidget,"1,250",1100\nGadget,75,80\n', encoding="utf-8"
    )
    doc = load(path)
    widget = cell(doc, "Widget", "2024")
    assert widget.value == 1250 and widget.unit == "USD" and widget.period.years == (2024,)
    assert ask("What was the price of a gadget in 2023?", doc).answer == "80"
    assert ask("Which product had the highest price in 2024?", doc).answer == "Widget"


def make_xlsx(path: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sales = book.active
    assert sales is not None
    sales.title = "Sales"
    for row in [["Sales by region (EUR thousands)"], ["Region", "FY2023", "FY2022"], ["North", 1200, 1100]]:
        sales.append(row)
    sales.append(["South", 950.5, 990])
    staff = book.create_sheet("Staff")
    for row in [["Team", "2023", "2022"], ["Engineering", 42, 38], ["Sales", 17, 21]]:
        staff.append(row)
    book.save(path)
    return path


def test_xlsx_every_sheet_is_a_table(tmp_path: Path) -> None:
    doc = load(make_xlsx(tmp_path / "book.xlsx"))
    assert [t.table.caption for t in doc.tables] == ["Sales by region (EUR thousands)", "Staff"]
    south = cell(doc, "South", "FY2022")
    assert south.value == 990 and south.unit == "EUR" and south.scale == "thousand"
    assert cell(doc, "South", "FY2023").text == "950.5"
    engineers = cell(doc, "Engineering", "2022", table=1)
    assert engineers.value == 38 and engineers.period.years == (2022,) and engineers.unit is None
    assert ask("How many people were in the engineering team in 2023?", doc).answer == "42"
    assert ask("What were sales in the South region in FY2022?", doc).answer == "990 thousand"


# --- PDF --------------------------------------------------------------------------------------------


def make_ruled_pdf(path: Path) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    styles = getSampleStyleSheet()
    story = [
        Paragraph("Hooli results", styles["Title"]),
        Paragraph("Hooli grew again. All amounts in thousands of dollars.", styles["Normal"]),
        Paragraph("(in thousands)", styles["Normal"]),
    ]
    data = [
        ["", "December 31, 2019", "December 31, 2018"],
        ["Cash", "4,210", "3,980"],
        ["Receivables", "1,115", "(220)"],
        ["Total assets", "9,900", "8,700"],
    ]
    grid = Table(data)
    grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    story += [grid, Paragraph("The auditors signed off in March.", styles["Normal"])]
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
    return path


def test_pdf_ruled_table(tmp_path: Path) -> None:
    pytest.importorskip("reportlab")
    doc = load(make_ruled_pdf(tmp_path / "hooli.pdf"))
    assert len(doc.tables) == 1
    assert doc.pages and doc.pages[0][1] == 1
    assert doc.text.index("Hooli grew again") < doc.tables[0].start < doc.text.index("auditors signed")
    receivables = cell(doc, "Receivables", "2018")
    assert receivables.value == -220 and receivables.scale == "thousand"
    assert receivables.period.date == "dec 31" and receivables.period.years == (2018,)
    assert ask("What was Hooli's cash at December 31, 2019?", doc).answer == "4,210 thousand"
    assert ask("What were total assets in 2018?", doc).answer == "8,700 thousand"


# --- abstention -------------------------------------------------------------------------------------


def test_no_clear_row_abstains_and_shows_the_closest_rows(tmp_path: Path) -> None:
    path = tmp_path / "acme.html"
    path.write_text(HTML, encoding="utf-8")
    doc = load(path)
    answer = ask("What was Acme's dividend per share in 2023?", doc)
    assert answer.abstained
    # no year asked and two year columns: no column fits clearly
    vague = ask("What was Acme's revenue?", doc)
    assert vague.abstained and vague.table is not None
    assert {pc.cell.label for pc in vague.table.closest} >= {"Revenue"}


def test_a_table_answer_has_a_fitted_confidence_and_a_minimum_withholds_it(tmp_path: Path) -> None:
    from assistant.answering.answer import _structured
    from assistant.answering.confidence import SURE, table_confidence

    path = tmp_path / "globex.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    doc = load(path)
    answer = ask("What was Globex net margin in Q3 2023?", doc)
    assert answer.answer == "12.5%" and not answer.abstained and answer.table is not None
    # a clear row and column: a sure answer, its confidence the fitted table model's of what it read
    assert answer.features["row_match"] == round(answer.table.features.row_match, 4)
    assert answer.features["period"] == 1.0 and answer.features["restated"] == 0.0
    assert answer.confidence == table_confidence(answer.features) >= SURE
    assert answer.to_dict()["confidence"] == round(answer.confidence, 3)
    weak = {"row_match": 0.3, "column_match": 0.5, "row_margin": 0.0, "column_margin": 0.1, "period": 1.0}
    assert table_confidence(weak) < SURE
    # a minimum the caller sets withholds a table answer, else the model's default (0: none)
    assert _structured(answer, {}, 0.62, None, 0.0).confidence == 0.62
    assert _structured(answer, {}, 0.62, None, 0.7).abstained
    assert not _structured(answer, {}, 0.62, 0.5, 0.7).abstained
    withheld = _structured(answer, dict(answer.features), 0.62, 0.7, 0.0)
    assert withheld.abstained and withheld.confidence == 0.62
    assert withheld.features == answer.features
    assert withheld.reason == "the closest answer, 12.5%, has confidence 0.62 (below 0.7)"
