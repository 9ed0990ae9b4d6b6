"""Follow-up questions with and without the conversation: answer accuracy and the rank of the gold passage.

    python -m bench.conversations [--k 5] [--show-queries]

Each case is a two-turn conversation over a small corpus: the seed article in corpus/ and four short
documents written below, all rich in figures and close in topic (three digital economies, two energy and
trade reports), so that an elliptical follow-up ("And what share of GDP was that?") is ambiguous on its
own. The corpus is indexed with the real packaged model in a temporary folder; each follow-up is asked
once with the first question as history and once without. A follow-up is answered when the expected
figure text is in the answer (the chosen figure, or the sentence given when no figure is chosen); the gold
passage is the first retrieved passage of the expected document that contains that figure text (rank 1 is
best; "-" means not in the top 20). Some follow-ups move to a period the documents give no figure for
("And in 2022?" after a question about 2023): those are right when the assistant abstains, and are counted
apart.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from bench.common import open_like_the_application

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "china-digital-economy-2022.txt"
DEPTH = 20  # passages ranked when looking for the gold one

DOCUMENTS = {
    "india-digital-economy.txt": """India's digital economy

India's digital economy was worth 402 billion dollars in 2022, equal to 11.7 percent of GDP, according to an
estimate by the Ministry of Electronics and Information Technology. In 2020 it stood at 285 billion dollars. The
ministry expects the digital economy to account for a fifth of GDP by 2026.

Payments drove much of the growth. The Unified Payments Interface (UPI) handled 7.8 billion transactions in
December 2022, compared with 4.6 billion in December 2021. Mobile data use per subscriber climbed to 19.5 GB a
month in 2022, and the number of internet subscribers passed 830 million.
""",
    "kenya-mobile-money.txt": """Mobile money in Kenya

Mobile money transactions in Kenya were worth 6.9 trillion shillings in 2021, equal to about 55 percent of GDP,
according to the Central Bank of Kenya. The value of transactions grew 30 percent compared with 2020, when
lockdowns pushed shops and households towards phone payments.

There were 38.4 million registered mobile money accounts at the end of 2021, more than the country's adult
population. The service is carried by a dense network of agents: 298,000 agents were active in 2021, most of
them small shops. M-Pesa holds a 98 percent share of mobile money subscriptions.
""",
    "germany-electricity.txt": """Germany's electricity mix

Renewables supplied 46.3 percent of Germany's gross electricity consumption in 2022, up from 41.1 percent in
2021, according to the Federal Statistical Office. Wind power generated 125 terawatt hours in 2022, 9 percent
more than in 2021, and remained the largest single source.

Solar output rose 19 percent to 60.8 terawatt hours in 2022 after a sunny summer. Coal still supplied a third of
the electricity fed into the grid, while natural gas fell to 11.4 percent of generation.
""",
    "hooli-annual-report.txt": """Hooli annual report 2023

Hooli, the search and cloud company, reported revenue of 75 million dollars in 2023, driven by its new
compression product. The company ended the year with 420 employees, most of them engineers in Palo Alto.

Operating costs rose as the company expanded its data centres in Nevada and Oregon.
""",
    "brazil-coffee.txt": """Brazil's coffee exports

Brazil exported 39.4 million 60-kilogram bags of coffee in 2022, 3.3 percent fewer than in 2021, according to
the exporters' council Cecafé. Higher prices more than made up for the smaller harvest: export revenue rose 46
percent to 9.2 billion dollars.

