"""Single-span questions over TAT-QA reports written as HTML, DOCX and Markdown documents with real tables.

    python -m bench.tatqa_tables DATA.json [--formats html,docx,md] [--index DIR] [--limit N] [--k 5]
                                 [--dump FILE] [--threads N]

Each report of DATA.json (a TAT-QA file) becomes one document per format: its table as a real table of that
format (HTML <table> with the first row in <thead>, a Word table, a Markdown pipe table), then its
paragraphs. One index per format holds all the reports (built with the real packaged model; with --index
DIR it is kept in DIR/<format> and reused). Every question with answer_type "span" is asked of its own
report through Assistant.ask with the filter source=<its file>, and scored by the rule of bench/figure_qa.py
(the SQuAD rule); as in bench/tatqa.py a bare-number gold answer also counts with the scale TAT-QA gives
apart ("539" + million). An abstention is never correct.

Printed per format: accuracy by answer_from (table, table-text, text) and overall, the abstention rate,
and the naive row x column baseline (the row whose label shares most words with the question, crossed with
the column whose header holds the question's year; read from the gold table itself). The rules were tuned
on the first half of the reports (file order); the second half is printed apart as held out. --limit N
keeps the first N reports.
"""

from __future__ import annotations

import argparse
import html
import io
import json
import re
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.config import Settings
from bench.common import open_like_the_application
from bench.figure_qa import is_correct, normalise, progress
from bench.tatqa import _with_scale

FORMATS = ("html", "docx", "md")
SOURCES = ("table", "table-text", "text")


@dataclass(frozen=True, slots=True)
class Question:
    report: int  # position of the report in the file
    uid: str
    text: str
    golds: tuple[str, ...]
    source: str  # answer_from
    file_stem: str


def load(path: Path, limit: int | None) -> tuple[list[dict[str, Any]], list[Question]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    reports = data[:limit] if limit else data
    questions = []
    for i, report in enumerate(reports):
        stem = f"report-{i:04d}"
        for q in report["questions"]:
            if q["answer_type"] != "span" or q["answer_from"] not in SOURCES:
                continue
            answers = q["answer"] if isinstance(q["answer"], list) else [q["answer"]]
            golds = tuple(dict.fromkeys(g for a in answers for g in _with_scale(str(a), q.get("scale", ""))))
            questions.append(Question(i, q["uid"], q["question"].strip(), golds, q["answer_from"], stem))
    return reports, questions


# --- writing the documents -------------------------------------------------------------------------


def _paragraphs(report: dict[str, Any]) -> list[str]:
    return [p["text"] for p in sorted(report["paragraphs"], key=lambda p: int(p["order"]))]


def write_html(report: dict[str, Any]) -> bytes:
    rows = report["table"]["table"]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows[1:])
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in _paragraphs(report))
    page = (
        f"<html><body><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{paras}</body></html>"
    )
    return page.encode("utf-8")


def write_md(report: dict[str, Any]) -> bytes:
    rows = report["table"]["table"]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |"

    lines = [line(rows[0]), "|" + "---|" * len(rows[0]), *(line(r) for r in rows[1:])]
    return ("\n".join(lines) + "\n\n" + "\n\n".join(_paragraphs(report)) + "\n").encode("utf-8")


def write_docx(report: dict[str, Any]) -> bytes:
    import docx  # imported here: only this variant needs it

    rows = report["table"]["table"]
    document = docx.Document()
    table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    for p in _paragraphs(report):
        document.add_paragraph(p)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


WRITERS = {"html": write_html, "docx": write_docx, "md": write_md}


# --- the naive baseline ----------------------------------------------------------------------------

_WORD = re.compile(r"[a-z]+")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "in",
        "for",
        "what",
        "was",
        "is",
        "were",
        "are",
        "to",
        "and",
        "how",
        "much",
        "many",
        "did",
        "by",
        "at",
        "as",
        "on",
        "from",
    ]
)


def naive(question: str, table: list[list[str]]) -> str | None:
    """The row whose label shares most words with the question, at the column whose header (first three
    rows) holds the question's year; None when no year or no such column."""
    years = _YEAR.findall(question)
    if not years or not table:
        return None
    column = next(
        (c for c in range(1, len(table[0])) if any(years[0] in r[c] for r in table[:3] if c < len(r))), None
    )
    if column is None:
        return None
    words = set(_WORD.findall(question.lower())) - _STOP
    best, best_overlap = None, 0
    for row in table:
        overlap = len(words & set(_WORD.findall(row[0].lower())))
        if overlap > best_overlap and column < len(row) and row[column].strip():
            best, best_overlap = row[column], overlap
    return best


# --- the run ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    question: Question
    fmt: str
    answer: str
    abstained: bool
    correct: bool
    naive: str | None
    naive_correct: bool
    match: dict[str, Any] | None


