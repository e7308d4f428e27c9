"""A local HTTP server speaking OpenAI's chat-completions protocol (JSON and SSE), for tests."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

USAGE = {"prompt_tokens": 1200, "completion_tokens": 300, "total_tokens": 1500}


class FakeOpenAI:
    """Records each request; answers with `reply`, or with `status` errors queued in `fail`."""

    def __init__(self, reply: str = "1. Restart the service [1]") -> None:
        self.reply = reply
        self.requests: list[dict[str, Any]] = []
        self.fail: list[int] = []  # statuses to answer with first, one per request
        self.retry_after = "0"  # the Retry-After header sent with 429 and 503 answers
        self.delay = 0.0  # seconds to wait before answering (timeouts)
        self.slow: list[float] = []  # per-request delays for the first requests, then `delay`
        # a request whose system message starts with one of these keys gets its value instead
        self.replies: dict[str, str] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/v1"

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append({"path": self.path, "headers": dict(self.headers),
                                      "body": body, "time": time.monotonic()})
                delay = fake.slow.pop(0) if fake.slow else fake.delay
                if delay:
                    time.sleep(delay)
                if fake.fail:
                    return self._send(fake.fail.pop(0), {"error": {"message": "nope"}})
                system = next((m.get("content") for m in body.get("messages", [])
                               if m.get("role") == "system"), "") or ""
                reply = next((text for key, text in fake.replies.items()
                              if isinstance(system, str) and system.startswith(key)), fake.reply)
                if body.get("stream"):
                    usage = (body.get("stream_options") or {}).get("include_usage", False)
                    return self._stream(body["model"], usage)
                return self._send(200, _completion(body["model"], reply))

            def _send(self, status: int, data: dict[str, Any]) -> None:
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                if status in (429, 503):
                    self.send_header("Retry-After", fake.retry_after)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _stream(self, model: str, usage: bool) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for word in fake.reply.split(" "):
                    chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 0,
                             "model": model, "choices": [{"index": 0, "delta": {
                                 "content": word + " "}, "finish_reason": None}]}
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                if usage:  # OpenAI's last chunk: no choices, the usage of the whole answer
                    chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 0,
                             "model": model, "choices": [], "usage": USAGE}
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")

        return Handler


def _completion(model: str, text: str) -> dict[str, Any]:
    return {"id": "c1", "object": "chat.completion", "created": 0, "model": model,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": text}}],
            "usage": USAGE}
