"""A rich progress bar (files/s, ETA) on stderr, silent when stderr is not a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def file_progress(label: str, enabled: bool = True) -> Iterator[Callable[[str, str], None] | None]:
    """Yield a `(name, status)` callback that advances a spinner-with-rate display."""
    if not (enabled and sys.stderr.isatty()):
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"),
               TextColumn("{task.completed} done"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None)

        def advance(name: str, status: str) -> None:
            bar.update(task, advance=1, description=f"{label}: {status} {name}")

        yield advance