def run_format(
    fmt: str, reports: list[dict[str, Any]], questions: list[Question], index_root: Path, k: int
) -> tuple[str, list[Outcome]]:
    from assistant.embedding.model import SentenceTransformerEmbedder
    from assistant.storage.build import build_with_settings

    settings = Settings.from_env()
    embedder = SentenceTransformerEmbedder(settings.model, batch_size=settings.batch_size)
    corpus = index_root / f"corpus-{fmt}"
    corpus.mkdir(parents=True, exist_ok=True)
    for i, report in enumerate(reports):
        path = corpus / f"report-{i:04d}.{fmt}"
        data = WRITERS[fmt](report)
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
    index_dir = index_root / fmt
    built = build_with_settings(corpus, index_dir, embedder, settings, progress=progress)
    assistant = open_like_the_application(index_dir, settings, embedder)
    out = []
    for q in questions:
        answer = assistant.ask(q.text, k=k, filters={"source": f"{q.file_stem}.{fmt}"})
        figure = answer.figure.figure if answer.figure else None
        base = naive(q.text, reports[q.report]["table"]["table"])
        out.append(
            Outcome(
                q,
                fmt,
                answer.answer,
                answer.abstained,
                is_correct(None if answer.abstained else answer.answer, figure, q.golds),
                base,
                is_correct(base, None, q.golds),
                answer.table.features.to_dict() if answer.table else None,
            )
        )
    return f"{built.chunks} chunks ({built.embedded} embedded)", out


def render(outcomes: Sequence[Outcome], formats: Sequence[str], half: int) -> str:
    """Accuracy per answer_from and format, the abstention rate, and the baseline beside it."""
    groups = [("all", lambda o: True), *((s, lambda o, s=s: o.question.source == s) for s in SOURCES)]
    parts = [("all reports", lambda o: True), ("tune half", lambda o: o.question.report < half)]
    parts.append(("held-out half", lambda o: o.question.report >= half))
    lines = []
    for part_name, part in parts:
        lines.append(f"\n{part_name}")
        lines.append(f"{'':<12}{'format':<7}{'n':>6}{'accuracy':>10}{'baseline':>10}{'abstained':>11}")
        for name, pred in groups:
            for fmt in formats:
                chosen = [o for o in outcomes if o.fmt == fmt and pred(o) and part(o)]
                n = len(chosen)
                if not n:
                    continue
                acc = sum(o.correct for o in chosen) / n
                base = sum(o.naive_correct for o in chosen) / n
                abst = sum(o.abstained for o in chosen) / n
                lines.append(f"{name:<12}{fmt:<7}{n:>6}{acc:>10.3f}{base:>10.3f}{abst:>11.3f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("data", type=Path, help="a TAT-QA JSON file")
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated: html,docx,md")
    parser.add_argument("--index", type=Path, help="directory to keep the corpora and indexes in, reused")
    parser.add_argument("--limit", type=int, help="only the first N reports")
    parser.add_argument("--k", type=int, default=5, help="passages retrieved per question")
    parser.add_argument("--dump", type=Path, help="write every outcome as a JSON line to this file")
    parser.add_argument("--threads", type=int, help="torch threads")
    args = parser.parse_args(argv)
    if args.threads:
        import torch  # slow import, only when asked

        torch.set_num_threads(args.threads)
    formats = [f for f in args.formats.split(",") if f]
    if unknown := set(formats) - set(FORMATS):
        parser.error(f"unknown formats: {', '.join(sorted(unknown))}")
    reports, questions = load(args.data, args.limit)
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="tatqa-tables-") as tmp:
        root = args.index or Path(tmp)
        for fmt in formats:
            built, found = run_format(fmt, reports, questions, root, args.k)
            print(f"{fmt}: {len(reports)} reports, {built}", file=sys.stderr)
            outcomes.extend(found)
    half = (len(reports) + 1) // 2
    print(
        f"TAT-QA {args.data.name}: {len(reports)} reports, {len(questions)} span questions per format; "
        f"k={args.k}; each question filtered to its report's file; tune half = reports < {half}"
    )
    print(render(outcomes, formats, half))
    if args.dump:
        with args.dump.open("w", encoding="utf-8") as handle:
            for o in outcomes:
                record = {
                    "fmt": o.fmt,
                    "report": o.question.report,
                    "source": o.question.source,
                    "question": o.question.text,
                    "golds": list(o.question.golds),
                    "answer": o.answer,
                    "abstained": o.abstained,
                    "correct": o.correct,
                    "naive": o.naive,
                    "naive_correct": o.naive_correct,
                    "match": o.match,
                    "normalised": normalise(o.answer),
                }
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
