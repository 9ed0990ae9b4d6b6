"""General rules of answering from a table, each on a small real file read by the real loader: a figure
quoted as the report's prose restates it, scales read where reports write them."""

from __future__ import annotations

from pathlib import Path

from assistant.tables.cells import table_cells
from tests.tables.test_table_files import ask, cell, load

EBITDA_HTML = """<html><body>
<table>
<thead><tr><th></th><th>30 June 2019</th><th>30 June 2018</th></tr></thead>
<tbody>
<tr><td></td><td>$'000</td><td>$'000</td></tr>
<tr><td>Net profit/(loss) after tax</td><td>(9,819)</td><td>6,639</td></tr>
<tr><td>Underlying EBITDA</td><td>85,123</td><td>62,575</td></tr>
<tr><td>Total net sales</td><td>1,791,790</td><td>1,562,474</td></tr>
</tbody></table>
<p>Net profit/(loss) after tax was $(9.8) million (2018: $6.6 million). Underlying EBITDA improved from
$62.6 million in FY18 to $85.1 million in FY19.</p>
<p>Net sales for the year were $1,791.8 million compared to $1,562.5 million last year.</p>
</body></html>"""


def test_a_cell_is_quoted_as_the_prose_restates_it_in_another_scale(tmp_path: Path) -> None:
    path = tmp_path / "ebitda.html"
    path.write_text(EBITDA_HTML, encoding="utf-8")
    doc = load(path)
    assert cell(doc, "Underlying EBITDA", "2019").scale == "thousand"
    answer = ask("What was the underlying EBITDA in FY19?", doc)
    assert answer.answer == "$85.1 million"
    assert answer.figure is not None and answer.figure.figure.value == 85.1e6
    assert answer.sentence is not None and "$85.1 million in FY19" in answer.sentence.text
    # the table's cell stays cited beside the sentence's figure
    assert answer.table is not None and answer.table.cell is not None
    assert answer.table.cell.cell.text == "85,123"
    assert any(f.figure.text == "85,123" for f in answer.figures)
    negative = ask("What was the net profit/(loss) after tax in FY19?", doc)
    assert negative.answer == "$(9.8) million"


def test_a_sentence_that_names_the_row_less_fully_does_not_restate_it(tmp_path: Path) -> None:
    path = tmp_path / "sales.html"
    path.write_text(EBITDA_HTML, encoding="utf-8")
    # "Net sales ... $1,791.8 million" rounds the cell, but the question asks for the row "Total net sales"
    answer = ask("What is the total net sales in 2019?", load(path))
    assert answer.answer == "1,791,790 thousand"


SGA_HTML = """<html><body>
<table>
<thead><tr><th></th><th>2019</th><th>2018</th></tr></thead>
<tbody>
<tr><td>Selling, general and administrative</td><td>$24.9</td><td>$33.5</td></tr>
<tr><td>Depreciation and amortization</td><td>0.1</td><td>0.1</td></tr>
</tbody></table>
<p>Selling, general and administrative expenses for the year ended December 31, 2019 decreased
$8.6 million to $24.9 million from $33.5 million for the year ended December 31, 2018.</p>
</body></html>"""


def test_a_table_without_a_scale_takes_the_one_a_sentence_gives_the_same_number(tmp_path: Path) -> None:
    path = tmp_path / "sga.html"
    path.write_text(SGA_HTML, encoding="utf-8")
    doc = load(path)
    assert cell(doc, "Selling, general and administrative", "2019").scale is None
    # the sentence's "$8.6 million to $24.9 million" is a change and a new level: the level restates 2019
    answer = ask("What was the selling, general and administrative expense in 2019?", doc)
    assert answer.answer == "$24.9 million"
    # a rounding of a number of unknown scale is not taken for it: 0.1 has no restatement
    other = ask("What was the depreciation and amortization in 2019?", doc)
    assert other.answer == "0.1"


CORNER_MD = """# Liquidity

| ($ in billions) | | |
|---|---|---|
| | 2019 | 2018 |
| Net cash from operating activities | $14.8 | $15.2 |
| Credit facilities | $15.3 | $15.3 |

The company has generated strong cash flow from operations.
"""


