"""OpenAI-compatible routes: chat completions (plain and streamed) and models, in OpenAI's wire format.

A bot written for OpenAI's API talks to the assistant with `base_url` pointed at this server and one of the
API keys as its key. The last user message is the question, earlier user messages are the conversation
(follow-ups resolve as in the chat); the reply's content is the answer as the CLI prints it in plain text,
and the whole `Answer.to_dict()` (the JSON of /v1/ask) travels beside it in the extra field `answer`.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, FastAPI
from fastapi.params import Depends
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.interfaces.cli.render import answer_text
from assistant.limits import MAX_K
from assistant.schema import AnswerOut

if TYPE_CHECKING:
    from assistant.answering.results import Answer
    from assistant.assistant import Assistant

MODEL_ID = "figure-assistant"
MAX_HISTORY = 20  # earlier user messages passed on as the conversation, as /v1/ask's `history` allows
OPENAI_PATHS = ("/v1/chat/completions", "/v1/models")  # and /v1/models/{id}: these answer in OpenAI's shape

# OpenAI's error `type` for each HTTP status; 5xx are all "server_error".
ERROR_TYPES = {
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
}


def error_type(status: int) -> str:
    return "server_error" if status >= 500 else ERROR_TYPES.get(status, "invalid_request_error")


def openai_error(status: int, code: str, message: str, *, param: str | None = None) -> JSONResponse:
    """An error in OpenAI's shape: {"error": {"message", "type", "param", "code"}}."""
    body = {"error": {"message": message, "type": error_type(status), "param": param, "code": code}}
    return JSONResponse(body, status_code=status)


# --- the wire format -------------------------------------------------------------------------------------


class ChatMessage(BaseModel):
    """One message of the conversation; fields this API does not use (name, tool_call_id...) are ignored."""

    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[dict[str, Any]] | None = Field(
        None, description="text, or a list of content parts of which only `text` parts are accepted"
    )


class ChatCompletionRequest(BaseModel):
    """OpenAI's request; sampling parameters and other fields that do not apply are accepted and ignored."""

    model_config = ConfigDict(extra="allow")

    model: str = Field(description=f"the one model this server offers: `{MODEL_ID}` (GET /v1/models)")
    messages: list[ChatMessage] = Field(
        min_length=1, description="the conversation; the last message is the user's question"
    )
    stream: bool | None = Field(False, description="answer in server-sent events (chat.completion.chunk)")
    n: int | None = Field(None, description="choices to return: only 1 is supported")
    tools: list[Any] | None = Field(None, description="not supported: the assistant calls no tools")
    functions: list[Any] | None = Field(None, description="not supported: the assistant calls no functions")
    temperature: float | None = Field(None, description="accepted and ignored: answers are deterministic")
    max_tokens: int | None = Field(None, description="accepted and ignored")
    k: Annotated[int, Field(strict=True, ge=1, le=MAX_K)] | None = Field(
        None, description="extension: passages to retrieve (default 5)"
    )
    filters: dict[str, str] | None = Field(
        None, max_length=16, description="extension: only documents whose field matches the glob"
    )


class ChoiceMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str
    refusal: None = None


class Choice(BaseModel):
    index: int = 0
    message: ChoiceMessage
    finish_reason: Literal["stop"] = "stop"
    logprobs: None = None


class ChatCompletionOut(BaseModel):
    """OpenAI's chat.completion, with the structured answer (the JSON of /v1/ask) in the extra field `answer`."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: None = Field(None, description="token usage is not counted: nothing is generated")
    system_fingerprint: None = None
    answer: AnswerOut = Field(description="the answer as POST /v1/ask returns it: citations, figure and all")


class ModelOut(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelsOut(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelOut]


class OpenAIErrorDetail(BaseModel):
    message: str
    type: str = Field(examples=["invalid_request_error"])
    param: str | None = None
    code: str | None = Field(examples=["model_not_found"])


class OpenAIErrorResponse(BaseModel):
    """The error shape of the OpenAI-compatible routes (OpenAI's own)."""

    error: OpenAIErrorDetail


OPENAI_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": OpenAIErrorResponse, "description": error_type(status)}
    for status in (400, 401, 404, 408, 413, 422, 429, 500, 503)
}


