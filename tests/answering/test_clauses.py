"""A question about what something represents or comprises is answered by the clause after the verb of the
sentence that says so, read from a real HTML report with a table beside the prose."""

from __future__ import annotations

from pathlib import Path

from assistant.answering.clauses import asked_clause
from assistant.storage.lexical import Analyzer
from tests.tables.test_table_files import ask, load

ANALYZE = Analyzer()

FEES_HTML = """<html><body>
<table>
<thead><tr><th></th><th>2019</th><th>2018</th></tr></thead>
<tbody>
<tr><td>Audit fees (1)</td><td>1,250</td><td>1,100</td></tr>
<tr><td>Tax fees (2)</td><td>40</td><td>35</td></tr>
</tbody></table>
<p>(1) Audit fees are comprised of fees for professional services performed for the audit of our annual
financial statements.</p>
<p>(2) Tax fees are comprised of fees for preparation of tax returns to the Company.</p>
<p>Order intake represents commitments from customers to purchase goods that will result in revenue.</p>
</body></html>"""


def test_the_clause_after_the_verb_answers(tmp_path: Path) -> None:
    path = tmp_path / "fees.html"
    path.write_text(FEES_HTML, encoding="utf-8")
    doc = load(path)
    tax = ask("What do the tax fees comprise of?", doc)
    assert tax.answer == "fees for preparation of tax returns to the Company."
    assert tax.sentence is not None and tax.sentence.text.startswith("(2) Tax fees are comprised of")
    # which words answer, not how sure: the stand-in retrieval gives every passage the same similarity
    intake = ask("What does order intake represent?", doc, min_confidence=0)
    assert intake.answer == "commitments from customers to purchase goods that will result in revenue."


def test_a_sentence_that_does_not_say_it_that_way_gives_no_clause() -> None:
    question = "What does order intake represent?"
    # the subject stands after the verb: not a statement of what order intake is
    assert asked_clause(question, "Revenue represents order intake less cancellations.", ANALYZE) is None
    # a "refer to" question takes a definition written with "is"
    assert (
        asked_clause(
            "What does Vessel Calendar Days refer to?",
            "(1) Vessel Calendar Days is the total number of days the vessels were in our fleet.",
            ANALYZE,
        )
        == "the total number of days the vessels were in our fleet."
    )
    # other questions are not of this kind
    assert asked_clause("Why did revenue increase?", "Revenue increased due to volume.", ANALYZE) is None


def test_how_was_it_calculated_is_answered_by_what_follows_the_participle() -> None:
    question = "How was foreign tax credit carryforwards calculated?"
    footnote = "(2) Calculated based on the deferral method and includes foreign investment tax credits."
    assert asked_clause(question, footnote, ANALYZE) == (
        "based on the deferral method and includes foreign investment tax credits."
    )
    named = "EBITDA is calculated by adding back depreciation to adjusted operating profit."
    assert asked_clause("How is EBITDA calculated?", named, ANALYZE) == (
        "by adding back depreciation to adjusted operating profit."
    )
    # a sentence about something else that happens to be calculated
    other = "Revenue is calculated net of discounts."
    assert asked_clause("How is EBITDA calculated?", other, ANALYZE) is None
