"""The JSON every face returns, declared once: one dataclass per result shape, each with `of(result)`.

The CLI's `--json`, the HTTP API, the OpenAI-compatible completion's `answer` and the MCP tools' structured
content are all `json_object(XOut.of(result))` (the results' `to_dict()`). FastAPI and the MCP SDK read these same classes for their
schemas (pydantic understands plain dataclasses: `__pydantic_config__` forbids extra keys and turns the
docstring under a field into its description), so a field is added here once and reaches every face and
the OpenAPI document. Nothing here imports pydantic: the CLI prints JSON without paying for it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.answering.results import Answer, Citation, CitedFigure, Sentence, TableAnswer
    from assistant.assistant import FiguresResult, SearchResult
    from assistant.derivations.model import Derivation, Operand
    from assistant.retrieval.search import Hit
    from assistant.storage.generations import DocumentInfo
    from assistant.tables.cells import CellRef, TableCell
    from assistant.tables.matches import MatchFeatures, PieceCell

# Read by pydantic (FastAPI's OpenAPI document, the MCP SDK's output schemas); a plain dict, so no import.
_STRICT: Any = {"extra": "forbid", "use_attribute_docstrings": True}


def json_object(shape: Any) -> dict[str, Any]:
    """One result shape as a JSON object: its fields in order, nested shapes as objects, tuples as lists."""
    return {f.name: to_json(getattr(shape, f.name)) for f in dataclasses.fields(shape)}


def to_json(shape: Any) -> Any:
    """Any value of a shape as JSON-ready data."""
    if dataclasses.is_dataclass(shape) and not isinstance(shape, type):
        return json_object(shape)
    if isinstance(shape, list | tuple):
        return [to_json(v) for v in shape]
    if isinstance(shape, dict):
        return {k: to_json(v) for k, v in shape.items()}
    return shape


@dataclass(frozen=True, slots=True)
class FocusOut:
    """Document offsets of the sentence a passage is cited for."""

    __pydantic_config__ = _STRICT
    start: int
    end: int

    @classmethod
    def of(cls, span: tuple[int, int] | None) -> FocusOut | None:
        return cls(span[0], span[1]) if span else None


@dataclass(frozen=True, slots=True)
class SentenceOut:
    """The answer's sentence; start/end are offsets in the document text."""

    __pydantic_config__ = _STRICT
    text: str
    citation: int
    start: int
    end: int

    @classmethod
    def of(cls, s: Sentence) -> SentenceOut:
        return cls(s.text, s.citation, s.start, s.end)


@dataclass(frozen=True, slots=True)
class CellOut:
    """Where a table figure stands: the table's place in its document, row and column (grid indexes, header
    rows included) with the row label and column header."""

    __pydantic_config__ = _STRICT
    table: int
    row: int
    row_label: str
    column: int
    column_header: str
    period: str | None
    unit: str | None

    @classmethod
    def of(cls, c: CellRef) -> CellOut:
        return cls(c.table, c.row, c.row_label, c.column, c.column_header, c.period, c.unit)


@dataclass(frozen=True, slots=True)
class TableCellOut:
    """A table cell an answer used, compared or showed instead of a guess."""

    __pydantic_config__ = _STRICT
    text: str
    row: int
    column: int
    row_label: str
    """the row's label path (section rows first), joined by dashes"""
    column_header: str
    period: str | None
    value: float | None
    unit: str | None
    scale: str | None
    kind: str

    @classmethod
    def of(cls, c: TableCell) -> TableCellOut:
        return cls(
            c.text,
            c.row,
            c.column,
            c.label,
            c.column_header,
            c.period.text or None,
            c.value,
            c.unit,
            c.scale,
            c.kind,
        )


@dataclass(frozen=True, slots=True)
class MatchOut:
    """How clearly a table answer was found: match strengths 0..1 and margins over the runner-up."""

    __pydantic_config__ = _STRICT
    row_match: float
    column_match: float
    row_margin: float
    column_margin: float
    comparison: bool

    @classmethod
    def of(cls, m: MatchFeatures) -> MatchOut:
        return cls(
            round(m.row_match, 4),
            round(m.column_match, 4),
            round(m.row_margin, 4),
            round(m.column_margin, 4),
            m.comparison,
        )