# --- from a request to a question ---------------------------------------------------------------------


def _text(message: ChatMessage, where: str) -> str | JSONResponse:
    """The text of a message, or the refusal of a part that is not text (images, audio, files)."""
    if message.content is None or isinstance(message.content, str):
        return message.content or ""
    texts = []
    for i, part in enumerate(message.content):
        kind = part.get("type")
        if kind != "text" or not isinstance(part.get("text"), str):
            return openai_error(
                400,
                "unsupported_content",
                f"only text content is supported; {where}.content[{i}] is of type {kind!r}",
                param=f"{where}.content",
            )
        texts.append(part["text"])
    return " ".join(texts)


def conversation(body: ChatCompletionRequest) -> tuple[str, list[str]] | JSONResponse:
    """The question (the last user message) and the earlier user messages, or the refusal of what does not apply."""
    if body.model != MODEL_ID:
        return openai_error(
            404,
            "model_not_found",
            f"the model {body.model!r} does not exist; this server offers {MODEL_ID!r}",
            param="model",
        )
    if body.n not in (None, 1):
        return openai_error(
            400, "unsupported_parameter", "n must be 1: the assistant gives one answer", param="n"
        )
    for name in ("tools", "functions"):
        if getattr(body, name):
            return openai_error(
                400,
                "unsupported_parameter",
                f"{name} are not supported: the assistant calls none",
                param=name,
            )
    users: list[str] = []
    for i, message in enumerate(body.messages):
        where = f"messages[{i}]"
        if message.role in ("tool", "function"):
            return openai_error(
                400,
                "unsupported_parameter",
                f"{where} is a {message.role} message: the assistant calls no tools",
                param=f"{where}.role",
            )
        text = _text(message, where)
        if isinstance(text, JSONResponse):
            return text
        if message.role == "user":
            users.append(text)
    if body.messages[-1].role != "user":
        return openai_error(
            400, "invalid_request", "the last message must be the user's question", param="messages"
        )
    return users[-1], users[:-1][-MAX_HISTORY:]


# --- the replies ---------------------------------------------------------------------------------------


def completion(answer: Answer, *, created: int | None = None) -> dict[str, Any]:
    """The chat.completion for an answer: its plain text as content, its whole to_dict() as `answer`."""
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()) if created is None else created,
        "model": MODEL_ID,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer_text(answer), "refusal": None},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": None,
        "system_fingerprint": None,
        "answer": answer.to_dict(),
    }


def chunks(answer: Answer, *, created: int | None = None) -> list[dict[str, Any]]:
    """The chat.completion.chunk objects of a streamed answer: the role, a delta per line of the content,
    then the chunk with finish_reason that also carries the structured answer."""
    head = {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion.chunk",
        "created": int(time.time()) if created is None else created,
        "model": MODEL_ID,
        "system_fingerprint": None,
    }

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return {**head, "choices": [choice]}

    lines = answer_text(answer).splitlines(keepends=True)
    out = [chunk({"role": "assistant", "content": ""})]
    out.extend(chunk({"content": line}) for line in lines)
    out.append({**chunk({}, "stop"), "answer": answer.to_dict()})
    return out


def sse(events: Sequence[dict[str, Any]]) -> Response:
    """Server-sent events as OpenAI sends them: one `data: JSON` per chunk, then `data: [DONE]`.

    The answer is whole before the first event, so the events go out as one body: a streamed response
    (a write and a pass through the middleware per event, a task watching for the client leaving) costs
    the server more and tells the client nothing sooner. Clients read it as any event stream.
    """
    body = (
        "".join(f"data: {json.dumps(event, ensure_ascii=False)}\n\n" for event in events) + "data: [DONE]\n\n"
    )
    # no-cache and X-Accel-Buffering: proxies pass the events on as they come instead of holding them
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return Response(body, media_type="text/event-stream", headers=headers)


