"""The ASGI app: routes, the guard (keys, rate limit, body size), JSON errors, access log."""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pipelines.query.answer import Answer
from pipelines.server import errors
from pipelines.server.config import ServeConfig
from pipelines.server.errors import ApiError, error_response
from pipelines.server.guard import Gate, Keys, RateLimit
from pipelines.server.served import Evidence, Served, answer_json
from pipelines.server.uploads import Uploads

log = logging.getLogger("mmrag.serve")
access = logging.getLogger("mmrag.access")
OPEN_PATHS = ("/healthz",)  # reachable without a key


class ServerState:
    """What every request handler reads: pipelines, settings, guard, evidence ids."""

    def __init__(self, config: ServeConfig, pipelines: dict[str, Served], keys: list[str],
                 secret: bytes | None = None) -> None:
        self.config = config
        self.pipelines = pipelines
        self.keys = Keys(keys)
        self.rate = RateLimit(config.limits.rate_limit)
        self.gate = Gate(config.limits.max_concurrent, config.limits.queue_size)
        self.evidence = Evidence(secret)
        self.started = int(time.time())

    def pipeline(self, name: str) -> Served:
        served = self.pipelines.get(name)
        if served is None:
            raise ApiError(404, f"unknown pipeline {name!r}; served: "
                                f"{', '.join(self.pipelines)}")
        return served

    def check_question(self, question: str) -> None:
        limit = self.config.limits.max_question_chars
        if len(question) > limit:
            raise ApiError(413, f"question too long: {len(question)} characters, at most {limit}")

    def answer_json(self, served: Served, answer: Answer, base_url: str) -> dict[str, Any]:
        return answer_json(served, answer, self.evidence, base_url)

    async def fetch_remote_image(self, uploads: Uploads, url: str, index: int) -> None:
        """Download a client's http(s) image URL, only when the config allows it."""
        if not self.config.allow_remote_images:
            raise ApiError(400, f"image {index}: remote image URLs are not fetched by this "
                                "server; send the image as a data: URL")
        import httpx

        limit = int(self.config.limits.max_body_mb * 1024 * 1024)
        try:
            async with httpx.AsyncClient(timeout=10.0, follow_redirects=False) as client, \
                    client.stream("GET", url) as reply:
                if reply.status_code != 200:
                    raise ApiError(400, f"image {index}: the URL answered {reply.status_code}")
                data = bytearray()
                async for chunk in reply.aiter_bytes():
                    data += chunk  # amortised O(1), unlike bytes concatenation
                    if len(data) > limit:
                        raise ApiError(413, f"image {index}: larger than the body limit")
        except httpx.HTTPError as exc:
            raise ApiError(400, f"image {index}: cannot fetch ({exc.__class__.__name__})"
                           ) from None
        uploads.add_bytes(bytes(data), f"image{index}", reply.headers.get("content-type"))

    def log_error(self, exc: BaseException) -> None:
        log.error("request failed: %s", exc.__class__.__name__, exc_info=exc)


def create_app(config: ServeConfig, pipelines: dict[str, Served], keys: list[str],
               secret: bytes | None = None) -> FastAPI:
    """The app serving `pipelines` with `config`'s limits and `keys` (empty: no auth)."""
    from pipelines.server import native, openai_api, page

    app = FastAPI(title="mmrag", version="1", docs_url=None, redoc_url=None,
                  description="Multimodal RAG pipelines over HTTP: OpenAI-compatible chat "
                  "completions (model = pipeline) and a native JSON API.")
    state = ServerState(config, pipelines, keys, secret)
    app.state.mmrag = state
    errors.install(app)
    app.include_router(openai_api.router)
    app.include_router(native.router)
    app.include_router(page.router)

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        started = time.perf_counter()
        request.state.pipeline = None
        try:
            if state.keys.enabled and not _open(request.url.path):
                caller = state.keys.check(request.headers.get("authorization"))
            else:
                caller = request.client.host if request.client else "unknown"
            if request.url.path.startswith(("/v1/chat", "/api/pipelines/")):
                state.rate.hit(caller)
            response = await call_next(request)
        except ApiError as exc:
            response = error_response(exc.status, exc.message, exc.headers)
        except Exception as exc:  # noqa: BLE001 - logged; the client gets a JSON 500
            state.log_error(exc)
            response = error_response(500, "internal server error")
        access.info(json.dumps({
            "method": request.method, "path": request.url.path,
            "pipeline": request.state.pipeline, "status": response.status_code,
            "ms": round((time.perf_counter() - started) * 1000, 1),
            "client": request.client.host if request.client else None,
            "pid": os.getpid()}))  # which worker answered, with `--workers N`
        return response

    if config.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=config.cors_origins,
                           allow_methods=["GET", "POST"], allow_headers=["*"])
    app.add_middleware(BodyLimit, limit=int(config.limits.max_body_mb * 1024 * 1024))
    return app


def _open(path: str) -> bool:
    return path in OPEN_PATHS or path == "/" or path.startswith("/static/")


class BodyLimit:
    """413 for a request body over `limit` bytes, by Content-Length or while it streams."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length and length.isdigit() and int(length) > self.limit:
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise ApiError(413, self._message())
            return message

        await self.app(scope, counted, send)

    def _message(self) -> str:
        return f"request body larger than {self.limit // (1024 * 1024)} MB"

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        await error_response(413, self._message())(scope, receive, send)
