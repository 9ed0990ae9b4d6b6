"""Fit the answer scorer (assistant/answering/scorer_weights.json): one command, from public QA data.

    python -m bench.fit_scorer SQUAD.json TATQA.json --index DIR [--write] [--records FILE] [--threads N]

The data are the near-miss collection of bench/near_miss.py over a SQuAD v1.1 file (answerable questions,
near misses, off-topic questions) and the text span questions of a TAT-QA file, each filtered to its report
as in bench/tatqa.py. Every question is asked once with min_confidence 0. The scorer chooses a figure
answer among the rules' best few figures (assistant/answering/answer.py: rated_choices), so each of those
choices is an example, read again from the same passages: its features (assistant/answering/features.py)
and whether it is right (the rule of bench/figure_qa.py); any other answer the rules give (a sentence, a
numbered name) is one example. The model is judged as the application uses it: for each question, the
choice it rates highest, with that choice's rightness.

1. Deal the articles (SQuAD) and reports (TAT-QA) into FOLDS folds. For each fold, fit a logistic
   regression (numpy, Newton's method, L2 penalty, standardised features) on the other folds and judge the
   fold's questions with it, so that every question is judged by a model that has not seen its passages.
2. Print, over those out-of-fold judgements, the log loss, the reliability table with the expected
   calibration error, and the precision and answer rate for each threshold. (One held-apart half, the
   former procedure, was too small to choose by: at 0.425 it said precision 0.810, out of fold 0.790.)
3. Choose the threshold out of fold: the lowest at which the answers given are right at least
   TARGET_PRECISION of the time, both over all answers and over the near-miss bench's own (SQuAD answerable
   and near misses), so that the default favours being right over answering where the bench measures it.
   The off-topic rule's limits are read off each model's own fit data.
4. Fit again on everything, with the same penalty, and (with --write) write the weights, the threshold and
   a note of what they were fitted on into the package. Nothing of the data goes into the file.

--index DIR keeps the two indexes (DIR/squad, DIR/tatqa) between runs; --records FILE keeps the asked
answers' features, so a refit after changing only this script does not ask again (delete the file after
changing the features or the answer rules).
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.answering.confidence import WEIGHTS_FILE, Scorer, scorer_from_dict
from assistant.answering.features import FEATURES
from bench import near_miss, tatqa
from bench.common import reliability
from bench.figure_qa import Item, is_correct

TARGET_PRECISION = 0.80  # 4 in 5 answers given right (the issue's target)
PENALTY = 1.0  # L2 on the standardised coefficients
FOLDS = 5  # each fold's questions are judged by a model fitted on the other four
RULES_ONLY = 1e-9  # a threshold above 0 that no confidence fails: what the rules alone withhold
# off-topic: a best-passage similarity below this quantile of the right answers' ...
OFF_TOPIC_DENSE_QUANTILE = 0.02
OFF_TOPIC_COVER = 0.5  # ... and fewer than half of the question's weighted terms in any one passage
THRESHOLDS = np.round(np.arange(0.2, 0.81, 0.025), 3)  # the thresholds printed and chosen among


def collect(args: argparse.Namespace) -> list[dict[str, object]]:
    """Ask every question of both sets; one row per question (features, right, group, source)."""
    rows: list[dict[str, object]] = []
    for name, (passages, questions) in (
        ("squad", near_miss.load(args.squad)),
        ("tatqa", _tatqa(args.tatqa)),
    ):
        sub = argparse.Namespace(index=args.index / name if args.index else None, threads=args.threads)
        assistant, indexed = near_miss.build(sub, passages, f"fit-{name}-")
        print(f"{name}: {len(questions)} questions; index {indexed}", file=sys.stderr)
        for r in near_miss.ask_all(assistant, questions, k=args.k):
            a = r.answer
            prose_figure = (
                not a.abstained and a.figure is not None and a.table is None and a.derivation is None
            )
            rows.append(
                {
                    "set": name,
                    "group": r.question.group,
                    "source": r.question.source,
                    "question": r.question.item.question,
                    "golds": list(r.question.item.golds),
                    "answer": a.answer,
                    "sentence": a.sentence.text if a.sentence else None,
                    "abstained": a.abstained,
                    "right": r.right,
                    "features": dict(a.features),
                    "choices": choices(assistant, r.question.item, args.k) if prose_figure else [],
                }
            )
    return rows


def choices(assistant, item: Item, k: int) -> list[dict[str, object]]:
    """The figures the scorer chose the answer among (assistant/answering/answer.py), read again from the
    same passages: their features and whether each is right."""
    from assistant.answering.choices import rated_choices, read
    from assistant.answering.confidence import load_scorer
    from assistant.answering.questions import analyse_question
    from assistant.answering.results import citations_from
    from assistant.retrieval.search import parse_filters

    retriever = assistant.retriever
    hits = retriever.search(item.question, k=k, filters=parse_filters(dict(item.filters) or None))
    intent = analyse_question(item.question)
    reading = read(
        item.question,
        citations_from(hits),
        hits,
        intent,
        analyze=retriever.reader.lexical.analyze,
        idf=assistant.term_idf(retriever),
        similarity=assistant.similarity,
    )
    out: list[dict[str, object]] = []
    for rc in rated_choices(reading, load_scorer()):
        fig = rc.choice.figure.figure
        right = is_correct(fig.text, fig, item.golds)
        out.append(
            {"answer": fig.text, "sentence": rc.choice.sentence.text, "right": right, "features": rc.features}
        )
    return out


def chosen(rows: Sequence[dict[str, object]], scorer: Scorer) -> list[dict[str, object]]:
    """Each row as the application answers it with this scorer: a figure answer is the most probably right
    of its choices (the first on a tie), with that choice's features and rightness."""
    out = []
    for r in rows:
        options: list[dict[str, object]] = r.get("choices") or []  # type: ignore[assignment]
        if options:
            best = max(options, key=lambda c: scorer.probability(c["features"]))  # type: ignore[arg-type]
            r = {**r, "features": best["features"], "right": best["right"]}
        out.append(r)
    return out


