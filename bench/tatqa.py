"""Span questions answered from the text of TAT-QA financial reports: accuracy, passage hit@1/@5, abstention.

    python -m bench.tatqa DATA.json [--index DIR] [--k 5] [--limit N] [--dump FILE] [--threads N]

DATA.json is a TAT-QA file (a list of reports with a table, paragraphs and questions). Every paragraph
becomes a document (tables are left out) with its report's uid as a metadata field, in a .jsonl corpus
written to a temporary folder outside the project; build_index embeds it with the real packaged model.
With --index DIR the index is kept there and reused by later runs.

The questions are those with answer_from "text" and answer_type "span". Each question speaks of "the
company" of its own report, so it is asked as a user would ask it of that report: Assistant.ask with the
filter report=<uid> (the other reports stay out of the search). An answer is correct under the rule in
bench/figure_qa.py (the same as for SQuAD), and so is the baseline, which reads the same retrieved
passages. TAT-QA gives the scale of a number apart ("$539", million); a bare-number gold answer also
counts with its scale ("$539 million", "87%"). A passage hit is one of the question's rel_paragraphs among the retrieved passages (@1: first).
The table shows all span questions and the ones with a digit in the gold answer. Nothing was tuned on
TAT-QA.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from bench.figure_qa import Item, Passage, parse_arguments, render, run


def load(path: Path) -> tuple[list[Passage], list[Item]]:
    """The paragraphs of every report as passages, and the text span questions in file order."""
    data = json.loads(path.read_text(encoding="utf-8"))
    passages: list[Passage] = []
    items: list[Item] = []
    for report in data:
        uid = report["table"]["uid"]
        ids = {str(p["order"]): f"tatqa-{p['uid']}" for p in report["paragraphs"]}
        passages.extend(
            Passage(ids[str(p["order"])], "", p["text"], (("report", uid),)) for p in report["paragraphs"]
        )
        for q in report["questions"]:
            if q["answer_from"] != "text" or q["answer_type"] != "span":
                continue
            answers = q["answer"] if isinstance(q["answer"], list) else [q["answer"]]
            golds = tuple(dict.fromkeys(g for a in answers for g in _with_scale(str(a), q.get("scale", ""))))
            gold_passages = tuple(ids[str(r)] for r in q.get("rel_paragraphs", []) if str(r) in ids)
            items.append(
                Item(len(items), q["uid"], q["question"].strip(), golds, gold_passages, (("report", uid),))
            )
    return passages, items


def _with_scale(answer: str, scale: str) -> list[str]:
    """The answer as written and, for a bare number, with the scale the dataset gives apart ("$539" + million)."""
    if not scale or not re.fullmatch(r"[^\d]{0,3}\(?-?[\d,]*\.?\d+\)?", answer.strip()):
        return [answer]
    return [answer, f"{answer.strip()}%" if scale == "percent" else f"{answer.strip()} {scale}"]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(__doc__, "a TAT-QA JSON file", argv)
    passages, items = load(args.data)
    indexed, outcomes = run(args, passages, items, prefix="tatqa-")
    print(
        f"TAT-QA {args.data.name}: {len(outcomes)} text span questions; {len(passages)} passages; index: {indexed}; "
        f"k={args.k}; each question filtered to its report"
    )
    digits = [o for o in outcomes if any(re.search(r"\d", g) for g in o.item.golds)]
    print(render([("all spans", outcomes), ("digit in gold", digits)]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
