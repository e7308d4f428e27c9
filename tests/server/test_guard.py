"""Auth, limits, the query gate and error hygiene, against a real server on loopback."""

from __future__ import annotations

import io
import logging
import threading
import time

import httpx
import openai
import pytest
from PIL import Image

from pipelines.errors import ConfigError
from tests.server.conftest import KEY, SHOTS, data_url, make_app, running

PIPELINE = "error-screenshot-support"
CHAT = "/v1/chat/completions"


def chat_body(text: str = "pip SSL error", images: int = 0, url: str | None = None) -> dict:
    parts = [{"type": "text", "text": text}] + [
        {"type": "image_url", "image_url": {"url": url or data_url(SHOTS / "shot01-pip-ssl.png")}}
        for _ in range(images)]
    return {"model": PIPELINE, "messages": [{"role": "user", "content": parts}]}


def post(url: str, body: dict, key: str | None = KEY, **kwargs: object) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.post(url + CHAT, json=body, headers=headers, timeout=120, **kwargs)


def test_api_keys(support_server: str) -> None:
    for key, status in ((None, 401), ("wrong-key", 401), (KEY, 200), ("second-key", 200)):
        reply = post(support_server, chat_body(), key)
        assert reply.status_code == status, (key, reply.text)
        if status == 401:
            assert reply.json()["error"]["type"] == "authentication_error"
            assert reply.headers["www-authenticate"] == "Bearer"
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=f"{support_server}/v1", api_key="nope",
                      max_retries=0).models.list()
    assert httpx.get(f"{support_server}/healthz").status_code == 200  # open
    assert httpx.get(f"{support_server}/api/pipelines").status_code == 401


def png(width: int, height: int) -> str:
    buffer = io.BytesIO()
    Image.new("L", (width, height), 255).save(buffer, "PNG")
    import base64

    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


@pytest.mark.parametrize(("body", "status", "message"), [
    (chat_body(images=3), 413, "too many images: at most 2 per request"),
    (chat_body("x" * 301), 413, "question too long: 301 characters, at most 300"),
    (chat_body(url=png(2100, 2000), images=1), 413, "2100x2000 pixels is more than 4,000,000"),
    (chat_body(url="data:image/png;base64,bm90IGFuIGltYWdl", images=1), 400,
     "not a readable image"),
    ({"model": PIPELINE, "messages": []}, 400, "messages"),
    ({"model": PIPELINE, "messages": [{"role": "user", "content": [{"type": "audio"}]}]}, 400,
     "content part type 'audio' is not supported"),
])
def test_limits(support_server: str, body: dict, status: int, message: str) -> None:
    reply = post(support_server, body)
    assert reply.status_code == status, reply.text
    assert message in reply.json()["error"]["message"]


def test_body_size_limit(support_server: str) -> None:
    big = {"model": PIPELINE, "messages": [{"role": "user", "content": "x" * (3 * 1024 * 1024)}]}
    reply = post(support_server, big)
    assert reply.status_code == 413
    assert reply.json()["error"]["message"] == "request body larger than 2 MB"


def test_rate_limit_per_key(support_runner: object) -> None:
    app = make_app(support_runner, ["k1", "k2"], limits={"rate_limit": "2/minute"})
    with running(app) as url:
        assert [post(url, chat_body(), "k1").status_code for _ in range(2)] == [200, 200]
        limited = post(url, chat_body(), "k1")
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        assert "rate limit exceeded" in limited.json()["error"]["message"]
        assert post(url, chat_body(), "k2").status_code == 200  # another key has its own


def test_busy_server_answers_503(support_runner: object, monkeypatch: pytest.MonkeyPatch) -> None:
    release, entered = threading.Event(), threading.Event()
    real = support_runner.query

    def slow_query(*args: object, **kwargs: object) -> object:
        entered.set()
        release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(support_runner, "query", slow_query)
    app = make_app(support_runner, limits={"max_concurrent": 1, "queue_size": 1})
    with running(app) as url:
        results: list[int] = []
        threads = [threading.Thread(target=lambda: results.append(
            post(url, chat_body(), None).status_code)) for _ in range(2)]
        threads[0].start()
        assert entered.wait(30)
        threads[1].start()  # waits in the queue
        gate = app.state.mmrag.gate
        deadline = time.monotonic() + 30
        while gate._waiting < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        busy = post(url, chat_body(), None)  # a slot busy, the queue full: refused at once
        assert busy.status_code == 503 and busy.headers["retry-after"] == "1"
        assert busy.json()["error"]["message"].startswith("server busy")
        release.set()
        for thread in threads:
            thread.join(60)
        assert results == [200, 200]


def test_no_traceback_or_path_reaches_the_client(support_runner: object,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    def broken(*_: object, **__: object) -> object:
        raise RuntimeError("boom in /srv/secret/internal/module.py")

    monkeypatch.setattr(support_runner, "query", broken)
    with running(make_app(support_runner)) as url, caplog.at_level(logging.INFO, "mmrag"):
        reply = post(url, chat_body(), None)
    assert reply.status_code == 500
    assert reply.json() == {"error": {"message": "internal server error",
                                      "type": "server_error"}}
    assert "RuntimeError" in caplog.text  # the server log has it


def test_no_key_in_logs_or_replies(support_server: str, caplog: pytest.LogCaptureFixture
                                   ) -> None:
    with caplog.at_level(logging.DEBUG):
        replies = [post(support_server, chat_body()), post(support_server, chat_body(), "bad"),
                   httpx.get(f"{support_server}/api/pipelines",
                             headers={"Authorization": f"Bearer {KEY}"})]
    access = [r.getMessage() for r in caplog.records if r.name == "mmrag.access"]
    assert len(access) == 3 and '"status": 401' in access[1]
    assert KEY not in caplog.text and "bad" not in "".join(access)
    assert all(KEY not in r.text for r in replies)


def test_loopback_only_without_keys() -> None:
    from pipelines.server.config import ServeConfig
    from pipelines.server.run import check_policy

    with pytest.raises(ConfigError, match="refusing to serve on 0.0.0.0 without API keys"):
        check_policy(ServeConfig(host="0.0.0.0"), [])
    check_policy(ServeConfig(host="0.0.0.0"), ["k"])
    check_policy(ServeConfig(host="0.0.0.0", allow_unauthenticated=True), [])
    check_policy(ServeConfig(host="::1"), [])


def test_server_settings_errors_are_one_line(tmp_path: object) -> None:
    from pipelines.server.config import load_serve_config

    with pytest.raises(ConfigError) as err:
        load_serve_config(None, ["limits.max_imagez=3"])
    assert str(err.value) == ("(server settings): limits.max_imagez: unknown key; valid keys "
                              "here: max_body_mb, max_images, max_image_pixels, "
                              "max_question_chars, rate_limit, max_concurrent, queue_size; "
                              "did you mean 'max_images'?")
    with pytest.raises(ConfigError, match="host: Value error|host: 'example.org' is not"):
        load_serve_config(None, ["host=example.org"])
