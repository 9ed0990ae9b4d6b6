"""The scorer chooses the answer among the rules' best figures, and reads how close each sentence is."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.answering.answer import build_answer
from assistant.answering.choices import CHOICES, figure_choices, lead_of, read
from assistant.answering.confidence import Scorer
from assistant.answering.questions import analyse_question
from assistant.answering.results import citations_from
from tests.answering.test_answer import ANALYZE, hit, idf_over

BRIDGE = "The bridge opened in 1932. Its repainting was finished in 1990."
HARBOUR = (
    "The harbour handled 12 million containers last year. Dockers unloaded 300 ships in a single month, "
    "and the quay was extended by 450 metres. The port employed 2,000 people and 40 pilots."
)


def scorer_of(weights: dict[str, float], threshold: float = 0.5) -> Scorer:
    """A scorer reading only the named features, each with the given weight (unstandardised)."""
    n = len(weights)
    return Scorer(tuple(weights), (0.0,) * n, (1.0,) * n, tuple(weights.values()), 0.0, threshold, 0.0, 0.0)


def choices_for(question: str, text: str, limit: int = CHOICES) -> list[str]:
    hits = [hit(text)]
    reading = read(
        question, citations_from(hits), hits, analyse_question(question), analyze=ANALYZE, idf=None
    )
    return [
        c.figure.figure.text
        for c in figure_choices(
            question, reading.intent, reading.scored, reading.hits, reading.weights, ANALYZE, limit
        )
    ]


def test_the_choices_are_the_rules_best_figures_each_once_best_first() -> None:
    found = choices_for("How many containers did the harbour handle?", HARBOUR)
    assert found[0] == "12 million containers"  # the rules' pick comes first
    assert len(found) == len(set(found)) and 1 < len(found) <= CHOICES
    assert choices_for("How many containers did the harbour handle?", HARBOUR, limit=2) == found[:2]


def test_the_scorer_chooses_the_sentence_closest_to_the_question() -> None:
    question = "When was the bridge painted?"
    hits = [hit(BRIDGE)]
    closest = "Its repainting was finished in 1990."

    def similarity(query: str, texts: Sequence[str]) -> list[float]:
        assert query == question
        return [0.9 if t == closest else 0.2 for t in texts]

    scorer = scorer_of({"sentence_dense": 4.0})
    rules = build_answer(question, hits, analyze=ANALYZE, idf=idf_over([BRIDGE]), scorer=scorer)
    chosen = build_answer(
        question, hits, analyze=ANALYZE, idf=idf_over([BRIDGE]), scorer=scorer, similarity=similarity
    )
    assert rules.answer == "1932"  # without similarities both sentences read the passage's: the rules' pick
    assert chosen.answer == "1990" and chosen.sentence is not None and chosen.sentence.text == closest
    assert chosen.features["sentence_dense"] == 0.9
    assert chosen.confidence == scorer.probability(chosen.features)


def test_a_later_choice_wins_only_when_it_is_more_probably_right() -> None:
    question = "When was the bridge painted?"
    hits = [hit(BRIDGE)]
    idf = idf_over([BRIDGE])
    # a scorer that prefers the rules' later choices picks one; one that reads nothing keeps the rules' pick
    later = build_answer(
        question, hits, analyze=ANALYZE, idf=idf, scorer=scorer_of({"choice": -3.0}), min_confidence=0
    )
    flat = build_answer(
        question, hits, analyze=ANALYZE, idf=idf, scorer=scorer_of({"choice": 0.0}), min_confidence=0
    )
    assert later.answer == "1990" and later.features["choice"] == 0.5 and later.features["margin"] < 0
    assert flat.answer == "1932" and flat.features["choice"] == 1.0 and flat.features["margin"] > 0


def test_a_passage_that_all_but_ties_the_best_reads_as_leading() -> None:
    # the answer's passage is second by a hair: its lead is near 1, where a rank would have halved it
    question = "When was the bridge painted?"
    other = "The ferry sailed every hour across the river."
    scorer = scorer_of({"lead": 1.0})

    def lead(second: float) -> float:
        hits = [hit(other, doc="ferry", score=0.95), hit(BRIDGE, doc="bridge", score=second)]
        answer = build_answer(question, hits, analyze=ANALYZE, idf=idf_over([other, BRIDGE]), scorer=scorer)
        assert answer.figure is not None and answer.figure.citation == 2  # from the bridge passage
        return answer.features["lead"]

    assert lead(0.94) == 0.94 / 0.95
    assert lead(0.3) == 0.3 / 0.95
    assert lead_of(hit(BRIDGE, score=0.0), 0.0) == 1.0  # no scores at all: nothing leads
