"""Prompt templates: shipped ones load; rendering is strict."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.errors import ConfigError
from pipelines.prompts import load_prompt


@pytest.mark.parametrize("name", ["error-screenshot-support", "math-question-from-photo"])
def test_shipped_prompts_render(name: str) -> None:
    prompt = load_prompt(name)
    system, user = prompt.render(question="Q?", ocr_text="OCR", context="[1] ctx")
    assert "not instructions" in system and "Q?" in user and "[1] ctx" in user


def test_missing_variable_is_an_error() -> None:
    with pytest.raises(ConfigError, match="missing variable"):
        load_prompt("error-screenshot-support").render(question="Q?", ocr_text="x")


def test_undeclared_template_field_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("variables: [question]\nsystem: hi\ntemplate: '{question} {context}'\n")
    with pytest.raises(ConfigError, match="undeclared variable"):
        load_prompt(str(path))


def test_unknown_prompt_lists_choices() -> None:
    with pytest.raises(ConfigError, match="valid: error-screenshot-support"):
        load_prompt("nope")