@dataclass(frozen=True, slots=True)
class TableAnswerOut:
    """A table's part in an answer: the cell, how clearly it matched, the cells compared, the closest rows."""

    __pydantic_config__ = _STRICT
    cell: TableCellOut | None
    citation: int | None
    match: MatchOut
    compared: list[TableCellOut]
    closest: list[TableCellOut]

    @classmethod
    def of(cls, t: TableAnswer) -> TableAnswerOut:
        return cls(
            TableCellOut.of(t.cell.cell) if t.cell else None,
            t.citation,
            MatchOut.of(t.features),
            _cells(t.compared),
            _cells(t.closest),
        )


def _cells(cells: tuple[PieceCell, ...]) -> list[TableCellOut]:
    return [TableCellOut.of(pc.cell) for pc in cells]


@dataclass(frozen=True, slots=True)
class OperandOut:
    """A cited figure a derivation uses: as written, its exact value, row label, column or period, unit and
    scale, and the passage number citing it."""

    __pydantic_config__ = _STRICT
    name: str
    text: str
    value: float
    row_label: str
    column: str
    period: str | None
    unit: str | None
    scale: str | None
    citation: int
    table: int | None
    doc: str
    match: float
    """how well the figure fitted its description, 0..1"""

    @classmethod
    def of(cls, o: Operand) -> OperandOut:
        return cls(
            o.name,
            o.text,
            float(o.value),
            o.row_label,
            o.column,
            o.period,
            o.unit,
            o.scale,
            o.citation,
            o.table,
            o.doc,
            o.match,
        )


@dataclass(frozen=True, slots=True)
class DerivationOut:
    """A figure computed from cited figures: the operation, its operands, the formula and the result; or,
    with value null, the refusal saying which operand was not found or why the operands do not combine."""

    __pydantic_config__ = _STRICT
    operation: str
    """the operation, e.g. percentage change, difference, average, ratio, sum, change, count"""
    operands: list[OperandOut]
    formula: str
    """the working, e.g. (4,421.8 - 4,029.3) / 4,029.3 x 100"""
    value: float | None
    """the result as shown (two decimals for percentages and ratios)"""
    exact: str | None
    """the exact decimal result"""
    unit: str | None
    """e.g. percent, percentage points, a currency (USD), count"""
    scale: str | None
    """the operands' scale word, e.g. million"""
    text: str | None
    """the result as the answer line prints it, e.g. +9.74 percent"""
    refusal: str | None
    """why nothing was computed, e.g. no figure found for Net sales, 2017"""
    features: dict[str, float]
    """operand match strengths, for a confidence"""

    @classmethod
    def of(cls, d: Derivation) -> DerivationOut:
        return cls(
            d.operation,
            [OperandOut.of(o) for o in d.operands],
            d.formula,
            float(d.shown) if d.shown is not None else None,
            str(d.value) if d.value is not None else None,
            d.unit,
            d.scale,
            d.text or None,
            d.refusal,
            dict(d.features),
        )


@dataclass(frozen=True, slots=True)
class FigureOut:
    """A figure with the passage number citing it; start/end are offsets within its sentence."""

    __pydantic_config__ = _STRICT
    text: str
    value: float | None
    unit: str | None
    kind: str
    currency: str | None
    qualifier: str | None
    range_to: float | None
    change: str | None
    period: str | None
    citation: int
    start: int
    end: int
    context: str
    """a few words either side of the figure"""
    table: CellOut | None = None

    @classmethod
    def of(cls, cf: CitedFigure) -> FigureOut:
        f = cf.figure
        return cls(
            f.text,
            f.value,
            f.unit,
            f.kind,
            f.currency,
            f.qualifier,
            f.range_to,
            f.change,
            f.period,
            cf.citation,
            f.start,
            f.end,
            cf.context,
            CellOut.of(cf.cell) if cf.cell else None,
        )


