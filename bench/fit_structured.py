"""Fit the table and derived answers' confidence models (assistant/answering/structured_weights.json).

    python -m bench.fit_structured TATQA.json [--write] [--threshold P] [--records FILE] [--limit N]

Model-free: each report of the TAT-QA file is written as HTML (bench/tatqa_tables.py), loaded with the real
loader and chunked; every chunk is passed as a hit to build_answer, so retrieval plays no part. The
questions are the single-span questions of bench/tatqa_tables.py and the arithmetic and count questions of
bench/tatqa_derived.py. Every answer given from a table (a cell or a header) is a table example, every
computed answer a derived example; each is scored by its bench's own rule (a span question by the rule of
bench/figure_qa.py, an arithmetic one by bench/tatqa_derived.is_right). While collecting, prose answers
are judged at the prose scorer's default threshold, as the application does, and no table or derived
answer is withheld.

1. Fit a logistic regression per kind (bench/fit_scorer.fit) on the first half of the reports (file order)
   and print on the second half the reliability table and expected calibration error, beside those of
   the hand-set formulas the models replace.
2. Print what the prose scorer's default threshold would do to table and derived answers on both halves.
3. Fit again on all reports and (with --write) write both models into the package, with --threshold P
   as their default minimum confidence (0, the default: only a caller's minimum withholds them).

--records FILE keeps the collected features between runs (delete it after changing the answer rules).
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from assistant.answering.confidence import (
    DERIVED,
    DERIVED_FEATURES,
    STRUCTURED_FILE,
    TABLE,
    TABLE_FEATURES,
    Scorer,
    load_scorer,
    scorer_from_dict,
)
from bench import tatqa_derived, tatqa_tables
from bench.common import reliability
from bench.figure_qa import is_correct
from bench.fit_scorer import FOLDS, PENALTY, _reviewable, fit

FEATURES = {TABLE: TABLE_FEATURES, DERIVED: DERIVED_FEATURES}
Row = dict[str, Any]
PROSE, ABSTAINED = "prose", "abstained"  # the other rows: answered from a sentence, or not at all


# --- the pure parts: binning, calibration error, the models ------------------------------------------


def hand_set(kind: str, values: Mapping[str, float]) -> float:
    """The formulas the fitted models replace (as shipped before them), to compare against."""
    if kind == TABLE:
        row, column = values.get("row_match", 0.0), values.get("column_match", 0.0)
        margin = min(1.0, values.get("row_margin", 0.0) + values.get("column_margin", 0.0))
        return max(0.0, min(1.0, 0.3 + 0.35 * row + 0.25 * column + 0.1 * margin))
    weakest = values.get("min_match", 0.0)
    margin = min(1.0, 2 * values.get("min_margin", 0.0))
    return max(0.0, min(1.0, 0.3 + 0.6 * weakest + 0.1 * margin))


def model_of(kind: str, rows: Sequence[Row], penalty: float, threshold: float) -> Scorer:
    """The logistic model of one kind fitted on these rows."""
    import numpy as np  # only the fit needs it

    names = FEATURES[kind]
    x = np.array([[float(r["features"].get(f, 0.0)) for f in names] for r in rows])
    y = np.array([1.0 if r["right"] else 0.0 for r in rows])
    mean, scale, coef, intercept = fit(x, y, penalty)
    return scorer_from_dict(
        {
            "features": list(names),
            "mean": mean.tolist(),
            "scale": scale.tolist(),
            "coef": coef.tolist(),
            "intercept": intercept,
            "threshold": threshold,
        }
    )


def out_of_fold(kind: str, rows: Sequence[Row], penalty: float) -> list[tuple[float, bool]]:
    """(confidence, right) of every row, from a model fitted on the reports of the other folds: a steadier
    calibration estimate than one half (reports are dealt into folds by number)."""
    pairs: list[tuple[float, bool]] = []
    for k in range(FOLDS):
        inside = [r for r in rows if r["report"] % FOLDS == k]
        others = [r for r in rows if r["report"] % FOLDS != k]
        if inside and others:
            model = model_of(kind, others, penalty, 0.0)
            pairs.extend((model.probability(r["features"]), bool(r["right"])) for r in inside)
    return pairs


def model_dict(model: Scorer) -> dict[str, Any]:
    data = model.to_dict()
    data.pop("off_topic")  # a structured answer has no off-topic rule
    return data


# --- collecting --------------------------------------------------------------------------------------


def collect(path: Path, limit: int | None) -> tuple[list[Row], int]:
    """One row per question: the kind of answer (table, derived, prose, abstained), report, bench, source,
    question, answer, the features a table or derived answer's confidence reads, and whether it is right."""
    from assistant.answering.answer import build_answer
    from assistant.ingest.chunking import chunk_document
    from assistant.ingest.document import RawFile
    from assistant.ingest.formats import LOADERS
    from assistant.retrieval.search import Hit
    from assistant.storage.lexical import Analyzer

    reports, spans = tatqa_tables.load(path, limit)
    _, derived = tatqa_derived.load(path, limit)
    analyze = Analyzer()
    ungated = {k: scorer_from_dict({**model_dict(m), "threshold": 0.0}) for k, m in _current().items()}
    by_report: dict[int, list[tuple[str, Any]]] = {}
    for q in spans:
        by_report.setdefault(q.report, []).append(("span", q))
    for d in derived:
        by_report.setdefault(d.report, []).append(("derived", d))
    rows: list[Row] = []
    for i in sorted(by_report):
        name = f"report-{i:04d}.html"
        doc = LOADERS[".html"](RawFile(tatqa_tables.write_html(reports[i]), name))[0]
        chunks = chunk_document(doc)
        words = [set(analyze(c.text)) for c in chunks]
        hits = [Hit(c, 1.0, doc.title, doc.source) for c in chunks]

        def idf(term: str, words: list[set[str]] = words) -> float:
            df = sum(term in w for w in words)
            return math.log(1 + (len(words) - df + 0.5) / (df + 0.5))

        for which, q in by_report[i]:
            a = build_answer(q.text, hits, analyze=analyze, idf=idf, structured=ungated)
            if a.abstained:
                kind = ABSTAINED
            elif a.derivation is not None and a.derivation.value is not None:
                kind = DERIVED
            elif a.table is not None and a.table.cell is not None:
                kind = TABLE
            else:
                kind = PROSE  # the prose scorer's
            rows.append(
                {
                    "kind": kind,
                    "report": i,
                    "bench": which,
                    "source": q.source,
                    "question": q.text,
                    "answer": a.answer,
                    "features": dict(a.features),
                    "right": not a.abstained and _right(which, q, a),
                    "confidence_shipped": a.confidence,
                }
            )
    print(f"{len(reports)} reports, {len(rows)} questions asked", file=sys.stderr)
    return rows, len(reports)