def examples(rows: Sequence[dict[str, object]]) -> list[dict[str, object]]:
    """What the scorer is fitted on: every choice of a figure answer, and every other answer the rules gave."""
    out: list[dict[str, object]] = []
    for r in rows:
        if r["abstained"]:
            continue
        out.extend(r.get("choices") or [r])  # type: ignore[arg-type]
    return out


def _tatqa(path: Path) -> tuple[list[near_miss.Passage], list[near_miss.Question]]:
    passages, items = tatqa.load(path)
    return passages, [near_miss.Question(i, near_miss.ANSWERABLE, dict(i.filters)["report"]) for i in items]


def matrix(rows: Sequence[dict[str, object]]) -> tuple[np.ndarray, np.ndarray]:
    x = np.array([[float(r["features"].get(f, 0.0)) for f in FEATURES] for r in rows])  # type: ignore[attr-defined]
    y = np.array([1.0 if r["right"] else 0.0 for r in rows])
    return x, y


def fit(
    x: np.ndarray, y: np.ndarray, penalty: float = PENALTY
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """(mean, scale, coef, intercept) of an L2-penalised logistic regression on standardised features."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    w = np.zeros(z.shape[1])
    ridge = np.full(z.shape[1], penalty)
    ridge[0] = 0.0
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-z @ w))
        grad = z.T @ (p - y) + ridge * w
        hess = (z * (p * (1 - p))[:, None]).T @ z + np.diag(ridge) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return mean, scale, w[1:], float(w[0])


def scorer_of(
    params: tuple[np.ndarray, np.ndarray, np.ndarray, float], threshold: float, dense: float
) -> Scorer:
    mean, scale, coef, intercept = params
    return scorer_from_dict(
        {
            "features": list(FEATURES),
            "mean": mean.tolist(),
            "scale": scale.tolist(),
            "coef": coef.tolist(),
            "intercept": intercept,
            "threshold": threshold,
            "off_topic": {"dense": dense, "cover": OFF_TOPIC_COVER},
        }
    )


def judged(rows: Sequence[dict[str, object]], scorer: Scorer) -> list[dict[str, object]]:
    """Each row as the application answers it with this scorer (see chosen), with the answer's probability
    ("p") and whether a rule withholds it at any positive threshold ("blocked": off-topic, other subject)."""
    from assistant.answering.confidence import decide

    out = []
    for r in chosen(rows, scorer):
        features: dict[str, float] = r["features"]  # type: ignore[assignment]
        blocked = decide(scorer, features, 1.0, RULES_ONLY) is not None
        out.append({**r, "p": scorer.probability(features), "blocked": blocked})
    return out


def out_of_fold(rows: Sequence[dict[str, object]], penalty: float, folds: int) -> list[dict[str, object]]:
    """Every row judged by a model fitted without its fold: articles (SQuAD) and reports (TAT-QA) are dealt
    into folds by a hash of their name, so no fold's model has seen the passages it is judged on."""
    out: list[dict[str, object]] = []
    for k in range(folds):
        inside = [r for r in rows if fold_of(r, folds) == k]
        others = [r for r in rows if fold_of(r, folds) != k]
        if not inside or not others:
            continue
        out.extend(judged(inside, model(others, penalty, 0.5)))
    return out


def fold_of(row: dict[str, object], folds: int) -> int:
    return zlib.crc32(f"{row['set']}/{row['source']}".encode()) % folds


def model(rows: Sequence[dict[str, object]], penalty: float, threshold: float) -> Scorer:
    """The scorer fitted on these rows' examples, with the off-topic limit read off their right answers."""
    answered = [r for r in rows if not r["abstained"] and r["group"] != near_miss.OFF_TOPIC]
    return scorer_of(fit(*matrix(examples(rows)), penalty), threshold, off_topic_dense(answered))


def given(row: dict[str, object], threshold: float) -> bool:
    """Whether a judged row is answered at this threshold (0 answers whatever the rules found)."""
    if row["abstained"]:
        return False
    if threshold <= 0:
        return True
    return not row["blocked"] and float(row["p"]) >= threshold  # type: ignore[arg-type]


def report(rows: Sequence[dict[str, object]], title: str, target: float) -> float:
    """Print log loss, reliability, the threshold curve and the near-miss summary of judged rows; returns
    the threshold lowest_threshold chooses."""
    answered = [r for r in rows if not r["abstained"]]
    y = np.array([1.0 if r["right"] else 0.0 for r in answered])
    p = np.array([float(r["p"]) for r in answered])  # type: ignore[arg-type]
    loss = -np.mean(y * np.log(np.clip(p, 1e-9, 1)) + (1 - y) * np.log(np.clip(1 - p, 1e-9, 1)))
    print(
        f"\n== {title}: {len(rows)} questions, {len(answered)} answered by the rules, {y.mean():.3f} of them right"
    )
    print(f"log loss {loss:.4f} (constant: {_constant_loss(y):.4f})")
    in_bench = [r for r in answered if r["group"] != near_miss.OFF_TOPIC]
    table, ece = reliability([(float(r["p"]), bool(r["right"])) for r in in_bench])  # type: ignore[arg-type]
    print(f"{'confidence':<12}{'count':>8}{'mean conf':>12}{'share right':>14}")
    for b, n, m, right in table:
        print(f"{b:<12}{n:>8}{m:>12.3f}{right:>14.3f}")
    print(f"ECE {ece:.3f} (answerable, near misses and TAT-QA)")
    print(
        f"{'threshold':>10}{'precision':>11}{'answered':>10}{'squad prec':>12}{'squad ans acc':>15}{'near wrong':>12}{'off-topic abst':>16}{'tatqa acc':>11}"
    )
    for t in [0.0, *THRESHOLDS]:
        precision, squad_precision, given_count = precisions(rows, float(t))
        cells = [
            _share(rows, s, grp, float(t))
            for s, grp in (
                ("squad", near_miss.ANSWERABLE),
                ("squad", near_miss.NEAR_MISS),
                ("squad", near_miss.OFF_TOPIC),
                ("tatqa", near_miss.ANSWERABLE),
            )
        ]
        print(
            f"{t:>10.3f}{precision:>11.3f}{given_count:>10}{squad_precision:>12.3f}{cells[0][0]:>15.3f}{cells[1][1]:>12.3f}{cells[2][2]:>16.3f}{cells[3][0]:>11.3f}"
        )
    return lowest_threshold(rows, target)


def precisions(rows: Sequence[dict[str, object]], threshold: float) -> tuple[float, float, int]:
    """(precision of all answers given, precision of the near-miss bench's answers given (SQuAD), answers
    given) at a threshold; off-topic questions are the off-topic rule's, not counted here."""
    g = [r for r in rows if r["group"] != near_miss.OFF_TOPIC and given(r, threshold)]
    squad = [r for r in g if r["set"] == "squad"]

    def share(rs: Sequence[dict[str, object]]) -> float:
        return sum(bool(r["right"]) for r in rs) / len(rs) if rs else 0.0

    return share(g), share(squad), len(g)


def lowest_threshold(rows: Sequence[dict[str, object]], target: float) -> float:
    """The lowest threshold of THRESHOLDS at which the answers given are right at least `target` of the time,
    over all answers and over the near-miss bench's (the precision its target is set on); the highest when
    none reaches it."""
    for t in THRESHOLDS:
        pooled, squad, _ = precisions(rows, float(t))
        if pooled >= target and squad >= target:
            return float(t)
    return float(THRESHOLDS[-1])


def _share(rows: Sequence[dict[str, object]], name: str, group: str, t: float) -> tuple[float, float, float]:
    """(right and given, wrong and given, not given) shares of one group."""
    rs = [r for r in rows if r["set"] == name and r["group"] == group]
    if not rs:
        return 0.0, 0.0, 0.0
    g = [given(r, t) for r in rs]
    n = len(rs)
    return (
        sum(gi and bool(r["right"]) for gi, r in zip(g, rs, strict=True)) / n,
        sum(gi and not r["right"] for gi, r in zip(g, rs, strict=True)) / n,
        sum(not gi for gi in g) / n,
    )


def _constant_loss(y: np.ndarray) -> float:
    m = float(np.clip(y.mean(), 1e-9, 1 - 1e-9))
    return float(-(m * np.log(m) + (1 - m) * np.log(1 - m)))


def off_topic_dense(rows: Sequence[dict[str, object]]) -> float:
    """The OFF_TOPIC_DENSE_QUANTILE of the best-passage similarity of right answers."""
    values = [float(r["features"]["top_dense"]) for r in rows if r["right"]]  # type: ignore[index]
    return float(np.quantile(values, OFF_TOPIC_DENSE_QUANTILE)) if values else 0.0


def _reviewable(data: dict[str, object]) -> str:
    """The weights file: one key a line, numbers to 6 significant digits, so a diff reads as a review."""

    def rounded(value: object) -> object:
        if isinstance(value, float):
            return float(f"{value:.6g}")
        if isinstance(value, list):
            return [rounded(v) for v in value]
        if isinstance(value, dict):
            return {k: rounded(v) for k, v in value.items()}
        return value

    lines = [f" {json.dumps(k)}: {json.dumps(rounded(v), ensure_ascii=False)}" for k, v in data.items()]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("squad", type=Path, help="a SQuAD v1.1 JSON file")
    parser.add_argument("tatqa", type=Path, help="a TAT-QA JSON file")
    parser.add_argument("--index", type=Path, help="directory keeping both indexes between runs")
    parser.add_argument("--records", type=Path, help="file keeping the asked answers' features between runs")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--penalty", type=float, default=PENALTY, help=f"L2 penalty (default {PENALTY})")
    parser.add_argument(
        "--precision", type=float, default=TARGET_PRECISION, help="precision the threshold is chosen for"
    )
    parser.add_argument(
        "--folds", type=int, default=FOLDS, help=f"folds of articles and reports (default {FOLDS})"
    )
    parser.add_argument(
        "--threshold",
        type=float,
        help="write this threshold instead of the one chosen out of fold (a reviewed choice: say why)",
    )
    parser.add_argument("--write", action="store_true", help="write the weights into the package")
    args = parser.parse_args(argv)
    if args.records and args.records.exists():
        rows = [json.loads(line) for line in args.records.read_text(encoding="utf-8").splitlines()]
    else:
        rows = collect(args)
        if args.records:
            args.records.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    print(
        f"{len(examples(rows))} choices of {sum(not r['abstained'] for r in rows)} answers; "
        f"{args.folds} folds by article and report"
    )
    threshold = report(
        out_of_fold(rows, args.penalty, args.folds),
        "out of fold: each question judged by a model fitted without its article or report",
        args.precision,
    )
    print(
        f"\nthreshold chosen out of fold: {threshold:.3f} "
        f"(precision >= {args.precision}, over all answers and over SQuAD's)"
    )
    chosen_out_of_fold = threshold
    if args.threshold is not None:
        threshold = args.threshold
        print(f"threshold written: {threshold:.3f} (--threshold)")
    final = model(rows, args.penalty, threshold)
    report(judged(rows, final), "everything, final model (in-sample)", args.precision)
    answered = [r for r in rows if not r["abstained"]]
    names = sorted(zip(final.coef, FEATURES, strict=True), key=lambda t: -abs(t[0]))
    print("\ncoefficients (standardised): " + ", ".join(f"{n} {c:+.2f}" for c, n in names))
    if args.write:
        out = final.to_dict()
        out = {
            "about": (
                "Answer scorer: logistic regression over assistant/answering/features.py, written by "
                "bench/fit_scorer.py; "
                + (
                    f"threshold {threshold:g} set by --threshold (see bench/README.md), "
                    if args.threshold is not None
                    else ""
                )
                + f"out of fold the lowest threshold for precision >= {args.precision} (over all answers and "
                + f"over the near-miss bench's) is {chosen_out_of_fold:g}."
            ),
            "fitted": {
                "date": datetime.date.today().isoformat(),
                "data": [args.squad.name, args.tatqa.name],
                "answers": len(answered),
                "choices": len(examples(rows)),
                "right": sum(bool(r["right"]) for r in examples(rows)),
                "penalty": args.penalty,
                "precision": args.precision,
            },
            **out,
        }
        WEIGHTS_FILE.write_text(_reviewable(out), encoding="utf-8")
        print(f"wrote {WEIGHTS_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