@dataclass(frozen=True, slots=True)
class CitationOut:
    """A numbered passage an answer draws on."""

    __pydantic_config__ = _STRICT
    n: int
    doc_id: str
    title: str
    source: str
    page: int | None
    start: int
    end: int
    text: str
    score: float
    focus: FocusOut | None
    table: CellOut | None = None

    @classmethod
    def of(cls, c: Citation) -> CitationOut:
        return cls(
            c.n,
            c.doc_id,
            c.title,
            c.source,
            c.page,
            c.start,
            c.end,
            c.text,
            round(c.score, 6),
            FocusOut.of(c.focus),
            CellOut.of(c.cell) if c.cell else None,
        )


@dataclass(frozen=True, slots=True)
class AnswerOut:
    """What `ask` returns: the answer with its figure, sentence, numbered citations and confidence."""

    __pydantic_config__ = _STRICT
    question: str
    answer: str
    abstained: bool
    confidence: float
    """the probability that the answer is right, 0..1"""
    reason: str | None
    """why the assistant abstained; null when it answered"""
    sentence: SentenceOut | None
    figure: FigureOut | None
    figures: list[FigureOut]
    citations: list[CitationOut]
    table: TableAnswerOut | None = None
    derivation: DerivationOut | None = None

    @classmethod
    def of(cls, a: Answer) -> AnswerOut:
        return cls(
            a.question,
            a.answer,
            a.abstained,
            round(a.confidence, 3),
            a.reason,
            SentenceOut.of(a.sentence) if a.sentence else None,
            FigureOut.of(a.figure) if a.figure else None,
            [FigureOut.of(f) for f in a.figures],
            [CitationOut.of(c) for c in a.citations],
            TableAnswerOut.of(a.table) if a.table else None,
            DerivationOut.of(a.derivation) if a.derivation else None,
        )


@dataclass(frozen=True, slots=True)
class HitOut:
    """A retrieved passage with its fused score and the score of each side."""

    __pydantic_config__ = _STRICT
    n: int
    doc_id: str
    chunk_id: str
    title: str
    source: str
    page: int | None
    start: int
    end: int
    score: float
    dense: float
    lexical: float
    text: str
    focus: FocusOut | None

    @classmethod
    def of(cls, h: Hit, n: int) -> HitOut:
        c = h.chunk
        return cls(
            n,
            c.doc_id,
            c.id,
            h.title,
            h.source,
            c.page,
            c.start,
            c.end,
            round(h.score, 6),
            round(h.dense, 6),
            round(h.lexical, 6),
            c.text,
            FocusOut.of(h.focus),
        )


@dataclass(frozen=True, slots=True)
class SearchOut:
    """What `search` returns: the passages, best first."""

    __pydantic_config__ = _STRICT
    query: str
    hits: list[HitOut]

    @classmethod
    def of(cls, r: SearchResult) -> SearchOut:
        return cls(r.query, [HitOut.of(h, n) for n, h in enumerate(r.hits, start=1)])


@dataclass(frozen=True, slots=True)
class FiguresOut:
    """What `figures` returns: the figures found in the passages about a topic, with their citations."""

    __pydantic_config__ = _STRICT
    topic: str
    figures: list[FigureOut]
    citations: list[CitationOut]

    @classmethod
    def of(cls, r: FiguresResult) -> FiguresOut:
        return cls(r.topic, [FigureOut.of(f) for f in r.figures], [CitationOut.of(c) for c in r.citations])


@dataclass(frozen=True, slots=True)
class DocumentOut:
    """A document of the index (no text)."""

    __pydantic_config__ = _STRICT
    id: str
    title: str
    source: str
    chunks: int
    pages: int
    metadata: dict[str, Any]

    @classmethod
    def of(cls, d: DocumentInfo) -> DocumentOut:
        return cls(d.id, d.title, d.source, d.chunks, len(d.pages), dict(d.metadata))
