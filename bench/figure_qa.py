"""Shared pieces of the figure QA benchmarks: indexing passages, the answer-matching rule, the baseline, the report.

The matching rule (the same for the assistant and for the baseline):

- normalise(text): lower-case; unicode dashes become "-"; thousands separators go ("75,000" -> "75000");
  every punctuation mark becomes a space except a decimal point between digits ("3.5"); number words become
  digits ("three" -> "3", "twenty-five" -> "25", "third" -> "3rd"); a vulgar fraction is spelled out ("5½" ->
  "5 1/2"); the articles a/an/the go; whitespace is collapsed.
- An answer is correct when one of its forms, normalised, equals a gold answer, normalised. The forms are the
  answer string (the figure's text, or the sentence when the assistant answers with a sentence) and, when a
  figure is returned, the figure's text with its unit or counted noun dropped, with and without its
  qualifier: the number runs from the first digit or number word to the last digit, number word or scale
  word, a fraction included ("over 2,000 buildings" -> "over 2,000" and "2,000"; "3 titles" -> "3"; "5½
  sacks" -> "5½", never "5"; "$5 million" -> "5 million"; "approximately 9 per cent" -> "9"). A date stays
  whole; a year only loses its qualifier and the word century ("the late 1970s" -> "1970s"; "11th century"
  -> "11th"). Nothing else is stripped: "3.5 billion years" does not match "3.5 billion years ago", "1530s"
  does not match "1530s and 1540s".
- An abstention is never correct.
- For reference only (the table's "lenient" rows): a figure answer whose numbers include a number of a gold
  answer ("13 years" ~ "13 years and 48 days"); sentence answers never count there.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.answering.results import Answer, Citation
from assistant.assistant import Assistant
from assistant.config import Settings
from assistant.embedding.model import Embedder
from assistant.figures import vocabulary as vocab
from assistant.figures.extraction import extract_figures
from assistant.figures.model import Figure
from assistant.storage.build import build_with_settings
from assistant.text.sentences import sentence_spans
from bench.common import open_like_the_application

# --- the matching rule ---------------------------------------------------------------------------------


# The number words of the matching rule: zero to nineteen, the tens, and the ordinals to twentieth, as the
# figure vocabulary spells them.
_NUMBER_WORDS = vocab.SMALL | vocab.TENS
_ORDINAL_WORDS = {w: n for w, n in vocab.ORDINAL_WORDS.items() if n <= 20}
_ARTICLES = frozenset({"a", "an", "the"})
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")
_PUNCT = re.compile(r"[^\w\s\x00]|_")
# a vulgar fraction ("5½") is part of its number: "5½" is "5 1/2", never "5" nor "51/2"
_FRACTIONS = "\u00bc-\u00be\u2150-\u215e"
_FRACTION = re.compile(f"[{_FRACTIONS}]")
# the qualifiers extract_figures keeps at the start of a figure's text ("about", "more than", "the late")
_QUALIFIER = re.compile(
    r"^(?:(?:just\s+)?(?:more|less|fewer|greater)\s+than|over|under|nearly|about|around|approximately|approx\."
    r"|almost|up\s+to|at\s+(?:least|most)|some|roughly|below|above|close\s+to|in\s+excess\s+of|as\s+(?:many|much)"
    r"\s+as|upwards\s+of|just\s+(?:over|under)|no\s+(?:more|less)\s+than|not\s+(?:more|less)\s+than"
    r"|(?:an\s+)?estimated|circa|ca\.|c\.|between|early|mid|late|[~><≥≤])[\s-]*",
    re.IGNORECASE,
)
_NUMBER_PART = re.compile(
    rf"\d+(?:[.,]\d+)*[{_FRACTIONS}]?|[{_FRACTIONS}]|\b(?:thousand|million|billion|trillion|hundred|dozen|"
    + "|".join(_NUMBER_WORDS)
    + r")\b|(?<=\d)(?:bn|mn|m|k)\b",
    re.IGNORECASE,
)


def _ordinal_suffix(n: int) -> str:
    return "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def normalise(text: str) -> str:
    """The comparison form of an answer: see the module docstring."""
    text = _FRACTION.sub(
        lambda m: " " + unicodedata.normalize("NFKC", m.group()).replace("\u2044", "/"), text
    )
    text = unicodedata.normalize("NFKC", text).lower()
    text = _THOUSANDS.sub("", _DASHES.sub("-", text))
    text = _PUNCT.sub(" ", _DECIMAL_POINT.sub("\x00", text)).replace("\x00", ".")
    out: list[str] = []
    for word in text.split():
        if word in _ARTICLES:
            continue
        if word in _ORDINAL_WORDS:
            n = _ORDINAL_WORDS[word]
            out.append(f"{n}{_ordinal_suffix(n)}")
        elif word in _NUMBER_WORDS:
            value = _NUMBER_WORDS[word]
            # "twenty five" (from "twenty-five"): the tens word and the unit word are one number
            if out and 1 <= value <= 9 and out[-1] in {str(v) for v in range(20, 100, 10)}:
                out[-1] = str(int(out[-1]) + value)
            else:
                out.append(str(value))
        else:
            out.append(word)
    return " ".join(out)


def numeric_forms(figure: Figure) -> set[str]:
    """The figure's text without its qualifier, without its unit or counted noun, or without both.

    The figure's number runs from its first digit or number word to its last digit, number word or scale word:
    "over 2,000 buildings" -> {"2,000 buildings", "over 2,000", "2,000"}; "$5 million" -> {"5 million", ...};
    "approximately 2.5 years" -> {"2.5 years", "approximately 2.5", "2.5"}. A date is left whole ("June 4,
    2014"), a year loses only its qualifier and the word century ("late 1970s" -> {"1970s"}, "the 11th
    century" -> {"11th century", "11th"}): the numbers alone are not the time.
    """
    unqualified = _QUALIFIER.sub("", figure.text, count=1)
    if figure.kind == "date":
        return {figure.text}
    if figure.kind == "year":
        return {unqualified, re.sub(r"[\s-]+century$", "", unqualified, flags=re.IGNORECASE)}
    parts = list(_NUMBER_PART.finditer(figure.text))
    if not parts:
        return {unqualified}
    number = figure.text[parts[0].start() : parts[-1].end()]
    return {unqualified, figure.text[: parts[-1].end()], number}


def answer_forms(text: str, figure: Figure | None) -> set[str]:
    """The normalised forms an answer may match a gold answer by."""
    forms = {normalise(text)}
    if figure is not None:
        forms |= {normalise(figure.text), *(normalise(f) for f in numeric_forms(figure))}
    return {f for f in forms if f}


def is_correct(text: str | None, figure: Figure | None, golds: Iterable[str]) -> bool:
    """True when a form of the answer equals a normalised gold answer; an abstention (None) never is."""
    if text is None:
        return False
    gold = {normalise(g) for g in golds}
    return not gold.isdisjoint(answer_forms(text, figure))


# --- the data ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Passage:
    """A document of the benchmark corpus; metadata fields can be filtered on (report=...)."""

    id: str
    title: str
    text: str
    metadata: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Item:
    """A question, its gold answers and the passages that hold them; n numbers the questions from 0.

    filters scope the question as a user would (report=<id>); empty means the whole collection.
    """

    n: int
    id: str
    question: str
    golds: tuple[str, ...]
    passages: tuple[str, ...]
    filters: tuple[tuple[str, str], ...] = ()


def write_corpus(passages: Sequence[Passage], directory: Path) -> Path:
    """One .jsonl corpus file in directory, read by the normal loader."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "passages.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for p in passages:
            record = {"_id": p.id, "title": p.title, "text": p.text, **dict(p.metadata)}
            handle.write(json.dumps(record) + "\n")
    return path


def index_passages(
    passages: Sequence[Passage], corpus_dir: Path, index_dir: Path, embedder: Embedder, settings: Settings
) -> str:
    """Build (or bring up to date) the index of the passages; returns what was done, as one line."""
    write_corpus(passages, corpus_dir)
    report = build_with_settings(corpus_dir, index_dir, embedder, settings, progress=progress)
    return f"{report.chunks} chunks, {report.embedded} embedded in {report.seconds:.1f} s"


def progress(done: int, total: int) -> None:
    if total and (done == total or done % 1024 < 256):
        print(f"\rembedding {done}/{total} chunks", end="\n" if done == total else "", file=sys.stderr)


# --- the baseline --------------------------------------------------------------------------------------


def baseline(
    question: str, citations: Sequence[Citation], analyze: Callable[[str], list[str]]
) -> Figure | None:
    """The first figure of the top passage's sentence sharing most question terms (the first such on a tie)."""
    if not citations:
        return None
    terms = set(analyze(question))
    text = citations[0].text
    best, best_overlap = None, -1
    for s, e in sentence_spans(text):
        overlap = len(terms.intersection(analyze(text[s:e])))
        if overlap > best_overlap:
            best, best_overlap = text[s:e], overlap
    figures = extract_figures(best) if best else []
    return figures[0] if figures else None


# --- the run -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """One question asked: the assistant's answer, the baseline's, and where a gold passage ranked."""

    item: Item
    answer: Answer
    correct: bool
    lenient: bool
    baseline: str | None
    baseline_correct: bool
    baseline_lenient: bool
    gold_rank: int | None  # 1 = the first retrieved passage; None when not retrieved

    def to_dict(self) -> dict[str, object]:
        figure = self.answer.figure.figure if self.answer.figure else None
        return {
            "n": self.item.n,
            "id": self.item.id,
            "question": self.item.question,
            "golds": list(self.item.golds),
            "answer": self.answer.answer,
            "abstained": self.answer.abstained,
            "kind": figure.kind if figure else None,
            "sentence": self.answer.sentence.text if self.answer.sentence else None,
            "correct": self.correct,
            "baseline": self.baseline,
            "baseline_correct": self.baseline_correct,
            "gold_rank": self.gold_rank,
        }


def lenient_match(figure: Figure | None, golds: Iterable[str]) -> bool:
    """For reference only: a number of the figure equals a number of a gold answer ("13 years" ~ "13 years
    and 48 days"). Sentence answers and abstentions never match."""
    if figure is None:
        return False
    numbers = set(_NUMERAL.findall(normalise(figure.text)))
    return any(numbers & set(_NUMERAL.findall(normalise(g))) for g in golds)


_NUMERAL = re.compile(r"\d+(?:\.\d+)?")


def ask_all(assistant: Assistant, items: Sequence[Item], *, k: int = 5) -> list[Outcome]:
    """Ask every question; the baseline reads the same retrieved passages."""
    analyze = assistant.retriever.reader.lexical.analyze
    out = []
    for item in items:
        answer = assistant.ask(item.question, k=k, filters=dict(item.filters) or None)
        figure = answer.figure.figure if answer.figure else None
        base = baseline(item.question, answer.citations, analyze)
        ranks = [c.n for c in answer.citations if c.doc_id in item.passages]
        out.append(
            Outcome(
                item,
                answer,
                is_correct(None if answer.abstained else answer.answer, figure, item.golds),
                lenient_match(figure, item.golds),
                base.text if base else None,
                is_correct(base.text if base else None, base, item.golds),
                lenient_match(base, item.golds),
                ranks[0] if ranks else None,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class Scores:
    questions: int
    accuracy: float
    baseline: float
    abstained: float
    hit1: float
    hit5: float
    lenient: float
    baseline_lenient: float


def score(outcomes: Sequence[Outcome]) -> Scores:
    n = len(outcomes)
    if n == 0:
        return Scores(0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)

    def share(pred: Callable[[Outcome], bool]) -> float:
        return sum(1 for o in outcomes if pred(o)) / n

    return Scores(
        n,
        share(lambda o: o.correct),
        share(lambda o: o.baseline_correct),
        share(lambda o: o.answer.abstained),
        share(lambda o: o.gold_rank == 1),
        share(lambda o: o.gold_rank is not None and o.gold_rank <= 5),
        share(lambda o: o.lenient),
        share(lambda o: o.baseline_lenient),
    )


def halves(outcomes: Sequence[Outcome]) -> list[tuple[str, Sequence[Outcome]]]:
    """All questions, the tuning half (even n) and the held-out half (odd n)."""
    return [
        ("all", outcomes),
        ("tune (even)", [o for o in outcomes if o.item.n % 2 == 0]),
        ("held-out (odd)", [o for o in outcomes if o.item.n % 2 == 1]),
    ]


def render(columns: Sequence[tuple[str, Sequence[Outcome]]]) -> str:
    """A table of the scores, one column per group of outcomes."""
    scored = [(name, score(group)) for name, group in columns]
    rows: list[tuple[str, Callable[[Scores], str]]] = [
        ("questions", lambda s: f"{s.questions}"),
        ("accuracy", lambda s: f"{s.accuracy:.3f}"),
        ("baseline accuracy", lambda s: f"{s.baseline:.3f}"),
        ("abstained", lambda s: f"{s.abstained:.3f}"),
        ("passage hit@1", lambda s: f"{s.hit1:.3f}"),
        ("passage hit@5", lambda s: f"{s.hit5:.3f}"),
        ("lenient (reference)", lambda s: f"{s.lenient:.3f}"),
        ("baseline lenient", lambda s: f"{s.baseline_lenient:.3f}"),
    ]
    lines = [f"{'':<20}" + "".join(f"{name:>16}" for name, _ in scored)]
    for label, cell in rows:
        lines.append(f"{label:<20}" + "".join(f"{cell(s):>16}" for _, s in scored))
    return "\n".join(lines)


def dump(outcomes: Sequence[Outcome], path: Path) -> None:
    """Every outcome as one JSON line, for reading the errors."""
    with path.open("w", encoding="utf-8") as handle:
        for o in outcomes:
            handle.write(json.dumps(o.to_dict(), ensure_ascii=False) + "\n")


def parse_arguments(doc: str | None, data_help: str, argv: Sequence[str] | None) -> argparse.Namespace:
    """The options every figure-answer benchmark takes: the data file, --index, --k, --limit, --dump, --threads."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument("data", type=Path, help=data_help)
    parser.add_argument("--index", type=Path, help="index directory to build once and reuse across runs")
    parser.add_argument("--k", type=int, default=5, help="passages retrieved per question")
    parser.add_argument("--limit", type=int, help="ask only the first N questions")
    parser.add_argument("--dump", type=Path, help="write every outcome as a JSON line to this file")
    parser.add_argument("--threads", type=int, help="torch threads (1 keeps queries fast on a busy machine)")
    return parser.parse_args(argv)


def run(
    args: argparse.Namespace, passages: Sequence[Passage], items: Sequence[Item], *, prefix: str
) -> tuple[str, list[Outcome]]:
    """Index the passages with the real packaged model (kept in --index when given, else in a temporary
    folder) and ask every item (the first --limit) through Assistant.ask: (what the build did, outcomes).
    Settings come from the environment exactly as in the application; --dump writes the outcomes."""
    if args.threads:
        import torch  # slow import, only when asked

        torch.set_num_threads(args.threads)
    from assistant.embedding.model import SentenceTransformerEmbedder

    items = items[: args.limit] if args.limit else items
    settings = Settings.from_env()
    embedder = SentenceTransformerEmbedder(settings.model, batch_size=settings.batch_size)
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        index_dir = args.index or Path(tmp) / "index"
        indexed = index_passages(passages, Path(tmp) / "corpus", index_dir, embedder, settings)
        assistant = open_like_the_application(index_dir, settings, embedder)
        outcomes = ask_all(assistant, items, k=args.k)
    if args.dump:
        dump(outcomes, args.dump)
    return indexed, outcomes
