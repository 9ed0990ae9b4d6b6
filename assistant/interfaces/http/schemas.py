"""The HTTP API's wire format: request and response models, so the OpenAPI schema is exact."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from assistant.limits import MAX_K, MAX_QUESTION_CHARS

# The code each HTTP status gets when nothing more specific is known.
STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(_Out):
    code: str = Field(examples=["empty_question"])
    message: str = Field(examples=["the question is empty"])


class ErrorResponse(_Out):
    """The one error shape of the API."""

    error: ErrorDetail


class AskRequest(_Out):
    question: str = Field(description=f"at most {MAX_QUESTION_CHARS} characters")
    k: Annotated[int, Field(strict=True, ge=1, le=MAX_K)] | None = Field(
        None, description="passages to retrieve"
    )
    filters: dict[str, str] | None = Field(
        None, max_length=16, description="only documents whose field matches the glob, e.g. {source: '*.pdf'}"
    )
    history: list[Annotated[str, Field(max_length=MAX_QUESTION_CHARS)]] = Field(
        default_factory=list,
        max_length=20,
        description="earlier questions of the conversation, most recent last",
    )
    min_confidence: Annotated[float, Field(ge=0.0, le=1.0)] | None = Field(
        None,
        description="abstain below this confidence (default: the fitted threshold; 0 answers whatever is found)",
    )


class SearchRequest(_Out):
    query: str = Field(description=f"at most {MAX_QUESTION_CHARS} characters")
    k: Annotated[int, Field(strict=True, ge=1, le=MAX_K)] | None = None
    filters: dict[str, str] | None = Field(None, max_length=16)


class SentenceOut(_Out):
    text: str
    citation: int
    start: int
    end: int


class CellOut(_Out):
    """Where a table figure stands: the table's place in its document, row and column (grid indexes, header
    rows included) with the row label and column header."""

    table: int
    row: int
    row_label: str
    column: int
    column_header: str
    period: str | None
    unit: str | None


class TableCellOut(_Out):
    text: str
    row: int
    column: int
    row_label: str
    column_header: str
    period: str | None
    value: float | None
    unit: str | None
    scale: str | None
    kind: str


class MatchOut(_Out):
    row_match: float
    column_match: float
    row_margin: float
    column_margin: float
    comparison: bool


class TableAnswerOut(_Out):
    """A table's part in an answer: the cell, how clearly it matched, the cells compared, the closest rows."""

    cell: TableCellOut | None
    citation: int | None
    match: MatchOut
    compared: list[TableCellOut]
    closest: list[TableCellOut]


class OperandOut(_Out):
    """A cited figure a derivation uses: as written, its exact value, row label, column or period, unit and
    scale, and the passage number citing it."""

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
    match: float = Field(description="how well the figure fitted its description, 0..1")


class DerivationOut(_Out):
    """A figure computed from cited figures: the operation, its operands, the formula and the result; or,
    with value null, the refusal saying which operand was not found or why the operands do not combine."""

    operation: str = Field(examples=["percentage change"])
    operands: list[OperandOut]
    formula: str = Field(examples=["(4,421.8 - 4,029.3) / 4,029.3 x 100"])
    value: float | None = Field(description="the result as shown (two decimals for percentages and ratios)")
    exact: str | None = Field(description="the exact decimal result")
    unit: str | None = Field(examples=["percent"])
    scale: str | None = Field(examples=["million"])
    text: str | None = Field(examples=["+9.74 percent"])
    refusal: str | None = Field(examples=["no figure found for Net sales, 2017"])
    features: dict[str, float] = Field(description="operand match strengths, for a confidence")


class FigureOut(_Out):
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
    table: CellOut | None = None


class FocusOut(_Out):
    start: int
    end: int


class CitationOut(_Out):
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


class AnswerOut(_Out):
    question: str
    answer: str
    abstained: bool
    confidence: float = Field(description="the probability that the answer is right, 0..1")
    reason: str | None = Field(description="why the assistant abstained; null when it answered")
    sentence: SentenceOut | None
    figure: FigureOut | None
    figures: list[FigureOut]
    citations: list[CitationOut]
    table: TableAnswerOut | None = None
    derivation: DerivationOut | None = None


class HitOut(_Out):
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


class SearchOut(_Out):
    query: str
    hits: list[HitOut]


class FiguresOut(_Out):
    topic: str
    figures: list[FigureOut]
    citations: list[CitationOut]


class DocumentOut(_Out):
    id: str
    title: str
    source: str
    chunks: int
    pages: int
    metadata: dict[str, Any]


class HealthOut(_Out):
    status: str = "ok"


class ReadyOut(_Out):
    status: str = "ready"
    documents: int
    chunks: int
    model: str


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": code} for status, code in STATUS_CODES.items()
}
