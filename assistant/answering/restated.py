"""A figure read from a table or computed from it, as the report's prose states it: a cell of 85,123 in a
table in thousands is "$85.1 million" in the sentence that discusses it, a computed +36.03 percent is "36%"."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from assistant.answering.results import Answer, Citation, CitedFigure, Sentence
from assistant.answering.support import sentences
from assistant.figures.extraction import Figure, sentence_figures
from assistant.tables.cells import cell_figure, cell_ref
from assistant.tables.matches import cells_of
from assistant.tables.model import row_line
from assistant.text.patterns import PERIOD_YEAR

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
MIN_DIGITS = 2  # a restatement this coarse ("$1 million") matches too many cells by chance
# words of a question that say nothing of what the figure is
_IDLE = (
    "what was were is are the of in for to and how much many did does by from between amount value "
    "change increase decrease percentage percent year years fy fiscal"
)


@dataclass(frozen=True, slots=True)
class Written:
    """A figure's number as written and what it multiplies by: "$85.1 million" is 85.1, 1 decimal, x 1e6."""

    number: float
    decimals: int
    multiplier: float
    digits: int  # significant digits written


def written(figure: Figure) -> Written | None:
    """The number a figure's text writes, its decimals and scale; None when it writes none or is zero."""
    m = _NUMBER.search(figure.text)
    if m is None or figure.value is None:
        return None
    raw = m.group(0).replace(",", "")
    number = float(raw)
    if number == 0:
        return None
    decimals = len(raw.split(".")[1]) if "." in raw else 0
    digits = len(raw.replace(".", "").lstrip("0"))
    return Written(number, decimals, abs(figure.value) / number, digits)


def restates(value: float, figure: Figure, *, scale_known: bool = True, change: bool = False) -> bool:
    """Whether a stated figure is `value` (in units, or percent) rounded as the figure is written, in
    another scale or to fewer decimals than the source has. When the source's scale is not known (a table
    with no unit note), only the same number with a scale word restates it: "$616" is "$616 million"
    (a rounding, "16,901" as "$16.9 million", may be a different figure of another scale); but a change,
    which prose narrates rounded ("increased $9.6 million"), is also read as in units ($9,577,144)."""
    w = written(figure)
    if w is None or w.digits < MIN_DIGITS:
        return False
    if not scale_known:
        if w.multiplier > 1 and abs(abs(value) - w.number) < 10 ** -(w.decimals + 3):
            return True
        if not change:
            return False
    return abs(round(abs(value) / w.multiplier, w.decimals) - w.number) < 10 ** -(w.decimals + 3)


def stated_in_prose(
    value: float,
    percent: bool,
    source_text: str,
    question: str,
    citations: Sequence[Citation],
    analyze: Callable[[str], list[str]],
    *,
    scale_known: bool = True,
    labels: Sequence[str] = (),
    change: bool = False,
) -> tuple[CitedFigure, Sentence] | None:
    """The prose figure of the cited passages, with its sentence, that restates `value` (a percentage when
    `percent`) rounded, in a sentence that shares a word of what the question asks about and every word
    the question shares with the row labels; None when none does or the source's own text is already how
    it is stated ("85,123" stated as "85,123")."""
    idle = set(analyze(_IDLE))
    asked = {t for t in analyze(re.sub(rf"\b{PERIOD_YEAR}\b", " ", question)) if t not in idle}
    if not asked:
        return None
    # the words the question shares with the table's row labels: a sentence restating the figure names
    # the row as fully ("Total net sales" is not the "Net sales" of a sentence rounding it)
    named = asked & set(analyze(" ".join(labels)))
    prose = [c for c in citations if c.piece is None]
    best: tuple[int, CitedFigure, Sentence] | None = None
    source = _NUMBER.search(source_text)
    for located in sentences(prose):
        s: Sentence = located.sentence
        words = set(analyze(s.text))
        shared = len(asked & words)
        if shared == 0 or not named <= words:
            continue
        for f in (part for g in sentence_figures(s.text) for part in _ends(g)):
            if f.kind not in ("percent" if percent else ("money", "number")) or f.value is None:
                continue
            number = _NUMBER.search(f.text)
            same = source and number and number.group(0) == source.group(0) and f.kind != "percent"
            if same and scale_known:
                continue  # the table's own figure, written the same way: nothing to prefer
            if restates(value, f, scale_known=scale_known, change=change) and (
                best is None or shared > best[0]
            ):
                best = (shared, CitedFigure(f, s.citation, s.text), s)
    return (best[1], best[2]) if best else None