def test_a_unit_note_above_the_row_labels_scales_the_whole_table(tmp_path: Path) -> None:
    path = tmp_path / "liquidity.md"
    path.write_text(CORNER_MD, encoding="utf-8")
    doc = load(path)
    cells = table_cells(doc.tables[0].table)
    assert cells and all(c.scale == "billion" and c.unit == "USD" for c in cells if c.value is not None)
    answer = ask("What was the net cash from operating activities in 2019?", doc)
    assert answer.answer == "$14.8 billion"


WIRELESS_HTML = """<html><body>
<table>
<thead><tr><th></th><th>Q4 2019</th><th>Q4 2018</th></tr></thead>
<tbody>
<tr><td>Bell Wireless operating revenues</td><td>2,520</td><td>2,433</td></tr>
<tr><td>Bell Wireline operating revenues</td><td>3,100</td><td>3,050</td></tr>
</tbody></table>
<p>Bell Wireless operating revenues grew by 3.6% in Q4 2019 compared with last year.</p>
</body></html>"""


def test_a_computed_change_is_quoted_as_the_sentence_rounds_it(tmp_path: Path) -> None:
    path = tmp_path / "wireless.html"
    path.write_text(WIRELESS_HTML, encoding="utf-8")
    answer = ask(
        "What is the percentage change in Bell Wireless operating revenues in Q4 2019 to Q4 2018?",
        load(path),
    )
    assert answer.answer == "3.6%"
    # the working stays: (2,520 - 2,433) / 2,433 = +3.58 percent
    assert answer.derivation is not None and answer.derivation.text == "+3.58 percent"
    wireline = ask(
        "What is the percentage change in Bell Wireline operating revenues in Q4 2019 to Q4 2018?",
        load(path),
    )
    assert wireline.answer == "+1.64 percent"


CHANGE_HTML = """<html><body>
<table>
<thead><tr><th></th><th>2019</th><th>2018</th><th>Change</th></tr></thead>
<tbody>
<tr><td></td><td>$'000</td><td>$'000</td><td>%</td></tr>
<tr><td>EBITDA</td><td>79,046</td><td>63,954</td><td>24%</td></tr>
<tr><td>Underlying EBITDA</td><td>85,123</td><td>62,575</td><td>36%</td></tr>
<tr><td>Distribution income</td><td>(1,344)</td><td>(3,191)</td><td>(58%)</td></tr>
<tr><td>Finance costs</td><td>54,897</td><td>25,803</td><td>99%</td></tr>
</tbody></table>
<p>The table reconciles statutory profit to EBITDA.</p>
</body></html>"""


def test_a_computed_change_is_quoted_as_the_tables_change_column_states_it(tmp_path: Path) -> None:
    path = tmp_path / "change.html"
    path.write_text(CHANGE_HTML, encoding="utf-8")
    doc = load(path)
    answer = ask("What was the percentage change in underlying EBITDA between 2018 and 2019?", doc)
    assert answer.answer == "36%"
    assert answer.figure is not None and answer.figure.cell is not None
    assert answer.figure.cell.column_header == "Change %"
    assert answer.derivation is not None and answer.derivation.text == "+36.03 percent"
    # "change (%)" asks for a percentage change
    assert ask("What is the change (%) for EBITDA between 2018 and 2019?", doc).answer == "24%"
    # the change column's 99% is not what the row's figures give (+112.75 percent): the computation stands
    costs = ask("What was the percentage change in finance costs between 2018 and 2019?", doc)
    assert costs.answer == "+112.75 percent"


SEGMENTS_MD = """# Revenue by segment

| ($ in thousands) | 2019 | % Change 2018 to 2019 | 2018 |
|---|---|---|---|
| Services | $59,545 | (8)% | $64,476 |
| Software and other | 3,788 (1) | (25)% | 5,073 |
| | $63,333 | (9)% | $69,549 |

(1) Includes a one-off licence.
"""