def models_list(created: int) -> dict[str, Any]:
    return {"object": "list", "data": [model_card(created)]}


def model_card(created: int) -> dict[str, Any]:
    return {"id": MODEL_ID, "object": "model", "created": created, "owned_by": "figure-assistant"}


# --- the routes ----------------------------------------------------------------------------------------


def openai_router(assistant: Assistant, guard: Depends) -> APIRouter:
    """POST /v1/chat/completions, GET /v1/models and GET /v1/models/{model}, behind `guard` (keys, limits)."""
    router = APIRouter(tags=["openai"], dependencies=[guard], responses=OPENAI_ERRORS)
    started = int(time.time())

    @router.post(
        "/v1/chat/completions",
        response_model=ChatCompletionOut,
        responses={
            200: {
                "content": {
                    "text/event-stream": {
                        "schema": {"type": "string"},
                        "example": 'data: {"object": "chat.completion.chunk", ...}\n\ndata: [DONE]\n\n',
                    }
                },
                "description": "a chat.completion, or with stream: true server-sent chat.completion.chunk events",
            }
        },
    )
    def chat_completions(body: ChatCompletionRequest) -> Any:
        """Answer the last user message, earlier user messages being the conversation (OpenAI's chat API)."""
        asked = conversation(body)
        if isinstance(asked, JSONResponse):
            return asked
        question, history = asked
        answer = assistant.ask(question, k=body.k, filters=body.filters, history=history)
        if body.stream:
            return sse(chunks(answer))
        # JSONResponse, not the response model: the answer's dict passes through whole, fields and all
        return JSONResponse(completion(answer))

    @router.get("/v1/models", response_model=ModelsOut)
    def models() -> dict[str, Any]:
        """The one model: the assistant over the indexed documents."""
        return models_list(started)

    @router.get("/v1/models/{model}", response_model=ModelOut)
    def model(model: str) -> Any:
        """The model by id."""
        if model != MODEL_ID:
            return openai_error(404, "model_not_found", f"the model {model!r} does not exist", param="model")
        return model_card(started)

    return router


def is_openai_path(path: str) -> bool:
    return path == OPENAI_PATHS[0] or path == OPENAI_PATHS[1] or path.startswith(OPENAI_PATHS[1] + "/")


class OpenAIErrors:
    """Give every error of the OpenAI routes OpenAI's shape, whoever wrote it.

    The API's own errors ({"error": {"code", "message"}}: bad keys, rate limits, oversized or slow bodies,
    invalid JSON, 500s) come from handlers and middleware shared with /v1/ask; on the OpenAI paths this
    adds the `type` and `param` OpenAI's clients read, keeping status, code and message.
    """

    def __init__(self, app: ASGIApp, *, match: Callable[[str], bool] = is_openai_path) -> None:
        self.app = app
        self.match = match

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.match(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        parts: list[bytes] = []

        async def rewrite(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                declared = dict(message.get("headers", []))
                if message["status"] >= 400 and declared.get(b"content-type", b"").startswith(
                    b"application/json"
                ):
                    start = message  # held until the body is complete
                    return
            elif message["type"] == "http.response.body" and start is not None:
                parts.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = _with_openai_fields(b"".join(parts), start["status"])
                headers = [(k, v) for k, v in start.get("headers", []) if k != b"content-length"]
                headers.append((b"content-length", str(len(body)).encode()))
                await send({**start, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await self.app(scope, receive, rewrite)


def _with_openai_fields(body: bytes, status: int) -> bytes:
    try:
        data = json.loads(body)
    except ValueError:
        return body
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict) or "type" in error:
        return body
    shaped = {
        "message": error.get("message", ""),
        "type": error_type(status),
        "param": None,
        "code": error.get("code"),
    }
    return json.dumps({"error": shaped}, ensure_ascii=False).encode()


def add_openai_routes(app: FastAPI, assistant: Assistant, guard: Depends) -> None:
    """The OpenAI-compatible routes on `app`, with their errors in OpenAI's shape (install after the limits)."""
    app.include_router(openai_router(assistant, guard))
    app.add_middleware(OpenAIErrors)
