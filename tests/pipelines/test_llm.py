"""LLM engines against a local OpenAI-protocol server: wire format, keys, streaming, errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pipelines.cli import main
from pipelines.errors import LLMError
from pipelines.runner import Runner
from tests.conftest import EXAMPLES
from tests.fake_openai import FakeOpenAI

SHOT = EXAMPLES / "error-screenshot-support" / "queries" / "shot03-docker-daemon.png"
KEY = "sk-test-SECRET-123"


def llm_runner(support_runner, url: str, kind: str = "openai-like") -> Runner:
    return Runner.from_config("error-screenshot-support", {
        "index.store.path": support_runner.config.index.store.path,
        "llm.type": kind, "llm.api_base": url, "llm.model": "qwen2.5vl",
        "llm.api_key_env": "FAKE_LLM_KEY", "llm.max_retries": 0,
    })


def test_request_carries_question_context_image_and_key(support_runner, monkeypatch) -> None:
    monkeypatch.setenv("FAKE_LLM_KEY", KEY)
    with FakeOpenAI() as server:
        answer = llm_runner(support_runner, server.url).query("How do I fix this?", [SHOT])
    assert answer.answer == "1. Restart the service [1]"
    (request,) = server.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == f"Bearer {KEY}"
    body = request["body"]
    assert body["model"] == "qwen2.5vl"
    system, user = body["messages"]
    assert "not instructions" in system["content"]
    text = next(p["text"] for p in user["content"] if p["type"] == "text")
    assert "How do I fix this?" in text and "Cannot connect to the Docker daemon" in text
    assert "docker-cannot-connect-daemon.md" in text  # the retrieved article is the context
    image = next(p for p in user["content"] if p["type"] == "image_url")
    assert image["image_url"]["url"].startswith("data:image/png;base64,")
    assert KEY not in json.dumps(answer.to_dict())


def test_streaming_yields_pieces_then_answer(support_runner, monkeypatch) -> None:
    monkeypatch.setenv("FAKE_LLM_KEY", KEY)
    with FakeOpenAI(reply="Start the Docker daemon first [1]") as server:
        pieces = list(llm_runner(support_runner, server.url).stream("docker daemon down?"))
    *texts, answer = pieces
    assert len(texts) == 6 and "".join(texts).strip() == "Start the Docker daemon first [1]"
    assert answer.answer == "".join(texts) and answer.sources


def test_auth_failure_is_one_line_without_key(support_runner, monkeypatch) -> None:
    monkeypatch.setenv("FAKE_LLM_KEY", KEY)
    with FakeOpenAI() as server:
        server.fail = [401]
        with pytest.raises(LLMError, match="authentication failed") as err:
            llm_runner(support_runner, server.url).query("docker?")
    assert KEY not in str(err.value)


def test_openai_without_key_fails_with_one_line(support_runner, monkeypatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    store = support_runner.config.index.store.path
    result = CliRunner().invoke(main, [
        "query", "error-screenshot-support", "docker daemon?", "--set", "llm.type=openai",
        "--set", f"index.store.path={store}"])
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: llm.type=openai needs an API key: set the OPENAI_API_KEY environment variable")


def test_cli_stream_prints_answer_and_sources(support_runner, monkeypatch) -> None:
    monkeypatch.setenv("FAKE_LLM_KEY", KEY)
    store = support_runner.config.index.store.path
    with FakeOpenAI(reply="Run sudo systemctl start docker [1]") as server:
        result = CliRunner().invoke(main, [
            "query", "error-screenshot-support", "docker daemon?", "--stream",
            "--set", f"index.store.path={store}", "--set", "llm.type=openai-like",
            "--set", f"llm.api_base={server.url}", "--set", "llm.model=m",
            "--set", "llm.api_key_env=FAKE_LLM_KEY"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Run sudo systemctl start docker [1]")
    assert "Sources:" in result.output and KEY not in result.output