def test_choice_questions_are_answered_with_a_label_not_a_computation(tmp_path: Path) -> None:
    path = tmp_path / "segments.md"
    path.write_text(SEGMENTS_MD, encoding="utf-8")
    doc = load(path)
    # "3,788 (1)": the footnote mark is no part of the figure
    software = cell(doc, "Software and other", "2019", exact=True)
    assert software.value == 3788.0 and software.scale == "thousand"
    # every change is a fall: the "higher" change is the larger one, (25)%
    answer = ask("Which segment has a higher percentage change?", doc)
    assert answer.answer == "Software and other"
    assert answer.derivation is None
    # a row of figures without a label is the table's total: "total revenue" names it
    total = ask("Between 2018 and 2019, which year had higher total revenue?", doc)
    assert total.answer == "2018"
    assert total.table is not None and total.table.cell is not None
    assert total.table.cell.cell.text == "$69,549"
    # and a ranking of rows leaves it out
    most = ask("Which segment had the highest revenue in 2019?", doc)
    assert most.answer == "Services"


OTHER_INCOME_HTML = """<html><body>
<table>
<thead>
<tr><th></th><th>Year ended March 31, 2019</th><th>Year ended March 31, 2018</th></tr>
<tr><th></th><th></th><th>(dollars in thousands)</th></tr>
</thead>
<tbody>
<tr><td>Interest income</td><td>$ 2,515</td><td>$ 1,310</td></tr>
<tr><td>Other income (expense), net</td><td>$ (3,781)</td><td>$ 2,727</td></tr>
</tbody></table>
<p>Other income is discussed below.</p>
</body></html>"""


def test_thresholds_at_zero_and_in_scale_words_and_year_ended_columns(tmp_path: Path) -> None:
    path = tmp_path / "other.html"
    path.write_text(OTHER_INCOME_HTML, encoding="utf-8")
    doc = load(path)
    # the note alone in a header row covers every column, not only the one it stands under
    assert cell(doc, "Interest income", "2019").scale == "thousand"
    assert cell(doc, "Interest income", "2018").scale == "thousand"
    negative = ask("In which year was Other income (expense), net negative?", doc)
    assert negative.answer == "2019"
    positive = ask("In which year was Other income (expense), net positive?", doc)
    assert positive.answer == "2018"
    # 2,515 thousand is above 2 million, 1,310 thousand below; the column is a year named by its last day
    above = ask("In which period was interest income greater than 2 million?", doc)
    assert above.answer == "2019"
    below = ask("In which period was interest income less than 2 million?", doc)
    assert below.answer == "2018"


OBLIGATIONS_HTML = """<html><body>
<table>
<thead>
<tr><th></th><th colspan="3">Payments Due by Period (in millions)</th></tr>
<tr><th>Contractual Obligations</th><th>Total</th><th>Less than 1 Year</th><th>1-3 Years</th></tr>
</thead>
<tbody>
<tr><td>Long-term debt</td><td>$10,556.6</td><td>$—</td><td>$2,747.6</td></tr>
<tr><td>Operating lease obligations</td><td>312.6</td><td>52.1</td><td>86.4</td></tr>
<tr><td>Purchase obligations</td><td>1,483.5</td><td>1,195.3</td><td>223.4</td></tr>
<tr><td>Total</td><td>$12,352.7</td><td>$1,247.4</td><td>$3,057.4</td></tr>
</tbody></table>
<p>Obligations are paid from operating cash.</p>
</body></html>"""


def test_a_ranking_of_rows_in_the_one_column_the_question_names(tmp_path: Path) -> None:
    path = tmp_path / "obligations.html"
    path.write_text(OBLIGATIONS_HTML, encoding="utf-8")
    doc = load(path)
    answer = ask("Which contractual obligation has the highest total value?", doc)
    assert answer.answer == "Long-term debt"
    # a leading "For ...," clause does not hide the ranking; the total row is no rival
    lowest = ask(
        "For the next year, what is the obligation that has the least amount due in less than 1 year?", doc
    )
    assert lowest.answer == "Operating lease obligations"


