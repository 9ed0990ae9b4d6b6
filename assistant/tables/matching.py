"""Answer a question from tables by row and column: the row its words name, the column its period or words
name, and the cell where they cross; or, for "which year / which segment" questions, the winning header or
label."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from assistant.tables.comparisons import choose_column, choose_row
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
from assistant.tables.periods import Period, read_period
from assistant.text.patterns import PERIOD_YEAR

# An answer needs a row matched well enough (MIN_ROW_MATCH) and this lead over the next row with another
# value; else the answerer abstains.
MIN_ROW_MARGIN = 0.02
HEADER_WEIGHT = 0.5  # column header words, against the row label's 1
PHRASE_BONUS = 0.15  # the row label, whole, in the question
TEXT_CELL_PENALTY = 0.2  # a figure question prefers a number
QUALIFIER_WEIGHT = 0.5  # a parenthesised word of a row label the question does not say, against 1
PERCENT_BONUS = 0.25  # a question about a percentage prefers a column of percentages
DURING_FIT = 0.9  # a movement column's period fit, against its closing balance's
LATEST_BONUS = 0.05  # a question naming no year asks of the latest year, other things equal

_YEAR = re.compile(rf"\b{PERIOD_YEAR}\b")
# the day of a date ("December 31", "30 June"): the period reads it; as a header word it would match any 31
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DAY = re.compile(rf"\b{_MONTH}\s+\d{{1,2}}\b|\b\d{{1,2}}\s+{_MONTH}", re.IGNORECASE)
# a header's unit note ("$'000", "€m", "(in millions)"): no word a question names a column by
_UNIT_WORDS = re.compile(
    r"(?:US\$|A\$|C\$|[$€£¥]|\b(?:USD|EUR|GBP|RMB))\s*['’]?\s*(?:000s?|m|mn|bn|million|thousand|billion)?\b|"
    r"\(?\bin\s+(?:thousands|millions|billions)\)?",
    re.IGNORECASE,
)
_COLUMN_CHOICE = re.compile(
    r"\b(?:which|what)\s+(?:fiscal\s+|financial\s+)?(?:year|period|quarter|month|date|fy)s?\b|"
    r"\bin\s+which\s+(?:fiscal\s+)?year\b|"
    r"\bwhich\s+(?:one|of\s+the\s+(?:two\s+)?years)\b",
    re.IGNORECASE,
)
_ROW_CHOICE = re.compile(
    r"^\s*(?:(?:in|for|during|as\s+(?:of|at))\s+[^,]{1,40},\s*)?(?:in\s+)?(?:which|what)\s+(?!year|period|quarter|month|date)(\w+)",
    re.IGNORECASE,
)
# "Which segment contributed the most?": a ranking of rows (not "What percentage did sales increase by?")
_RANKING = re.compile(
    r"\b(?:most|highest|largest|greatest|biggest|lowest|least|smallest|fewest|higher|lower|larger|smaller|"
    r"greater|bigger|more|less|fewer)\b",
    re.IGNORECASE,
)
_COUNT = re.compile(r"\bnumber\s+of\b|\bhow\s+many\b", re.IGNORECASE)
# questions about what a term means or why: answered from prose
_PROSE = re.compile(
    r"^\s*(?:why|who|how\s+(?:is|are|was|were|does|do|did)\b|what\s+(?:does|do|did)\b|"
    r"when\s+(?:is|are|was|were|does|do|did)\b|(?:did|does|do|is|are|has|have|had)\s+(?:the|any|it|they)\b|"
    r"what\s+(?:is|are|was|were)\s+(?:the\s+)?(?:\w+\s+)?(?:reason|reasons|purpose|definition|nature|cause|basis|method)s?\b)"
    r"|\b(?:caused|cause\s+of|related\s+to|due\s+to|attributable\s+to|driven\s+by|consist\s+of|comprise)\b",
    re.IGNORECASE,
)
# words of a question that name no row: "What was the amount of X in 2019?", "In which year was X higher?"
_GENERIC = re.compile(
    r"\b(?:amount|value|figure|which|year|years|how\s+much|how\s+many|what)\b", re.IGNORECASE
)
_PERIOD_WORDS = frozenset(
    [
        "year",
        "years",
        "fiscal",
        "fy",
        "quarter",
        "quarters",
        "month",
        "months",
        "ended",
        "ending",
        "end",
        "period",
        "as",
        "at",
        "of",
        "december",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
    ]
)


_THAN = re.compile(r"\b(?:more|less|fewer|greater|higher|lower|larger|smaller)\s+than\b", re.IGNORECASE)


def _ranks(question: str) -> bool:
    """Whether a question ranks rows ("contributed the most"); "more than 5 years" names a column."""
    return _RANKING.search(_THAN.sub(" ", question)) is not None


def asks_choice(question: str) -> bool:
    """Whether a question asks which period or which row wins ("In which year was X higher?", "Which segment
    contributed the most?"): answered with a header or a label, never with a computed figure."""
    return _COLUMN_CHOICE.search(question) is not None or (
        _ROW_CHOICE.match(question) is not None and _ranks(question)
    )


def asks_prose(question: str) -> bool:
    """Whether a question asks what something means or why, which tables do not say."""
    return _PROSE.search(question) is not None


def match_table(
    question: str,
    cells: Sequence[PieceCell],
    *,
    analyze: Callable[[str], list[str]],
    idf: Callable[[str], float] | None = None,
    wants_figure: bool = True,
) -> TableMatch | None:
    """The answer the retrieved tables give to a question, an abstention with the closest rows, or None when
    the question is not one a table answers (no table cells, or a question about meaning)."""
    if not cells or asks_prose(question):
        return None
    analyze = _with_synonyms(analyze)
    asked = read_period(question)
    terms = _topic_terms(question, analyze)
    if not terms and not asked:
        return None

    def weight(t: str) -> float:
        return 1.0 + (idf(t) if idf else 0.0)

    rows = _row_scores(question, cells, terms, asked, analyze, weight)
    percent = re.search(r"%|\bper\s*cent|\bpercentage\b", question, re.IGNORECASE) is not None
    column_terms = [
        t
        for t in analyze(_DAY.sub(" ", _YEAR.sub(" ", question)))
        if t not in set(analyze(" ".join(_PERIOD_WORDS)))
    ]
    columns = _column_scores(cells, column_terms, asked, percent, analyze, weight)
    if _COLUMN_CHOICE.search(question):
        return choose_column(question, cells, rows, columns, asked)
    row_choice = _ROW_CHOICE.match(question)
    if row_choice and _ranks(question):
        found = choose_row(question, cells, rows, columns)
        if found is not None:
            return found
    if not wants_figure and not asked:
        return None  # "What is Tax Fees?": a question about meaning, for the prose
    return _lookup(question, cells, rows, columns, asked, wants_figure, percent)


# words a question and a table use for the same thing: the question's word is read as the table's
_SYNONYMS = {
    "male": "men",
    "males": "men",
    "man": "men",
    "female": "women",
    "females": "women",
    "woman": "women",
    "headcount": "employees",
    "staff": "employees",
    "workforce": "employees",
    "personnel": "employees",
}


def _with_synonyms(analyze: Callable[[str], list[str]]) -> Callable[[str], list[str]]:
    """The analyzer with each synonym's stem replaced by its table word's stem ("male" -> "men")."""
    canon = {analyze(k)[0]: analyze(v)[0] for k, v in _SYNONYMS.items() if analyze(k) and analyze(v)}

    def analyzed(text: str) -> list[str]:
        return [canon.get(t, t) for t in analyze(text)]

    return analyzed


def _topic_terms(question: str, analyze: Callable[[str], list[str]]) -> list[str]:
    """The question's stemmed words less its period words, comparison words and thresholds: what names the
    row (and maybe the column)."""
    text = THRESHOLD.sub(" ", question)
    text = _YEAR.sub(" ", MORE.sub(" ", LESS.sub(" ", text)))
    text = _GENERIC.sub(" ", text)
    period_stems = set(analyze(" ".join(_PERIOD_WORDS)))
    return [t for t in dict.fromkeys(analyze(text)) if t not in period_stems]


def _row_scores(
    question: str,
    cells: Sequence[PieceCell],
    terms: Sequence[str],
    asked: Period,
    analyze: Callable[[str], list[str]],
    weight: Callable[[str], float],
) -> dict[RowKey, float]:
    """Each row's match: F1 of the question's topic words (less those only the headers or caption explain)
    against the row label's words, idf weighted, plus a bonus when the label stands whole in the question."""
    lowered = " ".join(question.lower().split())
    period_stems = set(analyze(" ".join(_PERIOD_WORDS)))
    explained: dict[tuple[str, int], set[str]] = {}
    # the latest year a table's row labels name ("2019" and "2018" sections of quarterly rows)
    latest: dict[tuple[str, int], int] = {}
    for pc in cells:
        years = read_period(pc.cell.label).years
        if years:
            t = row_key(pc)[:2]
            latest[t] = max(latest.get(t, 0), *years)
    out: dict[RowKey, float] = {}
    for pc in cells:
        key = row_key(pc)
        if key in out:
            continue
        table = pc.piece.table
        tkey = key[:2]
        if tkey not in explained:
            head = " ".join(" ".join(r) for r in table.grid[: table.header_rows])
            explained[tkey] = set(analyze(f"{head} {table.caption}"))
        whole = set(analyze(_label_words(own_label(pc.cell)))) - period_stems
        # words in parentheses qualify the label ("Carrying amount (non-current (liabilities)/assets)"):
        # they count when the question says them ("(Scope 1)") and cost less than other words when not
        own = set(analyze(_label_words(_outside_parentheses(own_label(pc.cell))))) - period_stems or whole
        qualifiers = whole - own
        own |= qualifiers & set(terms)
        # a parent that is a year ("2019" above a block of rows) is the row's period, read below, not words
        parents = set(analyze(_label_words(_YEAR.sub(" ", " ".join(pc.cell.row_label[:-1])))))
        parents -= period_stems | whole
        label = own | parents | qualifiers
        if not own:
            out[key] = 0.0
            continue
        wanted = [t for t in terms if t in label or t not in explained[tkey]]
        hit = sum(weight(t) for t in wanted if t in label)
        unasked = qualifiers - own
        own_weight = (
            sum(weight(t) for t in own)
            + 0.5 * sum(weight(t) for t in parents - own)
            + QUALIFIER_WEIGHT * sum(weight(t) for t in unasked)
        )
        covered = sum(weight(t) for t in own if t in terms) + 0.5 * sum(
            weight(t) for t in parents - own if t in terms
        )
        precision = covered / own_weight if own_weight else 0.0
        recall = hit / sum(weight(t) for t in wanted) if wanted else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        phrase = pc.cell.row_label[-1].lower() if pc.cell.row_label else ""
        phrase = _outside_parentheses(phrase).strip()
        if len(phrase) > 3 and phrase in lowered:
            f1 += PHRASE_BONUS
        period = read_period(pc.cell.label)
        if asked and period:  # "Outstanding at September 30, 2018": the row names the period asked, or not
            fit = _period_fit(asked, period)
            f1 = 0.0 if fit == 0.0 else f1 + 0.1 if fit == 1.0 else f1
        if not asked.years and period.years and max(period.years) == latest.get(tkey):
            f1 += (
                LATEST_BONUS  # "net sales in the third quarter": of this year's rows, unless a year is named
            )
        out[key] = f1
    return out


def _outside_parentheses(text: str) -> str:
    """A label without its parenthesised qualifiers, nested ones too: "Carrying amount (non-current
    (liabilities)/assets)" -> "Carrying amount"."""
    while True:
        shorter = re.sub(r"\s*\([^()]*\)", "", text)
        if shorter == text:
            return " ".join(text.split())
        text = shorter


def _label_words(label: str) -> str:
    """A row label without footnote marks: "Current year1" -> "Current year", "Revenue (2)" -> "Revenue"."""
    return re.sub(r"(?<=[a-z])\d{1,2}\b|\(\d{1,2}(?:,\d{1,2})*\)|\*+", " ", label)


def _period_fit(asked: Period, period: Period) -> float:
    """1 when a header's period is the one asked, 0.5 when it overlaps it, 0 when it differs; 0.5 when
    either names none; a movement during the period asked (a roll-forward's "Acquisitions") a little less
    than its closing balance."""
    fit = _plain_period_fit(asked, period)
    return DURING_FIT * fit if period.during else fit


def _plain_period_fit(asked: Period, period: Period) -> float:
    if asked.change and period.change and not period.years:
        return 1.0  # "% change": the column a question about a change asks for
    if not asked or not period:
        return 0.5
    if asked.years and period.years and not set(asked.years) & set(period.years):
        return 0.0
    if asked.quarter is not None and period.quarter != asked.quarter:
        return 0.0 if period.quarter is not None else 0.5
    if asked.date and period.date and asked.date != period.date:
        return 0.0
    if period.change != asked.change:
        return 0.25 if period.change else 0.6  # "2019 vs 2018" holds 2019, but as a comparison
    if len(period.years) > 1 and len(asked.years) == 1:
        return 0.5
    return 1.0


def _column_scores(
    cells: Sequence[PieceCell],
    terms: Sequence[str],
    asked: Period,
    percent: bool,
    analyze: Callable[[str], list[str]],
    weight: Callable[[str], float],
) -> dict[ColKey, float]:
    """Each column's match: its period against the question's, plus the share of its header's own words
    (less period words) that the question holds."""
    out: dict[ColKey, float] = {}
    term_set = set(terms)
    period_stems = set(analyze(" ".join(_PERIOD_WORDS)))
    for pc in cells:
        key = col_key(pc)
        if key in out:
            continue
        header = _UNIT_WORDS.sub(" ", _DAY.sub(" ", _YEAR.sub(" ", pc.cell.column_header)))
        words = [t for t in dict.fromkeys(analyze(header)) if t not in period_stems]
        share = (
            sum(weight(t) for t in words if t in term_set) / sum(weight(t) for t in words) if words else 0.0
        )
        out[key] = _period_fit(asked, pc.cell.period) + HEADER_WEIGHT * share
        if "%" in pc.cell.column_header:
            out[key] += PERCENT_BONUS if percent else -PERCENT_BONUS
    return out


def _lookup(
    question: str,
    cells: Sequence[PieceCell],
    rows: dict[RowKey, float],
    columns: dict[ColKey, float],
    asked: Period,
    wants_figure: bool,
    percent: bool = False,
) -> TableMatch | None:
    """The cell where the best row crosses the best column for it (None when the question asks for a change
    the table has no column for)."""
    scored = []
    for pc in cells:
        col = columns[col_key(pc)]
        if asked and pc.cell.period and _period_fit(asked, pc.cell.period) == 0.0:
            continue  # another year's column
        score = rows[row_key(pc)] + 0.5 * col
        if pc.cell.unit == "%" and "%" not in pc.cell.column_header:  # a percentage row in any column
            score += 0.5 * (PERCENT_BONUS if percent else -PERCENT_BONUS)
        if wants_figure and pc.cell.value is None:
            score -= TEXT_CELL_PENALTY
        scored.append((score, pc))
    scored.sort(key=lambda x: -x[0])
    if not scored:
        return abstain(cells, rows)
    best = scored[0][1]
    if best.cell.unit == "%" and not percent and _COUNT.search(question):
        return None  # "What is the number of X?" is not answered by a percentage: the prose may say it
    if asked.change and not best.cell.period.change:
        return None  # "What was the increase in X in 2019?" with no change column: not a cell of this table
    row_match = rows[row_key(best)]
    col_match = columns[col_key(best)]
    row_rival = max(
        (
            rows[row_key(pc)]
            for _, pc in scored
            if row_key(pc) != row_key(best) and pc.cell.text != best.cell.text
        ),
        default=0.0,
    )
    # the lead of the chosen cell over the best other cell of its row (text cells weigh less when a figure
    # is wanted)
    col_rival = max(
        (s for s, pc in scored if row_key(pc) == row_key(best) and pc.cell.text != best.cell.text),
        default=None,
    )
    col_margin = scored[0][0] - col_rival if col_rival is not None else col_match
    features = MatchFeatures(row_match, col_match, row_match - row_rival, col_margin, False)
    clear_column = col_margin > 0
    if row_match < MIN_ROW_MATCH or features.row_margin < MIN_ROW_MARGIN or not clear_column:
        return abstain(cells, rows, features)
    return TableMatch(True, best.cell.text, best, features)
