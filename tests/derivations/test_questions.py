"""Reading a derived-figure question: the operation, its periods and items, a count's condition."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.derivations.questions import read_derived


@pytest.mark.parametrize(
    ("question", "operation", "subject", "years"),
    [
        ("What was the change in revenue from 2018 to 2019?", "change", "revenue", (2018, 2019)),
        (
            "What is the difference in total costs between 2019 and 2018?",
            "change",
            "total costs",
            (2019, 2018),
        ),
        (
            "What was the percentage increase in operating cash flow from 2018 to 2019?",
            "percentage change",
            "operating cash flow",
            (2018, 2019),
        ),
        (
            "What is the growth rate of net sales between FY18 and FY19?",
            "percentage change",
            "net sales",
            (2018, 2019),
        ),
        (
            "What is the average operating income in fiscal 2017 and fiscal 2018?",
            "average",
            "operating income",
            (2017, 2018),
        ),
        (
            "What is the total income from continuing operations between 2017 to 2019?",
            "sum",
            "total income from continuing operations",
            (2017, 2018, 2019),
        ),
        ("What was the average Tax exempt interest income?", "average", "Tax exempt interest income", ()),
        (
            "What was the change in weighted average shares outstanding from 2018 to 2019?",
            "change",
            "weighted average shares outstanding",
            (2018, 2019),
        ),
    ],
)
def test_operation_subject_and_years(
    question: str, operation: str, subject: str, years: tuple[int, ...]
) -> None:
    asked = read_derived(question)
    assert asked is not None
    assert (asked.operation, asked.subject, asked.years) == (operation, subject, years)


@pytest.mark.parametrize(
    ("question", "operation", "items", "percent"),
    [
        ("What share of product sales was Other in 2019?", "share", ("Other", "product sales"), True),
        (
            "What was the employee termination costs as a proportion of total costs in 2018?",
            "share",
            ("employee termination costs", "total costs"),
            False,
        ),
        (
            "What is the percentage of audit fees in total fees in 2019?",
            "share",
            ("audit fees", "total fees"),
            True,
        ),
        (
            "What is the ratio of current deferred revenue to non-current deferred revenue in 2019?",
            "ratio",
            ("current deferred revenue", "non-current deferred revenue"),
            False,
        ),
        (
            "What is the difference between the domestic and international discount rates in 2019?",
            "change",
            ("domestic", "international discount rates"),
            False,
        ),
        (
            "What was the sum of Accrued expenses and Other liabilities in 2019?",
            "sum",
            ("Accrued expenses", "Other liabilities"),
            False,
        ),
    ],
)
def test_items_of_shares_ratios_and_differences(
    question: str, operation: str, items: tuple[str, ...], percent: bool
) -> None:
    asked = read_derived(question)
    assert asked is not None
    assert (asked.operation, asked.items, asked.percent) == (operation, items, percent)


@pytest.mark.parametrize(
    "question",
    [
        "What was the revenue in 2019?",
        "What was the total revenue in 2019?",  # a total row, looked up
        "What was the average price per share in 2019?",  # one period: a figure as written
        "What is the current ratio in 2019?",  # a named ratio
        "Why did revenue increase?",
    ],
)
def test_lookups_are_not_derived(question: str) -> None:
    assert read_derived(question) is None


def test_a_count_reads_its_condition_and_what_it_counts() -> None:
    asked = read_derived("How many years did net sales from Americas exceed $200,000 thousand?")
    assert asked is not None
    assert asked.operation == "count" and asked.items == ("columns",)
    assert asked.threshold is not None
    assert (asked.threshold.above, asked.threshold.limit, asked.threshold.scale) == (
        True,
        Decimal(200000),
        "thousand",
    )
    below = read_derived("How many expense segments in 2018 were below $100 million?")
    assert below is not None and below.items == ("rows",) and below.years == (2018,)
    assert below.threshold is not None and not below.threshold.above