SWAPS_HTML = """<html><body>
<table>
<thead><tr><th></th><th>2019</th><th>2018</th></tr></thead>
<tbody>
<tr><td></td><td>RMB’Million</td><td>RMB’Million</td></tr>
<tr><td>Interest rate swaps</td><td></td><td></td></tr>
<tr><td>Carrying amount (non-current (liabilities)/assets)</td><td>(494)</td><td>1,663</td></tr>
<tr><td>Notional amount</td><td>29,423</td><td>77,630</td></tr>
<tr><td>Emissions (Scope 1)</td><td>144.7</td><td>137.2</td></tr>
<tr><td>Emissions (Scope 2)</td><td>4,641.0</td><td>4,950.4</td></tr>
<tr><td>Free cash flow (pre-spectrum)</td><td>5,443</td><td>5,417</td></tr>
<tr><td>Free cash flow</td><td>4,411</td><td>5,443</td></tr>
</tbody></table>
<p>Hedging is described in note 20.</p>
</body></html>"""


def test_a_row_labels_parenthesised_qualifiers_count_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "swaps.html"
    path.write_text(SWAPS_HTML, encoding="utf-8")
    doc = load(path)
    # "(non-current (liabilities)/assets)" need not be said to name the row
    assert ask("What is the 2018 carrying amount of interest rate swaps?", doc).answer == "1,663 million"
    assert ask("What is the 2019 carrying amount of interest rate swaps?", doc).answer == "(494) million"
    # "(Scope 2)" tells two rows apart when the question says it
    assert ask("What were the Scope 2 emissions in 2019?", doc).answer == "4,641.0 million"
    # and a qualifier the question does not say makes a row a worse fit than the plain one
    assert ask("How much is the 2019 free cash flow?", doc).answer == "4,411 million"


GOODWILL_MD = """# Goodwill

| (In Millions) | Dec 29, 2018 | Acquisitions | Other | Dec 28, 2019 |
|---|---|---|---|---|
| Data Center Group | $5,424 | $1,758 | $— | $7,155 |
| Mobileye | 10,290 | — | — | 10,290 |
| Client Computing Group | 4,403 | — | (70) | 4,333 |

Goodwill is tested for impairment every year.
"""


def test_a_roll_forwards_movement_columns_belong_to_the_period_they_close(tmp_path: Path) -> None:
    path = tmp_path / "goodwill.md"
    path.write_text(GOODWILL_MD, encoding="utf-8")
    doc = load(path)
    acquisitions = cell(doc, "Data Center Group", "Acquisitions")
    assert acquisitions.period.years == (2019,) and acquisitions.period.during
    assert not cell(doc, "Data Center Group", "Dec 28, 2019").period.during
    answer = ask("How much goodwill acquisitions for Data Center Group was done in 2019?", doc)
    assert answer.answer == "$1,758 million"
    # the closing balance still answers a question that names no movement
    assert ask("What was the goodwill of Mobileye in 2019?", doc).answer == "10,290 million"
    # and a comparison of years compares balances, not movements
    assert ask("In which year was the goodwill of Client Computing Group higher?", doc).answer == "2018"


RECEIVABLES_HTML = """<html><body>
<table>
<thead>
<tr><th>30 June 2019</th><th>Current</th><th>0 to 30 days past due</th><th>31 to 60 days past due</th><th>Total</th></tr>
<tr><th></th><th>$'000</th><th>$'000</th><th>$'000</th><th>$'000</th></tr>
</thead>
<tbody>
<tr><td>Expected loss rate</td><td>1%</td><td>5%</td><td>7.5%</td><td>-</td></tr>
<tr><td>Gross carrying amount</td><td>23,762</td><td>2,068</td><td>787</td><td>26,617</td></tr>
<tr><td>Loss allowance provision</td><td>238</td><td>103</td><td>59</td><td>400</td></tr>
</tbody></table>
<p>Receivables are reviewed monthly.</p>
</body></html>"""

SALES_HTML = """<html><body>
<table>
<thead>
<tr><th></th><th></th><th>December 31,</th><th></th><th>Change</th></tr>
<tr><th></th><th>2019</th><th>2018</th><th>$</th><th>%</th></tr>
</thead>
<tbody>
<tr><td>Net sales</td><td>$ 93,662</td><td>$ 103,350</td><td>$ (9,688)</td><td>(9.4%)</td></tr>
<tr><td>Cost of goods sold</td><td>$ 68,367</td><td>$ 74,646</td><td>$ 6,279</td><td>–</td></tr>
</tbody></table>
<p>Net sales fell.</p>
</body></html>"""


