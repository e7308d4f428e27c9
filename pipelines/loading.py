"""Load files in worker processes with a per-file time limit; a hung or crashed file fails alone."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures import as_completed
from pathlib import Path
from typing import Any

from loaders.base import Document, Loader
from loaders.errors import LoaderError


def load_all(loader: Loader, path: Path) -> list[Document]:
    """Run a loader to the end (in a worker process)."""
    return list(loader.load(path))


def _context() -> Any:
    """Fork: workers start at once and need no `if __name__ == "__main__"` guard in users'
    scripts. They only run loaders (PIL, pypdfium2, PyAV, tesseract subprocesses), never the
    parent's Chroma or embedding threads."""
    return multiprocessing.get_context("fork")


def load_files(jobs: list[tuple[Path, Loader]], workers: int, timeout: float | None
               ) -> Iterator[tuple[int, list[Document] | None, str | None]]:
    """Yield (job index, documents, None) or (job index, None, error line) as files finish.

    `workers=0` loads in this process (no time limit): handy for debugging a loader.
    """
    if workers == 0:
        for i, (path, loader) in enumerate(jobs):
            try:
                yield i, load_all(loader, path), None
            except Exception as exc:  # reported per file; the run goes on
                yield i, None, _reason(path, exc, timeout)
        return
    from pebble import ProcessPool

    with ProcessPool(max_workers=workers, context=_context()) as pool:
        futures = {pool.schedule(load_all, args=(loader, path), timeout=timeout): i
                   for i, (path, loader) in enumerate(jobs)}
        for future in as_completed(futures):
            i = futures[future]
            try:
                yield i, future.result(), None
            except Exception as exc:  # reported per file; the run goes on
                yield i, None, _reason(jobs[i][0], exc, timeout)


def _reason(path: Path, exc: BaseException, timeout: float | None) -> str:
    """One line naming the file and the problem."""
    from pebble import ProcessExpired

    if isinstance(exc, LoaderError):
        return str(exc)
    if isinstance(exc, FutureTimeout):
        return f"{path}: took longer than {timeout:g} s (ingest.file_timeout); skipped"
    if isinstance(exc, ProcessExpired):
        return f"{path}: the loader crashed (exit code {exc.exitcode})"
    return f"{path}: {exc.__class__.__name__}: {exc}"
