"""The HTTP API's own wire format: requests, errors and health; the results' shapes are assistant/schema.py."""

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