def test_columns_are_named_by_their_words_not_their_units_days_or_a_rows_percentages(tmp_path: Path) -> None:
    path = tmp_path / "receivables.html"
    path.write_text(RECEIVABLES_HTML, encoding="utf-8")
    doc = load(path)
    # the "Current" column: its "$'000" is no word of it, and the loss-rate row's 1% does not make the
    # whole column a column of percentages
    assert ask("What is the gross carrying amount for current receivables?", doc).answer == "23,762 thousand"
    assert ask("What is the loss allowance provision for current receivables?", doc).answer == "238 thousand"
    # "31" is a number of days here, not the day of a date a question names
    days = ask("What is the gross carrying amount 31 to 60 days past due?", doc)
    assert days.answer == "787 thousand"
    sales = tmp_path / "sales.html"
    sales.write_text(SALES_HTML, encoding="utf-8")
    # "December 31," heads the change column too: the "31" of the question's date does not pick it
    assert ask("What is the net sales for year ended December 31, 2019?", load(sales)).answer == "$ 93,662"


QUARTERS_MD = """# Quarterly results (in thousands)

| | First | Second | Third | Fourth |
|---|---|---|---|---|
| 2019 | | | | |
| Net sales | $117,625 | $120,684 | $115,651 | $115,040 |
| Operating earnings | $14,218 | $17,083 | $10,124 | $12,391 |
| 2018 | | | | |
| Net sales | $113,530 | $118,021 | $118,859 | $120,073 |
| Operating earnings | $13,359 | $14,544 | $16,118 | $17,017 |

Sales were steady through the year.
"""


def test_year_sections_of_rows_are_periods_and_no_year_asks_of_the_latest(tmp_path: Path) -> None:
    path = tmp_path / "quarters.md"
    path.write_text(QUARTERS_MD, encoding="utf-8")
    doc = load(path)
    assert ask("What was the net sales in the third quarter?", doc).answer == "$115,651 thousand"
    assert ask("What were the operating earnings in the fourth quarter?", doc).answer == "$12,391 thousand"
    # a year named picks its block
    assert ask("What was the net sales in the third quarter of 2018?", doc).answer == "$118,859 thousand"


VALUATIONS_HTML = """<html><body>
<table>
<thead><tr><th></th><th>External valuation %</th><th>Internal valuation %</th></tr></thead>
<tbody>
<tr><td>Leasehold</td><td>23%</td><td>77%</td></tr>
<tr><td>Freehold</td><td>38%</td><td>62%</td></tr>
</tbody></table>
<p>During the year the Group obtained external valuations on 31 freehold investment properties.</p>
</body></html>"""


def test_a_count_question_is_not_answered_with_a_percentage(tmp_path: Path) -> None:
    path = tmp_path / "valuations.html"
    path.write_text(VALUATIONS_HTML, encoding="utf-8")
    doc = load(path)
    count = ask("What is the number of freehold investment properties with external valuations?", doc)
    assert count.answer.startswith("31") and count.table is None
    many = ask("How many freehold investment properties had external valuations?", doc)
    assert many.answer == "31 freehold investment properties"


DIVIDENDS_MD = """# Results

| $ million | 2019 | 2018 |
|---|---|---|
| Revenue | 503.6 | 476.9 |
| Adjusted basic earnings per share (cents) | 13.40 | 10.86 |
| Services | 120.0 | 100.0 |
| Licences | 250.0 | 260.0 |
| Hardware | 133.6 | 116.9 |

Revenue grew in every region.
"""


