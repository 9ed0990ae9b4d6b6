"""Derived figures (changes, growth rates, totals, averages, shares, ratios, counts) over TAT-QA reports.

    python -m bench.tatqa_derived DATA.json [--index DIR] [--limit N] [--k 5] [--dump FILE] [--threads N]

Each report of DATA.json (a TAT-QA file) becomes one HTML document: its table as a real <table> (first row in
<thead>), then its paragraphs. One index holds all the reports (built with the real packaged model; with
--index DIR it is kept in DIR and reused by later runs). The questions are those with answer_type
"arithmetic" or "count" whose evidence (answer_from) is "table" or "table-text"; each is asked of its own
report through Assistant.ask with the filter source=<its file>.

A prediction is right when the derivation's exact value, expressed in the gold's scale (thousand, million,
billion, percent, or as written), equals the gold answer after rounding to the gold's decimals. A result
whose scale is not known is taken as written. When nothing could be computed the assistant may answer with
a figure a sentence states; that figure's value (in units, or percent) is scored the same way. An
abstention is never right. The operation of each question is read from TAT-QA's own derivation (its formula's shape), only to
group the scores: change, percentage change, average, sum, share, ratio, count, other.

Printed: accuracy per operation, the abstention rate and the share of wrong answers, for all reports, for the
first half (file order; the rules were tuned on it) and for the second half (held out). --limit N keeps the
first N reports.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from assistant.assistant import Assistant
from assistant.config import Settings
from bench.common import open_like_the_application
from bench.figure_qa import progress

OPERATIONS = ("change", "percentage change", "average", "sum", "share", "ratio", "count", "other")
_SCALES = {
    "thousand": Decimal(1000),
    "million": Decimal(10**6),
    "billion": Decimal(10**9),
    "percent": Decimal("0.01"),
}


@dataclass(frozen=True, slots=True)
class Question:
    report: int  # position of the report in the file
    uid: str
    text: str
    gold: str  # the answer as TAT-QA gives it (a number, or a count)
    scale: str  # "", "thousand", "million", "billion", "percent"
    source: str  # answer_from
    operation: str  # read from TAT-QA's derivation, to group the scores
    derivation: str


def operation_of(answer_type: str, derivation: str) -> str:
    """The operation a TAT-QA derivation performs, from its shape ("(a-b)/b" is a percentage change)."""
    if answer_type == "count":
        return "count"
    shape = re.sub(r"\d[\d,]*\.?\d*", "N", re.sub(r"[\s$%]|million|thousand|billion", "", derivation))
    shape = re.sub(r"^\((.*)\)$", r"\1", shape)
    if re.fullmatch(r"-?N-\(?-?N\)?", shape):
        return "change"
    if re.fullmatch(r"\[?\(?-?\(?-?N\)?-\(?-?N\)?\)?/\(?-?N\)?\]?(?:\*100)?|-?N/N-1", shape):
        return "percentage change"
    if re.fullmatch(r"-?\(N(?:\+N)+\)/N", shape):
        return "average"
    if re.fullmatch(r"N(?:\+N)+", shape):
        return "sum"
    if re.fullmatch(r"\(?N/N\)?", shape):
        return "ratio"  # share or ratio: told apart by the question's words below
    return "other"


_SHARE_WORDS = re.compile(r"\b(?:percentage|proportion|share|portion|% of|percent of)\b", re.IGNORECASE)


def load(path: Path, limit: int | None) -> tuple[list[dict[str, Any]], list[Question]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    reports = data[:limit] if limit else data
    questions = []
    for i, report in enumerate(reports):
        for q in report["questions"]:
            if q["answer_type"] not in ("arithmetic", "count") or q["answer_from"] not in (
                "table",
                "table-text",
            ):
                continue
            operation = operation_of(q["answer_type"], q.get("derivation", ""))
            if operation == "ratio" and _SHARE_WORDS.search(q["question"]):
                operation = "share"
            answer = q["answer"][0] if isinstance(q["answer"], list) else q["answer"]
            questions.append(
                Question(
                    i,
                    q["uid"],
                    q["question"].strip(),
                    str(answer),
                    q.get("scale", "") or "",
                    q["answer_from"],
                    operation,
                    q.get("derivation", ""),
                )
            )
    return reports, questions


def write_html(report: dict[str, Any]) -> bytes:
    """The report as one HTML page: its table (first row in <thead>), then its paragraphs in order."""
    rows = report["table"]["table"]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows[1:])
    paragraphs = sorted(report["paragraphs"], key=lambda p: int(p["order"]))
    paras = "".join(f"<p>{html.escape(p['text'])}</p>" for p in paragraphs)
    page = (
        f"<html><body><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{paras}</body></html>"
    )
    return page.encode("utf-8")


def file_name(report: int) -> str:
    return f"report-{report:04d}.html"


# --- scoring ---------------------------------------------------------------------------------------


def gold_number(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "").replace("$", "").strip())
    except InvalidOperation:
        return None


def is_right(value: Decimal | None, unit_scale: str | None, gold: str, gold_scale: str) -> bool:
    """The value in the gold's scale, rounded to the gold's decimals, equals the gold."""
    expected = gold_number(gold)
    if value is None or expected is None:
        return False
    if unit_scale == "unit" and not gold_scale:
        unit_scale = None  # a stated figure against a gold as written: compare as they are
    if unit_scale and gold_scale and unit_scale != gold_scale:
        value = value * _SCALES.get(unit_scale, Decimal(1)) / _SCALES.get(gold_scale, Decimal(1))
    exponent = expected.as_tuple().exponent
    places = Decimal(1).scaleb(exponent if isinstance(exponent, int) and exponent < 0 else 0)
    return value.quantize(places, rounding=ROUND_HALF_UP) == expected.quantize(places, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Outcome:
    question: Question
    answered: bool
    right: bool
    answer: str
    formula: str | None
    operation: str | None
    refusal: str | None

    def to_dict(self) -> dict[str, Any]:
        q = self.question
        return {
            "report": q.report,
            "uid": q.uid,
            "question": q.text,
            "gold": q.gold,
            "scale": q.scale,
            "gold_operation": q.operation,
            "gold_derivation": q.derivation,
            "answered": self.answered,
            "right": self.right,
            "answer": self.answer,
            "formula": self.formula,
            "operation": self.operation,
            "refusal": self.refusal,
        }


def result_scale(derivation: Any) -> str | None:
    """The scale a derivation's result is in, in TAT-QA's words ("percent" for percentages)."""
    if derivation.unit in ("percent", "percentage points"):
        return "percent"
    return derivation.scale


def ask_all(assistant: Assistant, questions: Sequence[Question], k: int) -> list[Outcome]:
    out = []
    for q in questions:
        answer = assistant.ask(q.text, k=k, filters={"source": file_name(q.report)})
        d = answer.derivation
        answered = not answer.abstained
        if d is not None and d.value is not None:
            right = answered and is_right(d.value, result_scale(d), q.gold, q.scale)
        else:  # a figure a sentence states: its value is in units (or percent)
            f = answer.figure.figure if answer.figure else None
            value = Decimal(str(f.value)) if f is not None and f.value is not None else None
            scale = "percent" if f is not None and f.unit == "percent" else "unit"
            right = answered and is_right(value, scale, q.gold, q.scale)
        out.append(
            Outcome(
                q,
                answered,
                right,
                answer.answer,
                d.formula if d else None,
                d.operation if d else None,
                d.refusal if d else None,
            )
        )
    return out


def render(outcomes: Sequence[Outcome], half: int) -> str:
    parts: list[tuple[str, Callable[[Outcome], bool]]] = [
        ("all reports", lambda o: True),
        (f"tune half (reports < {half})", lambda o: o.question.report < half),
        (f"held-out half (reports >= {half})", lambda o: o.question.report >= half),
    ]
    lines = []
    for name, part in parts:
        chosen = [o for o in outcomes if part(o)]
        lines.append(f"\n{name}")
        lines.append(f"{'operation':<20}{'n':>6}{'right':>9}{'abstained':>11}{'wrong':>9}")
        groups = [(op, [o for o in chosen if o.question.operation == op]) for op in OPERATIONS]
        for op, group in [*groups, ("all", chosen)]:
            n = len(group)
            if not n:
                continue
            right = sum(o.right for o in group) / n
            abstained = sum(not o.answered for o in group) / n
            wrong = sum(o.answered and not o.right for o in group) / n
            lines.append(f"{op:<20}{n:>6}{right:>9.3f}{abstained:>11.3f}{wrong:>9.3f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("data", type=Path, help="a TAT-QA JSON file")
    parser.add_argument("--index", type=Path, help="directory to keep the corpus and index in, reused")
    parser.add_argument("--limit", type=int, help="only the first N reports")
    parser.add_argument("--k", type=int, default=5, help="passages retrieved per question")
    parser.add_argument("--dump", type=Path, help="write every outcome as a JSON line to this file")
    parser.add_argument("--threads", type=int, help="torch threads")
    args = parser.parse_args(argv)
    if args.threads:
        import torch  # slow import, only when asked

        torch.set_num_threads(args.threads)
    from assistant.embedding.model import SentenceTransformerEmbedder  # loads torch
    from assistant.storage.build import build_with_settings

    reports, questions = load(args.data, args.limit)
    settings = Settings.from_env()
    embedder = SentenceTransformerEmbedder(settings.model, batch_size=settings.batch_size)
    with tempfile.TemporaryDirectory(prefix="tatqa-derived-") as tmp:
        root = args.index or Path(tmp)
        corpus = root / "corpus"
        corpus.mkdir(parents=True, exist_ok=True)
        for i, report in enumerate(reports):
            path, data = corpus / file_name(i), write_html(report)
            if not path.exists() or path.read_bytes() != data:
                path.write_bytes(data)
        built = build_with_settings(corpus, root / "index", embedder, settings, progress=progress)
        assistant = open_like_the_application(root / "index", settings, embedder)
        outcomes = ask_all(assistant, questions, args.k)
    half = (len(reports) + 1) // 2
    print(
        f"TAT-QA {args.data.name}: {len(reports)} reports as HTML, {len(questions)} arithmetic and count "
        f"questions (table, table-text evidence); index {built.chunks} chunks ({built.embedded} embedded); "
        f"k={args.k}; each question filtered to its report's file"
    )
    print(render(outcomes, half))
    if args.dump:
        with args.dump.open("w", encoding="utf-8") as handle:
            for o in outcomes:
                handle.write(json.dumps(o.to_dict(), ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
