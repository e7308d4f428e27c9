"""A rich progress bar (done/total, files/s, ETA) on stderr, silent when stderr is no terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Column
from rich.text import Text


class RateColumn(ProgressColumn):
    """Items per second, e.g. `41.3 files/s`."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        rate = f"{speed:.1f}" if speed else "-"
        return Text(f"{rate} {task.fields.get('unit', 'items')}/s", style="progress.data.speed")


class FileProgress:
    """A `(name, status)` callback that advances one rich task.

    `set_total(n)` turns the pulsing bar into one with a count, rate and ETA.
    """

    def __init__(self, bar: Progress, label: str, unit: str) -> None:
        self.bar = bar
        self.task = bar.add_task(label, total=None, unit=unit, current="")

    def set_total(self, total: int) -> None:
        self.bar.update(self.task, total=total)

    def __call__(self, name: str, status: str) -> None:
        self.bar.update(self.task, advance=1, current=f"{status} {name}")


def set_total(progress: object, total: int) -> None:
    """Tell a progress callback how many items will come, when it can use that."""
    setter = getattr(progress, "set_total", None)
    if callable(setter):
        setter(total)


@contextmanager
def file_progress(label: str, enabled: bool = True, unit: str = "items"
                  ) -> Iterator[FileProgress | None]:
    """Yield a `FileProgress` on stderr, or None when disabled or stderr is no terminal."""
    if not (enabled and sys.stderr.isatty()):
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               RateColumn(), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
               TextColumn("{task.fields[current]}",
                          table_column=Column(no_wrap=True, overflow="ellipsis", max_width=48)))
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        yield FileProgress(bar, label, unit)
