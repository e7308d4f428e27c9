"""What the LLM engine sends, seen by a local OpenAI-protocol server: `max_images`, photos
as JPEG and screenshots as PNG, `stream_usage: false`."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from pipelines.runner import Runner
from tests.conftest import EXAMPLES, write_config
from tests.fake_openai import FakeOpenAI

SHOT = EXAMPLES / "error-screenshot-support" / "queries" / "shot03-docker-daemon.png"
PHOTO = EXAMPLES / "math-question-from-photo" / "queries" / "math14-zh-linear-equation.jpg"


def _openai(runner_store: str, url: str, config: str = "error-screenshot-support",
            **llm: object) -> Runner:
    overrides = {"index.store.path": runner_store, "llm.type": "openai-like",
                 "llm.api_base": url, "llm.model": "m", "llm.api_key_env": "FAKE_LLM_KEY",
                 "llm.max_retries": 0, **{f"llm.{k}": v for k, v in llm.items()}}
    return Runner.from_config(config, overrides)


def _images(request: dict) -> list[str]:
    """The data URLs of the images in the request's user message, in order."""
    parts = request["body"]["messages"][1]["content"]
    return [p["image_url"]["url"] for p in parts if p["type"] == "image_url"]


def test_photos_go_as_jpeg_and_screenshots_as_png(support_runner, monkeypatch) -> None:
    monkeypatch.setenv("FAKE_LLM_KEY", "k")
    store = support_runner.config.index.store.path
    with FakeOpenAI() as server:
        _openai(store, server.url, max_images=0).query("How do I fix this?", [PHOTO, SHOT])
    photo, shot = _images(server.requests[0])
    assert photo.startswith("data:image/jpeg;base64,") and shot.startswith("data:image/png;")
    with Image.open(io.BytesIO(base64.b64decode(photo.split(",", 1)[1]))) as img:
        assert img.format == "JPEG" and max(img.size) <= 1024


def test_stream_usage_false_sends_no_stream_options(support_runner, monkeypatch) -> None:
    monkeypatch.setenv("FAKE_LLM_KEY", "k")
    store = support_runner.config.index.store.path
    with FakeOpenAI(reply="Start it [1]") as server:
        *_, on = _openai(store, server.url).stream("docker daemon?")
        *_, off = _openai(store, server.url, stream_usage=False).stream("docker daemon?")
    first, second = (r["body"] for r in server.requests)
    assert first["stream"] and first["stream_options"] == {"include_usage": True}
    assert second["stream"] and "stream_options" not in second
    assert on.answer.strip() == off.answer.strip() == "Start it [1]"


def _panel(path: Path, code: str) -> None:
    img = Image.new("RGB", (900, 160), "white")
    ImageDraw.Draw(img).text((20, 50), f"Printer panel {code}: ERROR E-04 load paper",
                             fill="black", font=ImageFont.load_default(size=40))
    img.save(path)


@pytest.fixture(scope="module")
def panels(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A knowledge base of three screenshots that all match the question."""
    folder = tmp_path_factory.mktemp("panels")
    (folder / "kb").mkdir()
    for code in ("A1", "B2", "C3"):
        _panel(folder / "kb" / f"panel-{code}.png", code)
    config = write_config(folder, "name: panels\nsources: [{path: kb}]\n"
                                  "ocr: {languages: [eng]}\nprompt: error-screenshot-support\n")
    store = str(folder / "store")
    Runner.from_config(config, {"index.store.path": store}).ingest(workers=0)
    return config, store


@pytest.mark.parametrize("limit", [0, 1, 3])
def test_max_images_caps_the_retrieved_images_attached(panels, monkeypatch, limit: int) -> None:
    config, store = panels
    monkeypatch.setenv("FAKE_LLM_KEY", "k")
    with FakeOpenAI() as server:
        runner = _openai(store, server.url, str(config), max_images=limit)
        answer = runner.query("printer panel error E-04 load paper", [SHOT])
    assert sum(1 for s in answer.sources if s.image) == 3  # three images to choose from
    sent = _images(server.requests[0])
    assert len(sent) == 1 + limit  # the question's own image, then `limit` retrieved ones