_RANGE_SPLIT = re.compile(r"\s+(?:to|and|through)\s+|\s*[-–—]\s*(?=\D)")


def _ends(figure: Figure) -> list[Figure]:
    """A figure, or both ends of a range read as one ("decreased $8.6 million to $24.9 million": a change
    and the new level, each a figure a table states)."""
    if figure.range_to is None:
        return [figure]
    parts = _RANGE_SPLIT.split(figure.text, maxsplit=1)
    if len(parts) != 2:
        return [figure]
    return [
        replace(figure, text=parts[0], range_to=None),
        replace(figure, text=parts[1], value=figure.range_to, range_to=None, change=None),
    ]


_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9}


def as_stated(answer: Answer, analyze: Callable[[str], list[str]]) -> Answer:
    """A table or computed answer quoted as a cited sentence states it, when one restates it rounded (the
    cell or the working stays cited beside it); any other answer unchanged."""
    if answer.abstained:
        return answer
    d = answer.derivation
    if d is not None and d.value is not None:
        if d.unit == "percentage points" or d.operation == "count":
            return answer
        percent = d.unit == "percent"
        value = float(d.value) * (1.0 if percent else _SCALES.get(d.scale or "", 1.0))
        source = ""
        known = percent or d.scale is not None
        labels = [o.row_label for o in d.operands]
        change = d.operation == "change"
    elif answer.table is not None and answer.figure is not None and answer.figure.figure.value is not None:
        figure = answer.figure.figure
        percent = figure.kind == "percent"
        value = figure.value or 0.0
        source = figure.text
        cell = answer.table.cell
        known = percent or (cell is not None and cell.cell.scale is not None)
        labels = [cell.cell.label] if cell is not None else []
        change = cell is not None and cell.cell.period.change
    else:
        return answer
    kept = (answer.figure,) if answer.figure is not None else ()
    found = stated_in_prose(
        value,
        percent,
        source,
        answer.question,
        answer.citations,
        analyze,
        scale_known=known,
        labels=labels,
        change=change,
    )
    if found is not None:
        stated, sentence = found
        return replace(
            answer,
            answer=stated.figure.text,
            sentence=sentence,
            figure=stated,
            figures=(*kept, *answer.figures),
        )
    if d is not None and d.operation in ("change", "percentage change"):
        in_table = _stated_in_row(value, percent, answer)
        if in_table is not None:
            text, cited = in_table
            return replace(answer, answer=text, figure=cited, figures=(*kept, *answer.figures))
    return answer


def _stated_in_row(value: float, percent: bool, answer: Answer) -> tuple[str, CitedFigure] | None:
    """A cell of a change column ("Change", "% change", "2019 vs 2018") in an operand's row that states the
    computed change rounded (the table's own "36%" for a computed +36.03 percent), as the answer text
    (with the table's scale) and the cited cell."""
    docs = {c.n: c.doc_id for c in answer.citations}
    rows = {(docs.get(f.citation), f.cell.table, f.cell.row) for f in answer.figures if f.cell is not None}
    pieces = [(c.n, c.doc_id, c.piece) for c in answer.citations if c.piece is not None]
    for pc in cells_of(pieces):
        cell = pc.cell
        if (pc.doc, pc.piece.number, cell.row) not in rows or cell.value is None:
            continue
        if not (cell.period.change or "change" in cell.column_header.lower()):
            continue
        if (cell.kind == "percent") != percent:
            continue
        line = row_line(pc.piece.table, pc.piece.local_row(cell.row) - pc.piece.table.header_rows)
        figure = cell_figure(cell, line)
        if restates(value, figure):
            text = f"{cell.text} {cell.scale}" if cell.scale and not percent else cell.text
            if percent and "%" not in text:  # "13.2" under a header "Change %"
                text = f"{text}%"
            return text, CitedFigure(figure, pc.hit, line, cell_ref(pc.piece.number, cell))
    return None