def _current() -> dict[str, Scorer]:
    from assistant.answering.confidence import load_structured

    return load_structured()


def _right(which: str, q: Any, a: Any) -> bool:
    """The answer scored by the rule of the bench the question comes from."""
    figure = a.figure.figure if a.figure else None
    if which == "span":
        return is_correct(a.answer, figure, q.golds)
    d = a.derivation
    if d is not None and d.value is not None:
        return tatqa_derived.is_right(d.value, tatqa_derived.result_scale(d), q.gold, q.scale)
    value = Decimal(str(figure.value)) if figure is not None and figure.value is not None else None
    scale = "percent" if figure is not None and figure.unit == "percent" else "unit"
    return tatqa_derived.is_right(value, scale, q.gold, q.scale)


# --- reporting ---------------------------------------------------------------------------------------


def print_reliability(title: str, pairs: Sequence[tuple[float, bool]]) -> float:
    table, ece = reliability(pairs)
    print(f"\n{title}: {len(pairs)} answers, {sum(r for _, r in pairs) / max(1, len(pairs)):.3f} right")
    print(f"{'confidence':<12}{'count':>8}{'mean conf':>12}{'share right':>14}")
    for b, n, m, right in table:
        print(f"{b:<12}{n:>8}{m:>12.3f}{right:>14.3f}")
    print(f"ECE {ece:.3f}")
    return ece


def print_threshold(
    rows: Sequence[Row], models: Mapping[str, Scorer], threshold: float, half: int, which: str
) -> None:
    """What withholding table and derived answers below the threshold does to the benches' numbers, per
    half: of all questions of a bench and source (whatever answered them), the share right, abstained and
    wrong, with no threshold on them and with this one."""
    print(f"\nthe default threshold {threshold:g} applied to table and derived answers ({which})")
    print(
        f"{'part':<13}{'questions':<22}{'n':>6}{'right':>8}{'abst':>7}{'wrong':>7}   {'right':>6}{'abst':>7}{'wrong':>7}"
    )
    print(f"{'':<41}{'no threshold':^22}   {f'at {threshold:g}':^20}")
    parts: list[tuple[str, Callable[[Row], bool]]] = [
        ("first half", lambda r: r["report"] < half),
        ("second half", lambda r: r["report"] >= half),
    ]
    groups: list[tuple[str, Callable[[Row], bool]]] = [
        ("span, table", lambda r: r["bench"] == "span" and r["source"] == "table"),
        ("span, table-text", lambda r: r["bench"] == "span" and r["source"] == "table-text"),
        ("span, text", lambda r: r["bench"] == "span" and r["source"] == "text"),
        ("arithmetic and count", lambda r: r["bench"] == "derived"),
    ]
    for part, inside in parts:
        for name, member in groups:
            chosen = [r for r in rows if inside(r) and member(r)]
            if not chosen:
                continue
            cells = [*_shares(chosen, models, 0.0), *_shares(chosen, models, threshold)]
            print(
                f"{part:<13}{name:<22}{len(chosen):>6}"
                + "".join(f"{c:>7.3f}" for c in cells[:3])
                + "   "
                + "".join(f"{c:>7.3f}" for c in cells[3:])
            )


