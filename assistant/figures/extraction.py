"""Find the figures (money, percentages, counts, sizes, durations, dates, years, ranks) in text, with exact spans."""

from __future__ import annotations

from functools import lru_cache

from assistant.figures.context import with_context
from assistant.figures.joining import joined, ratios, respectively, share_counted_nouns
from assistant.figures.model import Figure
from assistant.figures.patterns import CORE
from assistant.figures.reading import read


def extract_figures(text: str) -> list[Figure]:
    """Every figure in text, in order of start, non-overlapping, each with text == source[start:end]."""
    found: list[Figure] = []
    floor = 0
    for m in CORE.finditer(text):
        if m.start() < floor:
            continue
        figure, used = read(text, m, floor, found[-1] if found else None)
        if figure is not None:
            found.append(figure)
        floor = max(floor, used)
    spans = joined(text, share_counted_nouns(text, found))
    return respectively(text, with_context(text, ratios(text, spans)))


@lru_cache(maxsize=1024)
def sentence_figures(sentence: str) -> tuple[Figure, ...]:
    """extract_figures, cached: answering reads each cited sentence more than once (to choose a figure, to
    check what its figures are dated by, to list the rest), and nearby questions cite the same passages.
    Figures are frozen, so sharing them is safe."""
    return tuple(extract_figures(sentence))