The United States bought 16 percent of the shipments, ahead of Germany with 15 percent. Arabica made up 80
percent of the volume shipped, robusta most of the rest.
""",
}


@dataclass(frozen=True, slots=True)
class Case:
    first: str
    follow_up: str
    expected: str | None  # figure text the follow-up's answer must contain; None: it must abstain
    document: str  # the document that holds it (or that the first question is about)


CASES = [
    Case(
        "How large was China's digital economy in 2021?",
        "And what share of GDP was that?",
        "39.8 percent",
        SEED.name,
    ),
    Case(
        "How large was China's digital economy in 2021?",
        "How fast did data output grow?",
        "29.4 percent",
        SEED.name,
    ),
    Case(
        "How many people will Huawei connect to the digital society by 2025?",
        "In how many countries?",
        "80 countries",
        SEED.name,
    ),
    Case(
        "How much was India's digital economy worth in 2022?",
        "What share of GDP was it?",
        "11.7 percent",
        "india-digital-economy.txt",
    ),
    Case(
        "How much was India's digital economy worth in 2022?",
        "And in 2020?",
        "285 billion dollars",
        "india-digital-economy.txt",
    ),
    Case(
        "How many UPI transactions were there in December 2022?",
        "And a year earlier?",
        "4.6 billion",
        "india-digital-economy.txt",
    ),
    Case(
        "How much were mobile money transactions in Kenya worth in 2021?",
        "What share of GDP was that?",
        "55 percent",
        "kenya-mobile-money.txt",
    ),
    Case(
        "How much were mobile money transactions in Kenya worth in 2021?",
        "How fast did they grow?",
        "30 percent",
        "kenya-mobile-money.txt",
    ),
    Case(
        "How many registered mobile money accounts did Kenya have at the end of 2021?",
        "How many agents were there?",
        "298,000",
        "kenya-mobile-money.txt",
    ),
    Case(
        "What share of Germany's electricity did renewables supply in 2022?",
        "And in 2021?",
        "41.1 percent",
        "germany-electricity.txt",
    ),
    Case(
        "How much electricity did wind power generate in Germany in 2022?",
        "What about solar?",
        "60.8 terawatt hours",
        "germany-electricity.txt",
    ),
    Case(
        "How much did solar output rise in Germany in 2022?",
        "And wind power?",
        "9 percent",
        "germany-electricity.txt",
    ),
    Case(
        "How many bags of coffee did Brazil export in 2022?",
        "And how much revenue did that bring?",
        "9.2 billion dollars",
        "brazil-coffee.txt",
    ),
    Case(
        "How many bags of coffee did Brazil export in 2022?",
        "What share went to the United States?",
        "16 percent",
        "brazil-coffee.txt",
    ),
    # the follow-up asks for another measure found in the same sentence as the first answer
    Case(
        "How much data did China produce in 2021?",
        "And how fast did it grow?",
        "29.4 percent",
        SEED.name,
    ),
    # the documents give no figure for the period the follow-up moves to: abstain, never repeat the first one
    Case("What was Hooli's revenue in 2023?", "And in 2022?", None, "hooli-annual-report.txt"),
    Case(
        "How large was China's digital economy in 2021?",
        "And in 2020?",
        None,
        SEED.name,
    ),
    Case(
        "How much electricity did wind power generate in Germany in 2022?",
        "And in 2020?",
        None,
        "germany-electricity.txt",
    ),
]


@dataclass(frozen=True, slots=True)
class Outcome:
    answered: bool
    as_figure: bool  # answered with the figure itself, not with a whole sentence that holds it
    rank: int | None  # of the gold passage, 1-based
    answer: str


def write_corpus(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(SEED, root / SEED.name)
    for name, text in DOCUMENTS.items():
        (root / name).write_text(text)
    return root


def gold_rank(assistant, query: str, case: Case) -> int | None:
    """The rank of the passage holding the expected figure (of the document the question is about, for a
    case that must abstain)."""
    hits = assistant.retriever.search(query, k=DEPTH)
    for rank, hit in enumerate(hits, start=1):
        if hit.chunk.doc_id == case.document and (case.expected is None or case.expected in hit.chunk.text):
            return rank
    return None


def run_case(assistant, case: Case, *, k: int, history: bool) -> Outcome:
    from assistant.retrieval.followups import contextualize

    earlier = [case.first] if history else []
    answer = assistant.ask(case.follow_up, k=k, history=earlier)
    query = contextualize(case.follow_up, earlier)
    if case.expected is None:  # right when it abstains
        ok = answer.abstained
        return Outcome(ok, ok, gold_rank(assistant, query, case), answer.answer)
    as_figure = answer.figure is not None and case.expected in answer.figure.figure.text
    return Outcome(
        case.expected in answer.answer, as_figure, gold_rank(assistant, query, case), answer.answer
    )


def _rank(r: int | None) -> str:
    return str(r) if r is not None else "-"


def _mrr(outcomes: list[Outcome]) -> float:
    return sum(1.0 / o.rank for o in outcomes if o.rank) / len(outcomes)


def _cell(o: Outcome) -> str:
    return f"{'yes' if o.answered else 'no':<3} {_rank(o.rank):>4}  {o.answer[:18]:<18}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--k", type=int, default=5, help="passages per answer (default 5)")
    parser.add_argument("--show-queries", action="store_true", help="print each rewritten follow-up")
    args = parser.parse_args(argv)

    from assistant.config import Settings
    from assistant.embedding.model import SentenceTransformerEmbedder
    from assistant.retrieval.followups import contextualize
    from assistant.storage.build import build_index

    with tempfile.TemporaryDirectory(prefix="bench-conversations-") as tmp:
        corpus = write_corpus(Path(tmp) / "corpus")
        index = Path(tmp) / "index"
        embedder = SentenceTransformerEmbedder()
        report = build_index(corpus, index, embedder)
        print(
            f"corpus: {report.documents} documents, {report.chunks} chunks; model {embedder.name}; k={args.k}"
        )
        settings = replace(Settings(), corpus_dir=corpus, index_dir=index)
        assistant = open_like_the_application(index, settings, embedder)
        columns = {
            "without history": [run_case(assistant, c, k=args.k, history=False) for c in CASES],
            "with history": [run_case(assistant, c, k=args.k, history=True) for c in CASES],
        }

    width = max(len(c.follow_up) for c in CASES)
    cell = len(_cell(Outcome(False, False, None, "")))
    titles = "  ".join(f"{t:<{cell}}" for t in columns)
    subtitles = "  ".join(f"{'ok  rank  answer':<{cell}}" for _ in columns)
    rule = "-" * (width + 22 + len(titles))
    print()
    print(f"{'follow-up question':<{width}}  {'expected':<18}  {titles}")
    print(f"{'':<{width}}  {'':<18}  {subtitles}")
    print(rule)
    for i, case in enumerate(CASES):
        cells = "  ".join(_cell(outcomes[i]) for outcomes in columns.values())
        expected = case.expected or "(abstain)"
        print(f"{case.follow_up:<{width}}  {expected[:18]:<18}  {cells}")
    print(rule)
    answerable = [i for i, c in enumerate(CASES) if c.expected is not None]
    n, m = len(answerable), len(CASES) - len(answerable)
    for label, outcomes in columns.items():
        answered = sum(outcomes[i].answered for i in answerable)
        figures = sum(outcomes[i].as_figure for i in answerable)
        top1 = sum(outcomes[i].rank == 1 for i in answerable)
        abstained = sum(o.answered for i, o in enumerate(outcomes) if i not in answerable)
        print(
            f"{label:<16} answered {answered:>2}/{n} ({answered / n:>4.0%}), {figures:>2} with the figure itself   "
            f"gold passage at rank 1: {top1:>2}/{n}   MRR@{DEPTH} {_mrr([outcomes[i] for i in answerable]):.3f}   "
            f"abstained {abstained}/{m} where the documents give no figure"
        )
    if args.show_queries:
        print()
        for case in CASES:
            print(f"{case.first}  ->  {contextualize(case.follow_up, [case.first])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
