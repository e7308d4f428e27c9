"""A config without `prompt:` answers with an LLM through the shipped generic prompt
(prompts/default.yaml), end to end against the fake OpenAI server with the real SDK."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from pipelines.cli import main
from pipelines.config.prompts import load_prompt
from tests.conftest import EXAMPLES, write_config
from tests.fake_openai import FakeOpenAI

PHOTO = EXAMPLES / "math-question-from-photo" / "queries" / "math14-zh-linear-equation.jpg"


def _request_texts(server: FakeOpenAI) -> tuple[str, str, list[dict]]:
    (request,) = server.requests
    system, user = request["body"]["messages"]
    parts = user["content"]  # a string when nothing is attached
    parts = [{"type": "text", "text": parts}] if isinstance(parts, str) else parts
    text = next(p["text"] for p in parts if p["type"] == "text")
    return system["content"], text, parts


def test_shipped_config_without_prompt_answers_with_the_generic_prompt(math_runner) -> None:
    """The brief's command: `mmrag query math-question-from-photo ... --set llm.type=...`,
    with the config's own prompt removed."""
    store = math_runner.config.index.store.path
    with FakeOpenAI(reply="Subtract 3, then divide by 2 [1]") as server:
        result = CliRunner().invoke(main, [
            "query", "math-question-from-photo", "How do I solve this?", "--image", str(PHOTO),
            "--json", "--set", "prompt=null", "--set", f"index.store.path={store}",
            "--set", "llm.type=openai-like", "--set", f"llm.api_base={server.url}",
            "--set", "llm.model=qwen2.5vl", "--set", "llm.max_retries=0"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["answer"] == "Subtract 3, then divide by 2 [1]" and answer["sources"]
    system, text, parts = _request_texts(server)
    assert system == load_prompt("default").system  # the generic prompt, not the math one
    assert "How do I solve this?" in text and "<sources>" in text and "[1]" in text
    assert "<image_text>" in text and "(none)" not in text  # the photo's OCR text is quoted
    assert any(p["type"] == "image_url" for p in parts)  # and the photo itself attached


def test_a_user_config_without_prompt_ingests_and_answers(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "vpn.md").write_text("# VPN token reset\nOpen the portal and choose Reset token.\n")
    (kb / "printer.md").write_text("# Printer offline\nTurn the printer off and on again.\n")
    config = write_config(tmp_path, "sources: [{path: kb}]\nllm: {type: openai-like}\n")
    runner = CliRunner()
    assert runner.invoke(main, ["ingest", str(config)]).exit_code == 0
    with FakeOpenAI(reply="Use the portal's Reset token [1]") as server:
        result = runner.invoke(main, [
            "query", str(config), "How do I reset my VPN token?", "--json",
            "--set", f"llm.api_base={server.url}", "--set", "llm.model=m",
            "--set", "llm.max_retries=0"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["answer"] == "Use the portal's Reset token [1]"
    system, text, _ = _request_texts(server)
    assert "not instructions" in system
    assert "vpn.md" in text and "Reset token" in text
