"""The OpenAI-compatible routes: wire format and error shapes through TestClient, then the official `openai`
client against a real server (plain, streamed, with and without a key, a follow-up, an abstention)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.assistant import Assistant
from assistant.interfaces.cli.render import answer_text
from assistant.interfaces.http.app import create_app
from assistant.interfaces.http.openai_compat import MODEL_ID
from tests.interfaces.http.test_app import KEY, open_assistant, real_server

HARBOUR_Q = "How many containers did the port of Ningbo handle in 2023?"
ABSENT_Q = "What is the boiling point of mercury?"


def oai_error(status_type: str, code: str, message: str, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": status_type, "param": param, "code": code}}


def chat(question: str, **extra: Any) -> dict[str, Any]:
    return {"model": MODEL_ID, "messages": [{"role": "user", "content": question}], **extra}


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    return open_assistant(tmp_path_factory.mktemp("openai"), rate_limit=0)


@pytest.fixture(scope="module")
def client(shared: Assistant) -> Iterator[TestClient]:
    with TestClient(create_app(shared)) as c:
        yield c


def events(text: str) -> list[Any]:
    """The data of each server-sent event, JSON-decoded except the final [DONE]."""
    blocks = [b for b in text.split("\n\n") if b]
    assert all(b.startswith("data: ") and "\n" not in b for b in blocks), text
    return [b[6:] if b == "data: [DONE]" else json.loads(b[6:]) for b in blocks]


# --- the wire format ------------------------------------------------------------------------------------


def test_models_lists_the_one_model(client: TestClient) -> None:
    body = client.get("/v1/models").json()
    assert body["object"] == "list"
    assert [(m["id"], m["object"], m["owned_by"]) for m in body["data"]] == [
        (MODEL_ID, "model", "figure-assistant")
    ]
    assert client.get(f"/v1/models/{MODEL_ID}").json() == body["data"][0]
    r = client.get("/v1/models/gpt-4o")
    expected = oai_error("not_found_error", "model_not_found", "the model 'gpt-4o' does not exist", "model")
    assert (r.status_code, r.json()) == (404, expected)


def test_a_completion_carries_the_plain_answer_and_the_whole_answer_dict(
    client: TestClient, shared: Assistant
) -> None:
    r = client.post("/v1/chat/completions", json=chat(HARBOUR_Q, temperature=0.2, max_tokens=5, top_p=1))
    assert r.status_code == 200
    body = r.json()
    answer = shared.ask(HARBOUR_Q)
    assert body["id"].startswith("chatcmpl-") and isinstance(body["created"], int)
    assert (body["object"], body["model"]) == ("chat.completion", MODEL_ID)
    assert body["choices"] == [
        {
            "index": 0,
            "message": {"role": "assistant", "content": answer_text(answer), "refusal": None},
            "finish_reason": "stop",
            "logprobs": None,
        }
    ]
    assert body["answer"] == answer.to_dict() == client.post("/v1/ask", json={"question": HARBOUR_Q}).json()
    assert body["choices"][0]["message"]["content"].startswith("Answer: 33.4 million containers [1]\n")


def test_earlier_user_messages_are_the_conversation(client: TestClient, shared: Assistant) -> None:
    first, follow_up = HARBOUR_Q, "And in 2022?"
    messages = [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": first},
        {"role": "assistant", "content": "33.4 million containers"},
        {"role": "user", "content": [{"type": "text", "text": "And in"}, {"type": "text", "text": "2022?"}]},
    ]
    r = client.post("/v1/chat/completions", json={"model": MODEL_ID, "messages": messages})
    expected = shared.ask(follow_up, history=[first])
    assert r.json()["answer"] == expected.to_dict()
    assert expected.to_dict() != shared.ask(follow_up).to_dict()  # the history changed the answer
    assert r.json()["choices"][0]["message"]["content"] == answer_text(expected)


def test_k_and_filters_are_extensions_like_ask(client: TestClient, shared: Assistant) -> None:
    r = client.post("/v1/chat/completions", json=chat(HARBOUR_Q, k=1, filters={"source": "orchard*"}))
    expected = shared.ask(HARBOUR_Q, k=1, filters={"source": "orchard*"})
    assert r.json()["answer"] == expected.to_dict()
    assert [c["source"] for c in r.json()["answer"]["citations"]] == ["orchard.txt"]


def test_an_abstention_is_a_normal_reply(client: TestClient, shared: Assistant) -> None:
    body = client.post("/v1/chat/completions", json=chat(ABSENT_Q)).json()
    assert body["answer"]["abstained"] is True
    assert body["choices"][0]["finish_reason"] == "stop"
    content = body["choices"][0]["message"]["content"]
    assert content == answer_text(shared.ask(ABSENT_Q))
    # the reply says that the documents do not answer, why, and the closest passages
    assert content.startswith("Answer: The documents do not answer this.\nWhy: ")
    assert "\nClosest passages:\n" in content and body["answer"]["reason"] in content


def test_streaming_sends_openai_chunks_then_done(client: TestClient, shared: Assistant) -> None:
    with client.stream("POST", "/v1/chat/completions", json=chat(HARBOUR_Q, stream=True)) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        got = events(r.read().decode())
    assert got[-1] == "[DONE]"
    chunks = got[:-1]
    answer = shared.ask(HARBOUR_Q)
    assert len({c["id"] for c in chunks}) == 1 and all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    deltas = [c["choices"][0]["delta"]["content"] for c in chunks[1:-1]]
    assert "".join(deltas) == answer_text(answer) and len(deltas) == answer_text(answer).count("\n") + 1
    assert [c["choices"][0]["finish_reason"] for c in chunks] == [None] * (len(chunks) - 1) + ["stop"]
    assert chunks[-1]["choices"][0]["delta"] == {}
    assert chunks[-1]["answer"] == answer.to_dict()
    assert all("answer" not in c for c in chunks[:-1])


def test_openapi_documents_the_routes_and_openais_error_shape(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    post = spec["paths"]["/v1/chat/completions"]["post"]
    ok = post["responses"]["200"]["content"]
    assert ok["application/json"]["schema"] == {"$ref": "#/components/schemas/ChatCompletionOut"}
    assert "text/event-stream" in ok
    for status in ("400", "401", "404", "413", "429", "500"):
        assert post["responses"][status]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/OpenAIErrorResponse"
        }
    completion = spec["components"]["schemas"]["ChatCompletionOut"]
    assert completion["properties"]["answer"]["$ref"] == "#/components/schemas/AnswerOut"
    assert {"/v1/models", "/v1/models/{model}"} <= set(spec["paths"])
    assert "/mcp" not in spec["paths"]


# --- refusals and errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        (
            chat("GDP?", n=2),
            400,
            oai_error(
                "invalid_request_error",
                "unsupported_parameter",
                "n must be 1: the assistant gives one answer",
                "n",
            ),
        ),
        (
            chat("GDP?", tools=[{"type": "function", "function": {"name": "f"}}]),
            400,
            oai_error(
                "invalid_request_error",
                "unsupported_parameter",
                "tools are not supported: the assistant calls none",
                "tools",
            ),
        ),
        (
            {
                "model": MODEL_ID,
                "messages": [
                    {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:,"}}]}
                ],
            },
            400,
            oai_error(
                "invalid_request_error",
                "unsupported_content",
                "only text content is supported; messages[0].content[0] is of type 'image_url'",
                "messages[0].content",
            ),
        ),
        (
            {
                "model": MODEL_ID,
                "messages": [
                    {"role": "user", "content": "GDP?"},
                    {"role": "tool", "content": "42", "tool_call_id": "x"},
                ],
            },
            400,
            oai_error(
                "invalid_request_error",
                "unsupported_parameter",
                "messages[1] is a tool message: the assistant calls no tools",
                "messages[1].role",
            ),
        ),
        (
            {"model": MODEL_ID, "messages": [{"role": "system", "content": "Be brief."}]},
            400,
            oai_error(
                "invalid_request_error",
                "invalid_request",
                "the last message must be the user's question",
                "messages",
            ),
        ),
        (
            {"model": "gpt-4o", "messages": [{"role": "user", "content": "GDP?"}]},
            404,
            oai_error(
                "not_found_error",
                "model_not_found",
                "the model 'gpt-4o' does not exist; this server offers 'figure-assistant'",
                "model",
            ),
        ),
        (chat("   "), 400, oai_error("invalid_request_error", "empty_question", "the question is empty")),
        (
            chat("x" * 2001),
            400,
            oai_error(
                "invalid_request_error",
                "bad_question",
                "the question is 2001 characters long; the limit is 2000",
            ),
        ),
        (
            {"model": MODEL_ID, "messages": []},
            422,
            oai_error(
                "invalid_request_error",
                "invalid_request",
                "messages: List should have at least 1 item after validation, not 0",
            ),
        ),
    ],
)
def test_refusals_have_openais_error_shape(
    client: TestClient, body: dict[str, Any], status: int, expected: dict[str, Any]
) -> None:
    r = client.post("/v1/chat/completions", json=body)
    assert (r.status_code, r.json()) == (status, expected)


def test_errors_from_the_shared_limits_get_openais_shape_too(client: TestClient) -> None:
    r = client.post(
        "/v1/chat/completions", content=b'{"model": ', headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 422
    assert r.json()["error"]["type"] == "invalid_request_error"
    assert r.json()["error"]["message"].startswith("the request body is not valid JSON")
    r = client.post(
        "/v1/chat/completions", content=b" " * 70_000, headers={"Content-Type": "application/json"}
    )
    assert (r.status_code, r.json()) == (
        413,
        oai_error("invalid_request_error", "payload_too_large", "the request body is over 65536 bytes"),
    )
    assert int(r.headers["content-length"]) == len(r.content)
    r = client.get("/v1/chat/completions")
    assert (r.status_code, r.json()) == (
        405,
        oai_error(
            "invalid_request_error", "method_not_allowed", "GET is not allowed on /v1/chat/completions"
        ),
    )
    # the rest of the API keeps its own shape
    r = client.post("/v1/ask", json={"question": " "})
    assert r.json() == {"error": {"code": "empty_question", "message": "the question is empty"}}


def test_keys_and_rate_limits_guard_the_openai_routes(shared: Assistant) -> None:
    unauthorized = oai_error(
        "authentication_error", "unauthorized", "a valid API key is required: Authorization: Bearer KEY"
    )
    good = {"Authorization": f"Bearer {KEY}"}
    with TestClient(create_app(shared, replace(shared.settings, api_keys=(KEY,)))) as c:
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            for r in (
                c.get("/v1/models", headers=headers),
                c.post("/v1/chat/completions", json=chat("GDP?"), headers=headers),
            ):
                assert (r.status_code, r.json()) == (401, unauthorized)
                assert r.headers["www-authenticate"] == "Bearer"
        assert c.get("/v1/models", headers=good).status_code == 200
    with TestClient(create_app(shared, replace(shared.settings, api_keys=(KEY,), rate_limit=2))) as c:
        assert c.get("/v1/models", headers=good).status_code == 200
        assert c.post("/v1/chat/completions", json=chat("GDP?"), headers=good).status_code == 200
        r = c.post("/v1/ask", json={"question": "GDP?"}, headers=good)  # one budget for every route
        assert (r.status_code, r.json()["error"]["code"]) == (429, "rate_limited")
        r = c.get("/v1/models", headers=good)
        assert (r.status_code, r.json()) == (
            429,
            oai_error("rate_limit_error", "rate_limited", "more than 2 requests a minute; retry later"),
        )
        assert r.headers["retry-after"] == "30"


def test_unexpected_errors_are_500_in_openais_shape(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assistant = open_assistant(tmp_path, rate_limit=0)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    assistant.ask = broken  # type: ignore[method-assign]
    with TestClient(create_app(assistant), raise_server_exceptions=False) as c:
        r = c.post("/v1/chat/completions", json=chat("GDP?"))
        assert (r.status_code, r.json()) == (
            500,
            oai_error("server_error", "internal_error", "internal error; the server log has the details"),
        )
        r = c.post("/v1/chat/completions", json=chat("GDP?", stream=True))
        assert r.status_code == 500 and "secret" not in r.text
    assert "secret internals" in caplog.text


# --- the official client against a real server ------------------------------------------------------------


@pytest.mark.slow
def test_the_openai_client_plain_and_streaming(real_assistant: Assistant) -> None:
    from openai import OpenAI  # the official client, as a bot uses it

    with real_server(create_app(real_assistant)) as server:
        client = OpenAI(base_url=f"http://127.0.0.1:{server.port}/v1", api_key="unused", max_retries=0)
        assert [m.id for m in client.models.list()] == [MODEL_ID]

        reply = client.chat.completions.create(
            model=MODEL_ID, messages=[{"role": "user", "content": HARBOUR_Q}], temperature=0
        )
        answer = real_assistant.ask(HARBOUR_Q)
        assert answer.answer == "33.4 million containers"
        assert reply.choices[0].message.content == answer_text(answer)
        assert reply.choices[0].finish_reason == "stop"
        assert reply.model_extra is not None and reply.model_extra["answer"] == answer.to_dict()

        stream = client.chat.completions.create(
            model=MODEL_ID, messages=[{"role": "user", "content": HARBOUR_Q}], stream=True
        )
        chunks = list(stream)
        assert chunks[0].choices[0].delta.role == "assistant"
        assert "".join(c.choices[0].delta.content or "" for c in chunks) == answer_text(answer)
        assert [c.choices[0].finish_reason for c in chunks][-2:] == [None, "stop"]
        assert chunks[-1].model_extra is not None and chunks[-1].model_extra["answer"] == answer.to_dict()


@pytest.mark.slow
def test_the_openai_client_follow_up_abstention_and_errors(real_assistant: Assistant) -> None:
    import openai

    with real_server(create_app(real_assistant)) as server:
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{server.port}/v1", api_key="unused", max_retries=0)
        first, follow_up = HARBOUR_Q, "How many did its rail link carry?"
        reply = client.chat.completions.create(
            model=MODEL_ID,
            messages=[
                {"role": "user", "content": first},
                {"role": "assistant", "content": "33.4 million containers"},
                {"role": "user", "content": follow_up},
            ],
        )
        expected = real_assistant.ask(follow_up, history=[first])
        assert reply.model_extra is not None and reply.model_extra["answer"] == expected.to_dict()
        assert expected.answer == "1.6 million containers"

        reply = client.chat.completions.create(
            model=MODEL_ID, messages=[{"role": "user", "content": ABSENT_Q}]
        )
        assert reply.model_extra is not None and reply.model_extra["answer"]["abstained"] is True
        assert reply.choices[0].message.content == answer_text(real_assistant.ask(ABSENT_Q))

        with pytest.raises(openai.BadRequestError) as bad:
            client.chat.completions.create(model=MODEL_ID, messages=[{"role": "user", "content": "hi"}], n=2)
        assert (bad.value.code, bad.value.param, bad.value.type) == (
            "unsupported_parameter",
            "n",
            "invalid_request_error",
        )
        with pytest.raises(openai.NotFoundError) as missing:
            client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
        assert missing.value.code == "model_not_found"


@pytest.mark.slow
def test_the_openai_client_with_and_without_a_key(real_assistant: Assistant) -> None:
    import openai

    settings = replace(real_assistant.settings, api_keys=(KEY,))
    with real_server(create_app(real_assistant, settings)) as server:
        url = f"http://127.0.0.1:{server.port}/v1"
        question = [{"role": "user", "content": HARBOUR_Q}]
        with pytest.raises(openai.AuthenticationError) as refused:
            openai.OpenAI(base_url=url, api_key="wrong", max_retries=0).chat.completions.create(
                model=MODEL_ID, messages=question
            )
        assert (refused.value.status_code, refused.value.code, refused.value.type) == (
            401,
            "unauthorized",
            "authentication_error",
        )
        with pytest.raises(openai.AuthenticationError):
            openai.OpenAI(base_url=url, api_key="wrong", max_retries=0).models.list()
        client = openai.OpenAI(base_url=url, api_key=KEY, max_retries=0)
        stream = client.chat.completions.create(model=MODEL_ID, messages=question, stream=True)
        text = "".join(c.choices[0].delta.content or "" for c in stream)
        assert text.startswith("Answer: 33.4 million containers [1]")
