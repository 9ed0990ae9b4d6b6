"""Figure questions from SQuAD v1.1: answer accuracy, passage hit@1/@5 and abstention, beside a simple baseline.

    python -m bench.squad DATA.json [--index DIR] [--k 5] [--limit N] [--dump FILE] [--threads N]

DATA.json is a SQuAD v1.1 file. Every paragraph becomes a document (titled with its article's title) in a
.jsonl corpus written to a temporary folder outside the project, and goes through the normal pipeline:
build_index with the real packaged model, then Assistant.ask. With --index DIR the index is kept there and
reused by later runs (build_index only embeds what changed). Retrieval settings come from the environment
exactly as in the application.

The questions are those with a digit in at least one gold answer. Each is asked once (k passages); the answer
is correct under the rule in bench/figure_qa.py: the answer string (the figure's text, or the sentence when
the assistant answers with a sentence), or the figure's number without its unit or counted noun (with or
without its qualifier), must equal a gold answer after normalisation (case, punctuation, thousands
separators, number words, articles). The baseline reads the same retrieved passages: the sentence of the
top passage sharing most question terms, and the first figure in it, judged by the same rule. A passage hit
is the gold paragraph among the retrieved passages (@1: first). The answer's weights and thresholds were
tuned on the even-numbered questions only; the table shows all questions, that tuning half and the
held-out odd half. The "lenient" rows (a number of the answer's figure equals a number of a gold answer)
are printed for reference only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from bench.figure_qa import Item, Passage, halves, parse_arguments, render, run


def load(path: Path) -> tuple[list[Passage], list[Item]]:
    """The paragraphs as passages, and the questions with a digit in a gold answer, in file order."""
    data = json.loads(path.read_text(encoding="utf-8"))
    passages: list[Passage] = []
    items: list[Item] = []
    for a, article in enumerate(data["data"]):
        title = article["title"].replace("_", " ")
        for p, paragraph in enumerate(article["paragraphs"]):
            pid = f"squad-{a:02d}-{p:03d}"
            passages.append(Passage(pid, title, paragraph["context"]))
            for qa in paragraph["qas"]:
                golds = tuple(dict.fromkeys(answer["text"] for answer in qa["answers"]))
                if any(re.search(r"\d", g) for g in golds):
                    items.append(Item(len(items), qa["id"], qa["question"].strip(), golds, (pid,)))
    return passages, items


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(__doc__, "a SQuAD v1.1 JSON file", argv)
    passages, items = load(args.data)
    indexed, outcomes = run(args, passages, items, prefix="squad-")
    print(
        f"SQuAD {args.data.name}: {len(outcomes)} questions with a digit in a gold answer; {len(passages)} passages; "
        f"index: {indexed}; k={args.k}"
    )
    print(render(halves(outcomes)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
