"""Questions a table answers with a header or a label: "In which year was X higher?" (the winning
column's period), "Which segment contributed the most in 2019?" (the winning row's label), thresholds
("less than 500 thousands", "negative") and places ("the second highest")."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.tables.cells import TableCell
from assistant.tables.matches import (
    LESS,
    MIN_ROW_MATCH,
    MORE,
    THRESHOLD,
    ColKey,
    MatchFeatures,
    PieceCell,
    RowKey,
    TableMatch,
    abstain,
    col_key,
    own_label,
    row_key,
)
from assistant.tables.periods import Period

# "In which year was X negative?": a threshold at zero
_SIGN = re.compile(r"\b(?P<sign>negative|positive)\b", re.IGNORECASE)
_SCALE_OF = {"thousand": 1e3, "million": 1e6, "billion": 1e9}


def _is_total(cell: TableCell) -> bool:
    """A total row ("Total revenue", "Assets – Total", an unlabelled sum): no rival in a ranking of rows."""
    return own_label(cell).lower().startswith("total") or cell.label.lower().startswith("total")


def _ranked(candidates: Sequence[PieceCell], sign: int) -> list[PieceCell]:
    """Candidates best first for a question's direction; when every value is negative ("(25)%", "(4.2)")
    "higher", "greater" and "most" ask for the larger amount, as reports speak of falls and outflows."""
    magnitude = all((pc.cell.value or 0.0) < 0 for pc in candidates)

    def key(pc: PieceCell) -> float:
        value = pc.cell.value or 0.0
        return sign * (abs(value) if magnitude else value)

    return sorted(candidates, key=key, reverse=True)


_PLACES = {"second": 1, "third": 2, "fourth": 3, "fifth": 4, "2nd": 1, "3rd": 2, "4th": 3, "5th": 4}
_PLACE = re.compile(
    r"\b(second|third|fourth|fifth|2nd|3rd|4th|5th)[\s-]+(?:highest|largest|greatest|biggest|most|"
    r"lowest|smallest|least|fewest)\b",
    re.IGNORECASE,
)


def _place(question: str) -> int:
    """0 for "the highest", 1 for "the second highest", 2 for "the third largest"..."""
    m = _PLACE.search(question)
    return _PLACES[m.group(1).lower()] if m else 0


def _direction(question: str) -> int:
    """+1 when the question asks for the larger, -1 for the smaller, 0 when it does not say."""
    more, less = MORE.search(question), LESS.search(question)
    if more and (not less or more.start() < less.start()):
        return 1
    return -1 if less else 0


def choose_column(
    question: str,
    cells: Sequence[PieceCell],
    rows: dict[RowKey, float],
    columns: dict[ColKey, float],
    asked: Period,
) -> TableMatch:
    """ "In which year was X higher?": of the best row's period columns (those the question names, when it
    names two or more), the one whose value wins; answered with the column's period."""
    best_key = max(rows, key=lambda k: rows[k], default=None)
    if best_key is None:
        return abstain(cells, rows)
    row_match = rows[best_key]
    rival = max((s for k, s in rows.items() if k != best_key), default=0.0)
    candidates = [
        pc for pc in cells if row_key(pc) == best_key and pc.cell.value is not None and pc.cell.period
    ]
    candidates = [
        pc
        for pc in candidates
        if not pc.cell.period.change and not pc.cell.period.during and len(pc.cell.period.years) <= 1
    ]
    if len(asked.years) >= 2:
        candidates = [pc for pc in candidates if set(pc.cell.period.years) & set(asked.years)]
    # one column per period: the one whose header fits best ("Revenues 2019", not "Income 2019"), else the first
    per_period: dict[str, PieceCell] = {}
    for pc in candidates:
        held = per_period.get(pc.cell.period.text)
        if held is None or columns[col_key(pc)] > columns[col_key(held)]:
            per_period[pc.cell.period.text] = pc
    candidates = list(per_period.values())
    features = MatchFeatures(row_match, 1.0 if candidates else 0.0, row_match - rival, 0.0, True)
    if row_match < MIN_ROW_MATCH or len(candidates) < 2:
        return abstain(cells, rows, features)
    threshold = THRESHOLD.search(question)
    signed = _SIGN.search(question)
    if threshold or signed:
        limit, below = 0.0, signed is not None and signed.group("sign").lower() == "negative"
        if threshold:
            limit = float(threshold.group("n").replace(",", "")) * (-1 if threshold.group("minus") else 1)
            below = re.match(r"less|lower|below|under", threshold.group("op"), re.IGNORECASE) is not None

        def value(pc: PieceCell) -> float:
            """The cell's value in the threshold's terms: in units when the question gives a scale word."""
            v = pc.cell.value or 0.0
            scale = threshold.group("scale") if threshold else None
            if scale:
                ask = _SCALE_OF[scale.lower().rstrip("s")]
                return v * _SCALE_OF.get(pc.cell.scale or "", 1.0) / ask if pc.cell.scale else v
            return v

        fits = [pc for pc in candidates if (value(pc) < limit if below else value(pc) > limit)]
        if len(fits) != 1:
            return abstain(cells, rows, features)
        chosen = fits[0]
    else:
        sign = _direction(question)
        if sign == 0:
            return abstain(cells, rows, features)
        values = _ranked(candidates, sign)
        if values[0].cell.value == values[1].cell.value:
            return abstain(cells, rows, features)
        chosen = values[0]
    period = chosen.cell.period
    # "In which year ...?" is answered by the year of "December 31, 2019"
    asks_year = re.search(r"\b(?:years?|fy)\b", question, re.IGNORECASE) is not None
    # a column "Fiscal Year Ended April 27, 2019" is a year named by its last day: "2019" in any case
    year_column = re.search(r"\byears?\b", chosen.cell.column_header, re.IGNORECASE) is not None
    one_year = len(period.years) == 1 and period.quarter is None
    text = str(period.years[0]) if (asks_year or year_column) and one_year else period.text
    return TableMatch(True, text, chosen, features, tuple(candidates))


def choose_row(
    question: str,
    cells: Sequence[PieceCell],
    rows: dict[RowKey, float],
    columns: dict[ColKey, float],
) -> TableMatch | None:
    """ "Which segment contributed the most in 2019?": in the best column, the row whose value wins (totals
    and section rows left out); answered with the row's label. None when no column fits."""
    if not columns:
        return None
    ranked_columns = sorted(columns.values(), reverse=True)
    best_col = max(columns, key=lambda k: columns[k])
    # a column the question's period fits, or the one column whose header words it names ("highest total
    # value": the "Total" column), clearly ahead of the rest
    lead = ranked_columns[0] - ranked_columns[1] if len(ranked_columns) > 1 else 0.0
    if columns[best_col] < 0.75 and not (columns[best_col] > 0.5 and lead >= 0.05):
        return None
    candidates = [
        pc for pc in cells if col_key(pc) == best_col and pc.cell.value is not None and not _is_total(pc.cell)
    ]
    if len(candidates) < 2:
        return None
    sign = _direction(question)
    ranked = _ranked(candidates, sign)
    place = _place(question)  # "the second highest": the row in that place
    if place >= len(ranked) or (
        place + 1 < len(ranked) and ranked[place].cell.value == ranked[place + 1].cell.value
    ):
        return None
    if place and ranked[place - 1].cell.value == ranked[place].cell.value:
        return None
    chosen = ranked[place]
    features = MatchFeatures(0.0, columns[best_col], 0.0, 0.0, True)
    label = chosen.cell.row_label[-1] if chosen.cell.row_label else ""
    return TableMatch(True, label, chosen, features, tuple(candidates))
