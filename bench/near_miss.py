"""Answer or abstain on near misses: SQuAD with the answering paragraphs removed, and questions from elsewhere.

    python -m bench.near_miss SQUAD.json --index DIR [--k 5] [--min-confidence P] [--dump FILE] [--threads N]

The collection holds the even-numbered paragraphs (0, 2, 4, ...) of every article of a SQuAD v1.1 file,
except the off-topic articles (numbers 6 and 7 of every 8: 6, 7, 14, 15, ...), which are left out whole.
Every question with a digit in a gold answer is asked once through Assistant.ask:

- answerable: its paragraph is in the collection; it should be answered, rightly;
- near miss: its paragraph was removed but the rest of its article is there; it should abstain (an answer
  that happens to be right, from another paragraph, is counted as right, not as wrong);
- off-topic: its article is not in the collection at all; it should abstain.

An answer is right under the rule of bench/figure_qa.py for a figure; a sentence answer (a question the
assistant does not read as asking for a figure) is right when the sentence holds a gold answer. The
"strict" rows hold sentence answers wrong, as bench/squad.py does. Each question is asked with
min_confidence 0 (whatever the rules find, with its confidence), and the abstention policy of the
application (assistant/answering/confidence.py: off-topic, or below the threshold) is applied to it, once
with the shipped threshold (or --min-confidence) and once with none, side by side. The reliability table
bins every answer the rules gave by its confidence (count, mean confidence, share right) and gives the
expected calibration error (ECE: the count-weighted mean gap between confidence and share right).

--index DIR keeps the index (build once, reuse); a run with an up-to-date index only asks.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.answering.confidence import Scorer, decide, load_scorer
from assistant.answering.results import Answer
from bench.common import open_like_the_application, reliability
from bench.figure_qa import Item, Passage, index_passages, is_correct, normalise

OFF_TOPIC_EVERY = 8  # articles numbered 6 and 7 of every 8 are left out of the collection
ANSWERABLE, NEAR_MISS, OFF_TOPIC = "answerable", "near miss", "off-topic"


@dataclass(frozen=True, slots=True)
class Question:
    """A benchmark question with its group and the article (or report) it comes from."""

    item: Item
    group: str
    source: str  # the article or report: the unit of the fit/held-out split


def off_topic_article(a: int) -> bool:
    return a % OFF_TOPIC_EVERY in (OFF_TOPIC_EVERY - 2, OFF_TOPIC_EVERY - 1)


def load(path: Path) -> tuple[list[Passage], list[Question]]:
    """The kept paragraphs as passages, and every question with a digit in a gold answer, in file order."""
    data = json.loads(path.read_text(encoding="utf-8"))
    passages: list[Passage] = []
    questions: list[Question] = []
    for a, article in enumerate(data["data"]):
        title = article["title"].replace("_", " ")
        for p, paragraph in enumerate(article["paragraphs"]):
            pid = f"squad-{a:02d}-{p:03d}"
            if off_topic_article(a):
                group = OFF_TOPIC
            elif p % 2 == 0:
                group = ANSWERABLE
                passages.append(Passage(pid, title, paragraph["context"]))
            else:
                group = NEAR_MISS
            for qa in paragraph["qas"]:
                golds = tuple(dict.fromkeys(answer["text"] for answer in qa["answers"]))
                if any(re.search(r"\d", g) for g in golds):
                    item = Item(len(questions), qa["id"], qa["question"].strip(), golds, (pid,))
                    questions.append(Question(item, group, f"squad-{a:02d}"))
    return passages, questions


@dataclass(frozen=True, slots=True)
class Record:
    """One question asked with min_confidence 0: the raw answer, its features and whether it is right."""

    question: Question
    answer: Answer
    right: bool  # figure rule; a sentence answer is right when it holds a gold answer
    strict: bool  # figure rule for every answer (bench/squad.py)

    def given(self, scorer: Scorer, min_confidence: float | None) -> bool:
        """Whether the application would give this answer at that minimum confidence."""
        if self.answer.abstained:
            return False
        return decide(scorer, self.answer.features, self.answer.confidence, min_confidence) is None


def holds_gold(sentence: str, golds: Sequence[str]) -> bool:
    """A sentence answer is right when it holds a gold answer, as whole words after normalisation."""
    text = f" {normalise(sentence)} "
    return any(g and f" {g} " in text for g in (normalise(x) for x in golds))


def judge(answer: Answer, golds: Sequence[str]) -> tuple[bool, bool]:
    """(right, strict) for a raw answer."""
    if answer.abstained:
        return False, False
    figure = answer.figure.figure if answer.figure else None
    strict = is_correct(answer.answer, figure, golds)
    if figure is not None or answer.sentence is None:
        return strict, strict
    return strict or holds_gold(answer.sentence.text, golds), strict


def ask_all(assistant, questions: Sequence[Question], *, k: int) -> list[Record]:
    """Every question asked once with min_confidence 0 (filters from the item scope it, as in tatqa.py)."""
    out = []
    for n, q in enumerate(questions, start=1):
        answer = assistant.ask(q.item.question, k=k, filters=dict(q.item.filters) or None, min_confidence=0.0)
        out.append(Record(q, answer, *judge(answer, q.item.golds)))
        if n % 200 == 0 or n == len(questions):
            print(f"asked {n}/{len(questions)}", file=sys.stderr)
    return out


# --- the report ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Summary:
    answerable: float  # share of answerable questions answered rightly
    answerable_abstained: float
    near_abstained: float
    near_wrong: float  # share of near misses answered wrongly
    precision: float  # right among the answers given (answerable and near misses)
    given: int
    off_topic_abstained: float
    strict_answerable: float
    strict_precision: float


def summarise(records: Sequence[Record], scorer: Scorer, min_confidence: float | None) -> Summary:
    def share(group: str, pred: Callable[[Record], bool]) -> float:
        rs = [r for r in records if r.question.group == group]
        return sum(1 for r in rs if pred(r)) / len(rs) if rs else 0.0

    def given(r: Record) -> bool:
        return r.given(scorer, min_confidence)

    answers = [r for r in records if r.question.group != OFF_TOPIC and given(r)]
    return Summary(
        share(ANSWERABLE, lambda r: given(r) and r.right),
        share(ANSWERABLE, lambda r: not given(r)),
        share(NEAR_MISS, lambda r: not given(r)),
        share(NEAR_MISS, lambda r: given(r) and not r.right),
        sum(r.right for r in answers) / len(answers) if answers else 0.0,
        len(answers),
        share(OFF_TOPIC, lambda r: not given(r)),
        share(ANSWERABLE, lambda r: given(r) and r.strict),
        sum(r.strict for r in answers) / len(answers) if answers else 0.0,
    )


def render(records: Sequence[Record], scorer: Scorer, min_confidence: float | None) -> str:
    """The near-miss table at the chosen threshold and with none, then the reliability table."""
    threshold = scorer.threshold if min_confidence is None else min_confidence
    columns = [(f"min confidence {threshold:g}", summarise(records, scorer, min_confidence))]
    columns.append(("none (rules only)", summarise(records, scorer, 0.0)))
    rows: list[tuple[str, Callable[[Summary], str]]] = [
        ("answerable accuracy", lambda s: f"{s.answerable:.3f}"),
        ("answerable abstained", lambda s: f"{s.answerable_abstained:.3f}"),
        ("near-miss abstention", lambda s: f"{s.near_abstained:.3f}"),
        ("near-miss wrong answers", lambda s: f"{s.near_wrong:.3f}"),
        ("precision of answers given", lambda s: f"{s.precision:.3f}"),
        ("answers given", lambda s: f"{s.given}"),
        ("off-topic abstention", lambda s: f"{s.off_topic_abstained:.3f}"),
        ("strict answerable accuracy", lambda s: f"{s.strict_answerable:.3f}"),
        ("strict precision", lambda s: f"{s.strict_precision:.3f}"),
    ]
    lines = [f"{'':<28}" + "".join(f"{name:>24}" for name, _ in columns)]
    lines += [f"{label:<28}" + "".join(f"{cell(s):>24}" for _, s in columns) for label, cell in rows]
    raw = [
        (r.answer.confidence, r.right)
        for r in records
        if r.question.group != OFF_TOPIC and not r.answer.abstained
    ]
    table, ece = reliability(raw)
    given = [
        (r.answer.confidence, r.right)
        for r in records
        if r.question.group != OFF_TOPIC and r.given(scorer, min_confidence)
    ]
    _, ece_given = reliability(given)
    lines += ["", "reliability of every answer the rules gave (answerable and near misses)"]
    lines.append(f"{'confidence':<12}{'count':>8}{'mean conf':>12}{'share right':>14}")
    lines += [f"{b:<12}{n:>8}{m:>12.3f}{r:>14.3f}" for b, n, m, r in table]
    lines.append(
        f"ECE {ece:.3f} over {len(raw)} answers; ECE of the answers given {ece_given:.3f} over {len(given)}"
    )
    return "\n".join(lines)


def counts(questions: Sequence[Question]) -> str:
    groups = [ANSWERABLE, NEAR_MISS, OFF_TOPIC]
    return ", ".join(f"{sum(q.group == g for q in questions)} {g}" for g in groups)


def build(args: argparse.Namespace, passages: Sequence[Passage], prefix: str):
    """The Assistant over the passages, indexed into args.index (kept) or a temporary folder."""
    from assistant.config import Settings
    from assistant.embedding.model import SentenceTransformerEmbedder

    if args.threads:
        import torch  # slow import, only when asked

        torch.set_num_threads(args.threads)
    settings = Settings.from_env()
    embedder = SentenceTransformerEmbedder(settings.model, batch_size=settings.batch_size)
    tmp = tempfile.mkdtemp(prefix=prefix)
    index_dir = args.index or Path(tmp) / "index"
    indexed = index_passages(passages, Path(tmp) / "corpus", index_dir, embedder, settings)
    return open_like_the_application(index_dir, settings, embedder), indexed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("data", type=Path, help="a SQuAD v1.1 JSON file")
    parser.add_argument("--index", type=Path, help="index directory to build once and reuse across runs")
    parser.add_argument("--k", type=int, default=5, help="passages retrieved per question")
    parser.add_argument("--min-confidence", type=float, help="threshold (default: the shipped scorer's)")
    parser.add_argument("--dump", type=Path, help="write every record as a JSON line to this file")
    parser.add_argument("--threads", type=int, help="torch threads (1 keeps queries fast on a busy machine)")
    args = parser.parse_args(argv)
    passages, questions = load(args.data)
    assistant, indexed = build(args, passages, "near-miss-")
    records = ask_all(assistant, questions, k=args.k)
    scorer = load_scorer()
    print(f"near misses on {args.data.name}: {len(passages)} passages indexed ({indexed}); k={args.k}")
    print(f"{len(questions)} questions with a digit in a gold answer: {counts(questions)}")
    print(render(records, scorer, args.min_confidence))
    if args.dump:
        with args.dump.open("w", encoding="utf-8") as handle:
            for r in records:
                row = {
                    "id": r.question.item.id,
                    "group": r.question.group,
                    "question": r.question.item.question,
                    "golds": list(r.question.item.golds),
                    "answer": r.answer.answer,
                    "abstained": r.answer.abstained,
                    "reason": r.answer.reason,
                    "confidence": r.answer.confidence,
                    "given": r.given(scorer, args.min_confidence),
                    "right": r.right,
                    "features": dict(r.answer.features),
                }
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
