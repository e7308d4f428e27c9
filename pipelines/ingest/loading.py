"""Load files in worker processes with a per-file time limit; a hung or crashed file fails alone."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
from collections.abc import Iterator, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures import as_completed
from pathlib import Path
from typing import Any

from loaders.base import Document, Loader
from loaders.errors import LoaderError

Job = tuple[Path, Loader | Sequence[Loader]]  # a file and the loaders that accept it, in order


class _AllFailed(Exception):
    """Every accepting loader raised; `errors` holds (loader name, exception) for each."""

    def __init__(self, errors: list[tuple[str, BaseException]]) -> None:
        super().__init__(errors)
        self.errors = errors


def load_all(loaders: Loader | Sequence[Loader], path: Path
             ) -> tuple[list[Document], str | None]:
    """Run the file's loaders in order until one succeeds (in a worker process), as
    MarkItDown does: (documents, None), or (documents, a note naming the loaders that failed
    first). Raises the only loader's error, or `_AllFailed` when several were tried."""
    loaders = [loaders] if isinstance(loaders, Loader) else list(loaders)
    errors: list[tuple[str, BaseException]] = []
    for loader in loaders:
        try:
            docs = list(loader.load(path))
        except Exception as exc:  # the next accepting loader is tried
            errors.append((loader.name, exc))
            continue
        if not errors:
            return docs, None
        failed = "; ".join(f"loader {name!r} failed ({_detail(exc)})" for name, exc in errors)
        return docs, f"{path}: {failed}; loaded by {loader.name!r}"
    if len(errors) == 1:
        raise errors[0][1]
    raise _AllFailed(errors)


def _context() -> Any:
    """Fork: workers start at once and need no `if __name__ == "__main__"` guard in users'
    scripts. They only run loaders (PIL, pypdfium2, PyAV, tesseract subprocesses), never the
    parent's Chroma or embedding threads; see `_frozen` for what they inherit."""
    return multiprocessing.get_context("fork")


@contextlib.contextmanager
def _frozen() -> Iterator[None]:
    """Fork the workers with the parent's objects frozen (`gc.freeze`, as the gc docs advise
    before a fork): a worker's garbage collector then never finalizes an object inherited
    from the parent, such as an ONNX Runtime session whose threads do not exist in the
    child (that crashed a worker with SIGSEGV when the parent had run the embedding model
    and OCR before)."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def load_files(jobs: list[Job], workers: int, timeout: float | None
               ) -> Iterator[tuple[int, list[Document] | None, str | None]]:
    """Yield (job index, documents, None), (job index, documents, note) when a later loader
    loaded the file after the first failed, or (job index, None, error line), as files finish.

    `workers=0` loads in this process (no time limit): handy for debugging a loader.
    """
    if workers == 0:
        for i, (path, loader) in enumerate(jobs):
            try:
                yield i, *load_all(loader, path)
            except Exception as exc:  # reported per file; the run goes on
                yield i, None, _reason(path, exc, timeout)
        return
    from pebble import ProcessPool

    with ProcessPool(max_workers=workers, context=_context()) as pool:
        with _frozen():  # the first `schedule` forks the workers
            futures = {pool.schedule(load_all, args=(loader, path), timeout=timeout): i
                       for i, (path, loader) in enumerate(jobs)}
        for future in as_completed(futures):
            i = futures[future]
            try:
                yield i, *future.result()
            except Exception as exc:  # reported per file; the run goes on
                yield i, None, _reason(jobs[i][0], exc, timeout)


def _reason(path: Path, exc: BaseException, timeout: float | None) -> str:
    """One line naming the file and the problem."""
    from pebble import ProcessExpired

    if isinstance(exc, _AllFailed):
        return f"{path}: " + "; ".join(f"loader {name!r}: {_detail(error)}"
                                       for name, error in exc.errors)
    if isinstance(exc, LoaderError):
        return str(exc)
    if isinstance(exc, FutureTimeout):
        return f"{path}: took longer than {timeout:g} s (ingest.file_timeout); skipped"
    if isinstance(exc, ProcessExpired):
        return f"{path}: the loader crashed (exit code {exc.exitcode})"
    return f"{path}: {exc.__class__.__name__}: {exc}"


def _detail(exc: BaseException) -> str:
    """An exception's problem without the file name (the line names the file once)."""
    if isinstance(exc, LoaderError):
        return exc.problem
    return f"{exc.__class__.__name__}: {exc}"
