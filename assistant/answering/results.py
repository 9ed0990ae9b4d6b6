"""What answering returns: the Answer, its numbered Citations, its Sentence, CitedFigures and table part; to_dict() is the JSON every face prints (its shape: assistant/schema.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.figures.model import Figure
from assistant.retrieval.search import Hit
from assistant.schema import AnswerOut, CitationOut, FigureOut, json_object
from assistant.tables.cells import CellRef
from assistant.tables.matches import MatchFeatures, PieceCell
from assistant.tables.model import TablePiece

if TYPE_CHECKING:
    from assistant.derivations.model import Derivation


# What an abstention answers (its reason says why).
ABSTAIN = "The documents do not answer this."


@dataclass(frozen=True, slots=True)
class Citation:
    """A numbered passage an answer draws on."""

    n: int
    doc_id: str
    title: str
    source: str
    page: int | None
    start: int
    end: int
    text: str
    score: float
    # document offsets of the sentence the passage is cited for: the answer's, or the one holding most of the
    # question's terms; None when no sentence holds any
    focus: tuple[int, int] | None = None
    # the table rows the passage holds, with the table's caption and header (None for prose)
    piece: TablePiece | None = None
    # the table cell the passage is cited for
    cell: CellRef | None = None

    def to_dict(self) -> dict[str, Any]:
        return json_object(CitationOut.of(self))

    def excerpt(self, width: int) -> str:
        return excerpt(self.text, self.start, self.focus, width)


def excerpt(text: str, start: int, focus: tuple[int, int] | None, width: int) -> str:
    """A passage (text, starting at document offset start) to show in width characters: from its start when
    its focus sentence ends within them, else from the focus sentence on, "…" marking what was left out."""
    if focus is None or len(" ".join(text[: focus[1] - start].split())) <= width:
        return text
    return "…" + text[focus[0] - start :]


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of a cited passage; start/end are offsets in the document text."""

    text: str
    citation: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class CitedFigure:
    """A figure with the citation and sentence it came from; figure offsets are within the sentence."""

    figure: Figure
    citation: int
    sentence: str
    # where the figure stands when it is a table cell: table, row and column with their label and header
    cell: CellRef | None = None

    @property
    def context(self) -> str:
        """A few words either side of the figure."""
        return context_phrase(self.sentence, self.figure)

    def to_dict(self) -> dict[str, Any]:
        return json_object(FigureOut.of(self))


@dataclass(frozen=True, slots=True)
class Answer:
    """What `ask` returns; `to_dict()` is exactly the JSON the CLI and HTTP API print."""

    question: str
    answer: str
    abstained: bool
    sentence: Sentence | None
    figure: CitedFigure | None
    figures: tuple[CitedFigure, ...] = ()
    citations: tuple[Citation, ...] = ()
    context: tuple[str, ...] = field(default=())
    # set when a table answered (or nearly did): the cell, the cells compared, how clearly
    table: TableAnswer | None = None
    # set when the answer is computed from cited figures (or would have been): operands, formula, result
    derivation: Derivation | None = None
    # the probability that the answer is right (for an abstention: that the answer withheld would have been;
    # 0.0 when there was none), and why the assistant abstained
    confidence: float = 0.0
    reason: str | None = None
    # what the scorer read (assistant/answering/features.py); not part of the JSON
    features: Mapping[str, float] = field(default_factory=dict, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Exactly the JSON the CLI, the HTTP API and the MCP tools return (see assistant/schema.py)."""
        return json_object(AnswerOut.of(self))


@dataclass(frozen=True, slots=True)
class TableAnswer:
    """A table's part in an answer: the cited cell (None when abstaining), the cells compared for a "which
    year" question, the closest rows' cells shown instead of a guess, and the match strengths."""

    cell: PieceCell | None
    citation: int | None
    features: MatchFeatures
    compared: tuple[PieceCell, ...] = ()
    closest: tuple[PieceCell, ...] = ()


def context_phrase(sentence: str, figure: Figure, width: int = 60) -> str:
    """A few words either side of a figure, cut at word boundaries."""
    left = sentence[max(0, figure.start - width) : figure.start]
    right = sentence[figure.end : figure.end + width]
    if figure.start - width > 0 and " " in left:
        left = "…" + left[left.index(" ") + 1 :]
    if figure.end + width < len(sentence) and " " in right:
        right = right[: right.rindex(" ")] + "…"
    return " ".join(f"{left}{figure.text}{right}".split())  # one line: a title and its sentence are joined


def citations_from(hits: Sequence[Hit]) -> tuple[Citation, ...]:
    return tuple(
        Citation(
            n,
            h.chunk.doc_id,
            h.title,
            h.source,
            h.chunk.page,
            h.chunk.start,
            h.chunk.end,
            h.chunk.text,
            h.score,
            piece=h.chunk.table,
        )
        for n, h in enumerate(hits, start=1)
    )
