"""The ingest progress bar: a total, files/s and ETA on a terminal's stderr; silent elsewhere."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest

from pipelines.progress import file_progress
from pipelines.runner import Runner
from tests.conftest import write_config


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def runner(tmp_path: Path) -> Runner:
    kb = tmp_path / "kb"
    kb.mkdir()
    for i in range(3):
        (kb / f"note{i}.md").write_text(f"# Note {i}\n\nError E{i:03d}: restart service {i}.\n")
    return Runner.from_config(write_config(tmp_path, "name: tiny\nsources: [{path: kb}]\n"))


def test_bar_shows_total_rate_and_eta_on_a_terminal(runner: Runner,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with file_progress("ingest", unit="files") as progress:
        assert progress is not None
        runner.ingest(progress=progress, workers=0)
        task = progress.bar.tasks[0]
        assert (task.total, task.completed) == (3, 3)
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", terminal.getvalue())
    assert "ingest" in shown and "3/3" in shown
    assert re.search(r"\d+\.\d files/s", shown) and "ETA" in shown


def test_no_bar_when_stderr_is_not_a_terminal() -> None:
    with file_progress("ingest") as progress:  # pytest captures stderr: not a tty
        assert progress is None


def test_plain_callbacks_get_every_file_with_its_status(runner: Runner) -> None:
    seen: list[tuple[str, str]] = []
    runner.ingest(progress=lambda name, status: seen.append((name, status)), workers=0)
    runner.ingest(progress=lambda name, status: seen.append((name, status)), workers=0)
    names = [f"kb/note{i}.md" for i in range(3)]
    assert sorted(seen[:3]) == [(n, "loaded") for n in names]
    assert sorted(seen[3:]) == [(n, "unchanged") for n in names]