def given(row: Row, models: Mapping[str, Scorer], threshold: float) -> bool:
    """Whether the row is answered when table and derived answers below the threshold are withheld."""
    if row["kind"] == ABSTAINED:
        return False
    model = models.get(row["kind"])
    return model is None or threshold <= 0 or model.probability(row["features"]) >= threshold


def _shares(
    rows: Sequence[Row], models: Mapping[str, Scorer], threshold: float
) -> tuple[float, float, float]:
    """(right, abstained, wrong) shares of the rows at this threshold."""
    g = [given(r, models, threshold) for r in rows]
    n = len(rows)
    right = sum(gi and r["right"] for gi, r in zip(g, rows, strict=True)) / n
    wrong = sum(gi and not r["right"] for gi, r in zip(g, rows, strict=True)) / n
    return right, 1 - right - wrong, wrong


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("data", type=Path, help="a TAT-QA JSON file")
    parser.add_argument("--records", type=Path, help="file keeping the collected features between runs")
    parser.add_argument("--limit", type=int, help="only the first N reports")
    parser.add_argument("--penalty", type=float, default=PENALTY, help=f"L2 penalty (default {PENALTY})")
    parser.add_argument(
        "--threshold", type=float, default=0.0, help="default minimum confidence to write (0: none)"
    )
    parser.add_argument("--write", action="store_true", help="write the models into the package")
    args = parser.parse_args(argv)
    if args.records and args.records.exists():
        saved = json.loads(args.records.read_text(encoding="utf-8"))
        rows, reports = saved["rows"], saved["reports"]
    else:
        rows, reports = collect(args.data, args.limit)
        if args.records:
            args.records.write_text(json.dumps({"reports": reports, "rows": rows}), encoding="utf-8")
    half = (reports + 1) // 2
    first = [r for r in rows if r["report"] < half]
    second = [r for r in rows if r["report"] >= half]
    print(
        f"TAT-QA {args.data.name}: {reports} reports; first half = reports < {half}; HTML; every chunk a hit"
    )
    models = {}
    for kind in (TABLE, DERIVED):
        fit_rows = [r for r in first if r["kind"] == kind]
        held = [r for r in second if r["kind"] == kind]
        model = model_of(kind, fit_rows, args.penalty, 0.0)
        models[kind] = model
        print(f"\n=== {kind} answers: fitted on {len(fit_rows)} of the first half, judged on the second")
        before = print_reliability(
            "hand-set formula, second half", [(hand_set(kind, r["features"]), r["right"]) for r in held]
        )
        after = print_reliability(
            "fitted model, second half", [(model.probability(r["features"]), r["right"]) for r in held]
        )
        print(f"\n{kind}: held-apart ECE {before:.3f} (hand-set) -> {after:.3f} (fitted)")
        of_kind = [r for r in rows if r["kind"] == kind]
        folded = print_reliability(
            f"out of fold ({FOLDS} folds of reports, each judged by a model fitted on the others)",
            out_of_fold(kind, of_kind, args.penalty),
        )
        print(f"{kind}: out-of-fold ECE {folded:.3f} over {len(of_kind)} answers")
    print_threshold(rows, models, load_scorer().threshold, half, "models fitted on the first half")
    final = {
        kind: model_of(kind, [r for r in rows if r["kind"] == kind], args.penalty, args.threshold)
        for kind in (TABLE, DERIVED)
    }
    print_threshold(rows, final, load_scorer().threshold, half, "models fitted on all reports, as shipped")
    for kind, model in final.items():
        names = sorted(zip(model.coef, model.features, strict=True), key=lambda t: -abs(t[0]))
        print(f"{kind} coefficients (standardised): " + ", ".join(f"{n} {c:+.2f}" for c, n in names))
    if args.write:
        out: dict[str, Any] = {
            "about": (
                "Table and derived answers' confidence: logistic regressions over "
                "assistant/answering/confidence.py's TABLE_FEATURES and DERIVED_FEATURES, written by "
                "bench/fit_structured.py; threshold 0 means only a caller's minimum withholds an answer."
            ),
            "fitted": {
                "date": datetime.date.today().isoformat(),
                "data": args.data.name,
                "table_answers": sum(r["kind"] == TABLE for r in rows),
                "derived_answers": sum(r["kind"] == DERIVED for r in rows),
                "penalty": args.penalty,
            },
            **{kind: model_dict(model) for kind, model in final.items()},
        }
        STRUCTURED_FILE.write_text(_reviewable(out), encoding="utf-8")
        print(f"wrote {STRUCTURED_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