def test_rows_that_state_their_own_measure_and_places_in_a_ranking(tmp_path: Path) -> None:
    path = tmp_path / "results.md"
    path.write_text(DIVIDENDS_MD, encoding="utf-8")
    doc = load(path)
    assert cell(doc, "Revenue", "2019").scale == "million"
    # cents per share are not millions of dollars
    eps = cell(doc, "Adjusted basic earnings per share (cents)", "2019")
    assert eps.scale is None and eps.unit is None
    # "second highest": the row in second place (Revenue leads, then Licences, then Hardware)
    assert ask("Which line has the second highest amount in 2019?", doc).answer == "Licences"
    assert ask("Which line has the third highest amount in 2019?", doc).answer == "Hardware"


LIFE_HTML = """<html><body>
<table>
<thead>
<tr><th></th><th colspan="2">2019</th><th colspan="2">2018</th></tr>
<tr><th></th><th>Men</th><th>Women</th><th>Men</th><th>Women</th></tr>
</thead>
<tbody>
<tr><td>Member aged 65 (current life expectancy)</td><td>86.8</td><td>88.9</td><td>87.3</td><td>89.3</td></tr>
<tr><td>Employees</td><td>1,200</td><td>1,350</td><td>1,100</td><td>1,300</td></tr>
</tbody></table>
<p>Mortality assumptions follow standard tables.</p>
</body></html>"""


def test_a_questions_word_is_read_as_the_tables_synonym(tmp_path: Path) -> None:
    path = tmp_path / "life.html"
    path.write_text(LIFE_HTML, encoding="utf-8")
    doc = load(path)
    male = ask("What is the current life expectancy in 2019 for a male member aged 65?", doc)
    assert male.answer == "86.8"
    female = ask("What is the current life expectancy in 2018 for a female member aged 65?", doc)
    assert female.answer == "89.3"
    assert ask("What was the female headcount in 2019?", doc).answer == "1,350"


DIFFERENCE_HTML = """<html><body>
<table>
<thead>
<tr><th></th><th>2019</th><th>2018</th><th>$ Difference</th><th>% Difference</th></tr>
</thead>
<tbody>
<tr><td>Selling, general and administrative expense</td><td>$24,371,349</td><td>$14,794,205</td>
<td>$9,577,144</td><td>64.7%</td></tr>
<tr><td>Research and development expense</td><td>7,496,012</td><td>3,766,160</td><td>3,729,852</td><td>99.0%</td></tr>
</tbody></table>
<p>Selling, general and administrative expense increased $9.6 million to $24.4 million in 2019.</p>
</body></html>"""


def test_a_difference_column_answers_a_change_and_the_prose_rounds_it(tmp_path: Path) -> None:
    path = tmp_path / "difference.html"
    path.write_text(DIFFERENCE_HTML, encoding="utf-8")
    doc = load(path)
    assert cell(doc, "Selling, general and administrative expense", "$ Difference").period.change
    answer = ask("What was the Selling, general and administrative expense increase in 2019?", doc)
    assert answer.answer == "$9.6 million"
    # the same table's level is not rounded into the sentence's "$24.4 million": a table without a scale
    # may be in thousands, and only a change is read as in units
    level = ask("What was the selling, general and administrative expense in 2019?", doc)
    assert level.answer == "$24,371,349"


LEASES_HTML = """<html><body>
<table>
<thead><tr><th></th><th>Total</th><th>Less than 1 year</th><th>1-5 years</th><th>More than 5 years</th></tr></thead>
<tbody>
<tr><td>Operating leases</td><td>1,000.0</td><td>200.0</td><td>679.8</td><td>120.2</td></tr>
<tr><td>Purchase obligations</td><td>500.0</td><td>400.0</td><td>56.8</td><td>43.2</td></tr>
</tbody></table>
<p>Obligations are paid from operating cash.</p>
</body></html>"""


def test_more_than_in_a_column_name_is_no_ranking(tmp_path: Path) -> None:
    path = tmp_path / "leases.html"
    path.write_text(LEASES_HTML, encoding="utf-8")
    doc = load(path)
    share = ask(
        "What is the percentage of the operating leases of more than 5 years in the total operating leases?",
        doc,
    )
    assert share.derivation is not None and share.answer == "12.02 percent"
    # a ranking is still one
    assert ask("Which obligation has the highest total?", doc).answer == "Operating leases"
