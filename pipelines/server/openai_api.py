"""OpenAI-compatible endpoints: `GET /v1/models`, `POST /v1/chat/completions` (plain and SSE).

`model` is the pipeline name. The last user message is the question: its text parts, and its
`image_url` parts as images (data: URLs; remote URLs only with `allow_remote_images`). The
answer text cites `[n]` and ends with the sources; the machine-readable answer (the
`mmrag query --json` object) is the extension field `mmrag` on the response (and on the last
streamed chunk).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from pipelines.query.answer import Answer
from pipelines.server.errors import ApiError
from pipelines.server.uploads import Uploads

router = APIRouter()


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None
    image_url: dict[str, Any] | str | None = None


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[ContentPart] | None = None


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")
    include_usage: bool = False


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, top_p, ... are accepted, unused
    model: str
    messages: list[Message] = Field(min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    mmrag: dict[str, Any] | None = Field(None, description="extension: {'where': [...]}")


@router.get("/v1/models")
async def models(request: Request) -> dict[str, Any]:
    app = request.app.state.mmrag
    return {"object": "list", "data": [
        {"id": name, "object": "model", "created": app.started, "owned_by": "mmrag",
         "description": served.description} for name, served in app.pipelines.items()]}


@router.post("/v1/chat/completions", response_model=None)
async def chat(body: ChatRequest, request: Request) -> dict[str, Any] | StreamingResponse:
    app = request.app.state.mmrag
    served = app.pipeline(body.model)
    request.state.pipeline = served.name
    question, urls = _last_user_turn(body.messages)
    app.check_question(question)
    where = (body.mmrag or {}).get("where")
    uploads = Uploads(app.config.limits)
    try:
        for i, url in enumerate(urls, start=1):
            if url.startswith(("http://", "https://")):
                await app.fetch_remote_image(uploads, url, i)
            else:
                uploads.add_url(url, i)
        if not question.strip() and not uploads.paths:
            raise ApiError(400, "the last user message has no text and no image")
    except BaseException:
        uploads.close()
        raise
    reply_id, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
    head = {"id": reply_id, "created": created, "model": served.name}
    if body.stream:
        include_usage = bool(body.stream_options and body.stream_options.include_usage)
        app.gate.check()  # refuse a burst with a real 503 before the stream starts
        pieces = served.runner.stream(question, uploads.paths, where)
        return StreamingResponse(
            _sse(app, served, pieces, uploads, head, include_usage, _base(request)),
            media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
    with uploads:
        answer = await app.gate.run(lambda: served.runner.query(question, uploads.paths, where))
    data = app.answer_json(served, answer, _base(request))
    return {**head, "object": "chat.completion", "choices": [{
        "index": 0, "finish_reason": "stop",
        "message": {"role": "assistant", "content": data["answer"] + _sources_text(data)}}],
        "usage": _usage(answer), "mmrag": data}


def _last_user_turn(messages: list[Message]) -> tuple[str, list[str]]:
    """The last user message's text and image URLs."""
    users = [m for m in messages if m.role == "user"]
    if not users:
        raise ApiError(400, "messages: no user message")
    content = users[-1].content
    if content is None or isinstance(content, str):
        return content or "", []
    texts, urls = [], []
    for part in content:
        if part.type == "text":
            texts.append(part.text or "")
        elif part.type == "image_url":
            url = part.image_url.get("url") if isinstance(part.image_url, dict) else part.image_url
            if not url:
                raise ApiError(400, "image_url part without a url")
            urls.append(str(url))
        else:
            raise ApiError(400, f"content part type {part.type!r} is not supported "
                                "(text, image_url)")
    return "\n".join(texts), urls


def _sources_text(data: dict[str, Any]) -> str:
    if not data["sources"]:
        return ""
    lines = [f"[{s['rank']}] {s['source']}" + (f", p. {s['page']}" if s["page"] else "")
             for s in data["sources"]]
    return "\n\nSources:\n" + "\n".join(lines)


def _usage(answer: Answer) -> dict[str, int]:
    prompt = int(answer.usage.get("prompt_tokens", 0))
    completion = int(answer.usage.get("completion_tokens", 0))
    return {"prompt_tokens": prompt, "completion_tokens": completion,
            "total_tokens": int(answer.usage.get("total_tokens", prompt + completion))}


def _base(request: Request) -> str:
    return str(request.base_url)


def _chunk(head: dict[str, Any], delta: dict[str, Any], finish: str | None = None,
           **extra: Any) -> str:
    body = {**head, "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


async def _sse(app: Any, served: Any, pieces: Iterator[str | Answer], uploads: Uploads,
               head: dict[str, Any], include_usage: bool, base: str) -> AsyncIterator[str]:
    """The answer as OpenAI chunks; the query holds a gate slot until the last one."""
    done = object()
    try:
        async with app.gate.slot():
            yield _chunk(head, {"role": "assistant", "content": ""})
            answer: Answer | None = None
            while True:
                piece = await anyio.to_thread.run_sync(next, pieces, done)
                if piece is done:
                    break
                if isinstance(piece, Answer):
                    answer = piece
                    continue
                yield _chunk(head, {"content": served.public_text(piece)})
            if answer is None:
                raise RuntimeError("the stream ended without an answer")
            data = app.answer_json(served, answer, base)
            yield _chunk(head, {"content": _sources_text(data)}, "stop", mmrag=data)
            if include_usage:
                body = {**head, "object": "chat.completion.chunk", "choices": [],
                        "usage": _usage(answer)}
                yield f"data: {json.dumps(body)}\n\n"
            yield "data: [DONE]\n\n"
    except ApiError as exc:  # busy: the status line is sent already, so say it in the stream
        yield f"data: {json.dumps({'error': {'message': exc.message, 'type': 'server_busy'}})}\n\n"
    except Exception as exc:  # noqa: BLE001 - reported to the client without internals
        from pipelines.errors import MmragError
        from pipelines.server.errors import client_message

        message = client_message(exc) if isinstance(exc, MmragError) else "internal server error"
        if not isinstance(exc, MmragError):
            app.log_error(exc)
        error = {"message": served.public_text(message), "type": "api_error"}
        yield f"data: {json.dumps({'error': error})}\n\n"
    finally:
        uploads.close()

