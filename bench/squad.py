"""Figure questions from SQuAD v1.1: answer accuracy, passage hit@1/@5 and abstention, beside a simple baseline.

    python bench/squad.py DATA.json [--index DIR] [--k 5] [--limit N] [--dump FILE] [--threads N]

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

import argparse
import json
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: `bench` is importable

from bench.figure_qa import Item, Passage, ask_all, dump, halves, index_passages, render


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
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("data", type=Path, help="a SQuAD v1.1 JSON file")
    parser.add_argument("--index", type=Path, help="index directory to build once and reuse across runs")
    parser.add_argument("--k", type=int, default=5, help="passages retrieved per question")
    parser.add_argument("--limit", type=int, help="ask only the first N questions")
    parser.add_argument("--dump", type=Path, help="write every outcome as a JSON line to this file")
    parser.add_argument("--threads", type=int, help="torch threads (1 keeps queries fast on a busy machine)")
    args = parser.parse_args(argv)
    if args.threads:
        import torch  # slow import, only when asked

        torch.set_num_threads(args.threads)

    from assistant.assistant import Assistant  # slow import: torch, through the embedder
    from assistant.config import Settings
    from assistant.embedding import SentenceTransformerEmbedder

    passages, items = load(args.data)
    items = items[: args.limit] if args.limit else items
    settings = Settings.from_env()
    embedder = SentenceTransformerEmbedder(settings.model, batch_size=settings.batch_size)
    with tempfile.TemporaryDirectory(prefix="squad-") as tmp:
        index_dir = args.index or Path(tmp) / "index"
        indexed = index_passages(passages, Path(tmp) / "corpus", index_dir, embedder, settings)
        assistant = Assistant.open(index_dir, settings=settings, embedder=embedder)
        outcomes = ask_all(assistant, items, k=args.k)
    print(
        f"SQuAD {args.data.name}: {len(items)} questions with a digit in a gold answer; {len(passages)} passages; "
        f"index: {indexed}; k={args.k}"
    )
    print(render(halves(outcomes)))
    if args.dump:
        dump(outcomes, args.dump)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
