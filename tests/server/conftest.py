"""A real uvicorn server on a free loopback port, serving the shipped support pipeline."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, free_port

SHOTS = EXAMPLES / "error-screenshot-support" / "queries"
KEY = "test-key-8f2c1d"  # what the clients send; must never show up in logs or replies


def data_url(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()


@contextmanager
def running(app: object) -> Iterator[str]:
    """Serve `app` with uvicorn in a thread; yields its base URL; stops it after."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def make_app(runner: object, keys: list[str] | None = None, **settings: object) -> object:
    from pipelines.server.app import create_app
    from pipelines.server.config import ServeConfig
    from pipelines.server.served import served_from

    config = ServeConfig.model_validate(settings)
    served = served_from(runner)  # type: ignore[arg-type]
    return create_app(config, {served.name: served}, keys or [])


@pytest.fixture(scope="module")
def support_server(support_runner: object) -> Iterator[str]:
    """The support pipeline behind API keys, with small limits to test against."""
    app = make_app(support_runner, [KEY, "second-key"],
                   limits={"max_images": 2, "max_question_chars": 300, "max_body_mb": 2,
                           "max_image_pixels": 4_000_000})
    with running(app) as url:
        yield url
