"""Compute a derived figure from its found operands: check that their units and scales combine, do the exact
arithmetic, and keep the formula; or say which operand is missing and why nothing was computed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from assistant.derivations import arithmetic as ar
from assistant.derivations.locate import label_of
from assistant.derivations.model import Derivation, Operand
from assistant.derivations.operands import FoundOperand, Search
from assistant.derivations.questions import DerivedQuestion

_CURRENCY_WORDS = {"USD": "USD", "EUR": "EUR", "GBP": "GBP", "JPY": "JPY"}


def operand_of(found: FoundOperand) -> Operand:
    """A found cell as a cited operand: its exact value as written (parentheses negative)."""
    cell = found.cell.cell
    value = ar.exact_value(cell.text)
    if value is None:  # a cell parse_value read but the exact reader did not: trust the parsed float
        value = Decimal(str(cell.value))
    return Operand(
        found.name,
        cell.text,
        value,
        label_of(found.cell),
        cell.column_header,
        cell.period.text or None,
        cell.unit,
        cell.scale,
        found.cell.hit,
        round(found.match, 4),
        found.cell.piece.number,
        found.cell.doc,
    )


def derive(asked: DerivedQuestion, search: Search) -> Derivation:
    """The derivation a question asks for over the operands found (see the module docstring)."""
    operands = _one_scale_per_table(tuple(operand_of(f) for f in search.found))
    features = _features(search.found)
    if search.missing is not None:
        why = f" ({search.reason})" if search.reason else ""
        return _refused(asked, operands, f"no figure found for {search.missing}{why}", features)
    if asked.operation == "count":
        return _count(asked, operands, features)
    units = {o.unit for o in operands if o.unit}
    if len(units) > 1:
        listed = " and ".join(sorted(units))
        return _refused(asked, operands, f"the operands' units disagree ({listed})", features)
    scales = {o.scale for o in operands}
    if len(scales) > 1 and None in scales:
        stated = next(o for o in operands if o.scale)
        bare = next(o for o in operands if not o.scale)
        return _refused(
            asked,
            operands,
            f"the operands' scales disagree ({stated.label} is in {stated.scale}s, {bare.label} has no stated "
            "scale)",
            features,
        )
    scale = min(scales - {None}, key=lambda s: ar.SCALE_FACTORS[s or "thousand"], default=None)
    values = [ar.rescale(o.value, o.scale, scale) for o in operands]
    unit = operands[0].unit if operands else None
    return _arithmetic(asked, operands, values, unit, scale, features)


def _arithmetic(
    asked: DerivedQuestion,
    operands: tuple[Operand, ...],
    values: list[Decimal],
    unit: str | None,
    scale: str | None,
    features: dict[str, float],
) -> Derivation:
    op = asked.operation
    percent_cells = unit == "%"
    money = None if percent_cells else _CURRENCY_WORDS.get(unit or "", unit)
    if op in ("change", "percentage change") and len(values) == 2:
        if asked.items:  # "the difference between A and B": A - B
            new, old = values[0], values[1]
            new_o, old_o = operands[0], operands[1]
        else:  # periods, found oldest first: the later minus the earlier
            old, new = values[0], values[1]
            old_o, new_o = operands[0], operands[1]
        ordered = (new_o, old_o)
        if op == "change":
            value, formula = ar.change(old, new)
            places = max(ar.places(v) for v in values)
            result_unit = "percentage points" if percent_cells else money
            return _done(op, ordered, formula, value, ar.rounded(value, places), result_unit, scale, features)
        pct = ar.percentage_change(old, new)
        if pct is None:
            return _refused(asked, ordered, f"{old_o.label} is zero: no percentage change from it", features)
        value, formula = pct
        return _done(
            op, ordered, formula, value, ar.rounded(value, ar.PERCENT_PLACES), "percent", None, features
        )
    if op in ("sum", "average") and len(values) >= 2:
        if op == "sum":
            value, formula = ar.total(values)
            shown = ar.rounded(value, max(ar.places(v) for v in values))
        else:
            value, formula = ar.average(values)
            exact = max(ar.places(v) for v in values)
            shown = ar.rounded(value, exact if ar.rounded(value, exact) == value else max(exact, 2))
        result_unit = "percent" if percent_cells else money
        return _done(
            op, operands, formula, value, shown, result_unit, None if percent_cells else scale, features
        )
    if op in ("share", "ratio") and len(values) == 2:
        as_percent = asked.percent
        if op == "share" and abs(values[0]) > abs(values[1]):
            why = f"{operands[0].label} is larger than {operands[1].label}, which cannot be its whole"
            return _refused(asked, operands, why, features)
        found = ar.ratio(values[0], values[1], percent=as_percent)
        if found is None:
            return _refused(asked, operands, f"{operands[1].label} is zero: nothing to divide by", features)
        value, formula = found
        places = ar.PERCENT_PLACES if as_percent else ar.RATIO_PLACES
        return _done(
            op,
            operands,
            formula,
            value,
            ar.rounded(value, places),
            "percent" if as_percent else None,
            None,
            features,
        )
    return _refused(asked, operands, f"a {op} needs more operands than were found", features)


def _one_scale_per_table(operands: tuple[Operand, ...]) -> tuple[Operand, ...]:
    """Operands of one table share the one scale stated for any of them: a note over one column ("2019 (in
    millions)") speaks for the table; across tables or documents nothing is assumed."""
    stated: dict[tuple[str, int | None], set[str]] = {}
    for o in operands:
        if o.scale:
            stated.setdefault((o.doc, o.table), set()).add(o.scale)
    out = []
    for o in operands:
        scales = stated.get((o.doc, o.table), set())
        out.append(replace(o, scale=next(iter(scales))) if not o.scale and len(scales) == 1 else o)
    return tuple(out)


def _count(asked: DerivedQuestion, operands: tuple[Operand, ...], features: dict[str, float]) -> Derivation:
    """How many of the operands meet the question's condition."""
    limit = asked.threshold
    assert limit is not None
    meeting = []
    for o in operands:
        if limit.scale and o.scale and limit.scale != o.scale:
            value = ar.rescale(o.value, o.scale, limit.scale)
        else:
            value = o.value
        if (value > limit.limit) if limit.above else (value < limit.limit):
            meeting.append(o)
    sign = ">" if limit.above else "<"
    bound = (
        ar.written(limit.limit) + ("%" if limit.percent else "") + (f" {limit.scale}" if limit.scale else "")
    )
    formula = f"count of {sign} {bound}: " + (", ".join(o.label for o in meeting) or "none")
    count = Decimal(len(meeting))
    return Derivation(
        "count", tuple(meeting) or operands, formula, count, count, "count", None, None, features
    )


def _done(
    op: str,
    operands: Sequence[Operand],
    formula: str,
    value: Decimal,
    shown: Decimal,
    unit: str | None,
    scale: str | None,
    features: dict[str, float],
) -> Derivation:
    return Derivation(op, tuple(operands), formula, value, shown, unit, scale, None, features)


def _refused(
    asked: DerivedQuestion, operands: Sequence[Operand], why: str, features: dict[str, float]
) -> Derivation:
    return Derivation(asked.operation, tuple(operands), "", None, None, None, None, why, features)


def _features(found: Sequence[FoundOperand]) -> dict[str, float]:
    """What a confidence for a derived answer would use: its weakest operand's match and margin."""
    if not found:
        return {"operands": 0.0, "min_match": 0.0, "min_margin": 0.0}
    return {
        "operands": float(len(found)),
        "min_match": round(min(f.match for f in found), 4),
        "min_margin": round(min(f.margin for f in found), 4),
    }
