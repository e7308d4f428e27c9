"""Files no loader accepts are counted and listed (`unsupported`); when the first loader that
accepts a file fails, the next accepting one loads it (MarkItDown-style fallback)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipelines import registry
from pipelines.cli import main
from pipelines.runner import Runner
from tests.conftest import write_config
from tests.pipelines.custom_components import BrokenMarkdownLoader, BrokenPdfLoader

ARTICLE = "# VPN token reset\n\nOpen the self-service portal and choose Reset token.\n"


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    kb = tmp_path / "kb"
    (kb / "sub").mkdir(parents=True)
    (kb / "vpn.md").write_text(ARTICLE, encoding="utf-8")
    (kb / "export.xyz").write_text("no loader for this")
    (kb / "sub" / "data.parquet").write_bytes(b"PAR1")
    return kb


@pytest.fixture
def restore_loaders():
    with registry.scoped():  # what a test registers is gone after it
        yield


def test_unsupported_files_are_counted_and_listed(kb: Path, tmp_path: Path) -> None:
    config = write_config(tmp_path, "sources: [{path: kb}]\ningest: {workers: 0}\n")
    result = CliRunner().invoke(main, ["ingest", str(config)])
    assert result.exit_code == 0, result.output
    first, *rest = result.output.splitlines()
    assert "1 loaded" in first and "0 failed, 2 unsupported, 0 removed" in first
    assert "  unsupported: kb/export.xyz (no loader accepts this file type)" in rest
    assert "  unsupported: kb/sub/data.parquet (no loader accepts this file type)" in rest
    again = json.loads(CliRunner().invoke(main, ["ingest", str(config), "--json"]).output)
    assert again["unchanged"] == 1 and again["unsupported"] == 2
    assert again["unsupported_files"] == ["kb/export.xyz", "kb/sub/data.parquet"]
    stats = CliRunner().invoke(main, ["stats", str(config)]).output
    assert "2 unsupported" in stats


def test_a_file_another_source_loads_is_not_unsupported(kb: Path, tmp_path: Path) -> None:
    """The first source's loader takes only .csv; the second source loads the Markdown."""
    custom = "tests.pipelines.custom_components.CsvFaqLoader"
    config = write_config(tmp_path, f"sources: [{{path: kb, loader: {custom}}}, {{path: kb}}]\n"
                                    "ingest: {workers: 0}\n")
    summary = Runner.from_config(config).ingest()
    assert summary.loaded == ["kb/vpn.md"]
    assert summary.unsupported == ["kb/export.xyz", "kb/sub/data.parquet"]


def test_a_videos_own_subtitles_are_not_unsupported(tmp_path: Path) -> None:
    """The lecture videos' same-stem .srt/.vtt are read by the video loader, not listed."""
    from pipelines.config.settings import load_config
    from pipelines.ingest.sources import collect

    found = collect(load_config("lecture-video-qa"), None, tmp_path)
    assert sorted(p.suffix for p, _ in found.files) == [".mp4", ".mp4"]
    assert found.unsupported == []


@pytest.mark.usefixtures("restore_loaders")
@pytest.mark.parametrize("workers", [0, 1])
def test_the_next_accepting_loader_loads_a_file_the_first_fails_on(
        kb: Path, tmp_path: Path, workers: int) -> None:
    registry.register("loader", "broken-md", BrokenMarkdownLoader)  # tried before `text`
    config = write_config(tmp_path, "sources: [{path: kb}]\n")
    runner = Runner.from_config(config)
    summary = runner.ingest(workers=workers)
    assert summary.loaded == ["kb/vpn.md"] and not summary.failed
    (warning,) = summary.warnings
    assert "loader 'broken-md' failed (this parser cannot read it)" in warning
    assert warning.endswith("loaded by 'text'")
    assert runner.query("How do I reset my VPN token?").sources[0].source == "kb/vpn.md"


@pytest.mark.usefixtures("restore_loaders")
@pytest.mark.parametrize("workers", [0, 1])
def test_a_file_every_accepting_loader_fails_on_names_each(tmp_path: Path,
                                                           workers: int) -> None:
    registry.register("loader", "broken-pdf", BrokenPdfLoader)  # tried before `pdf`
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "vpn.md").write_text(ARTICLE, encoding="utf-8")
    (kb / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    summary = Runner.from_config(write_config(tmp_path, "sources: [{path: kb}]\n")).ingest(
        workers=workers)
    assert summary.loaded == ["kb/vpn.md"]
    ((source, error),) = summary.failed
    assert source == "kb/broken.pdf" and error.count("broken.pdf") == 1
    assert "loader 'broken-pdf': this parser cannot read it; loader 'pdf': " in error
