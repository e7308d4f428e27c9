"""Load files as Ray tasks (`ingest.executor: ray`), with the yield contract of `load_files`.

Each file is one task running `load_all` on a worker; at most `workers` run at once (default:
the cluster's CPUs). Results come back to the one writer in the driver, so the catalog, lock
and crash-safety protocol of `incremental.py` is the local executor's.

- A file still loading after `ingest.file_timeout` seconds (counted from its submission, so
  keep `workers` at most the cluster's CPUs) is cancelled (`ray.cancel(force=True)`) and gets
  the local executor's "took longer than" line.
- A worker lost mid-file (killed, crashed, its node gone) is retried `RETRIES` times by Ray;
  then the file gets one line, "the loader's worker died ...", and the run goes on.
- A loader's error is the local executor's line (`loading._reason`).
- Derived images: a task loads into a temporary artifacts folder on its worker and returns
  the documents with the bytes of every file written there; the driver writes those files
  under its own artifacts folder and rewrites the paths, so the index is the one a local
  ingest gives, on a cluster whose workers do not share the driver's disk. The sources
  themselves must be readable at the driver's paths on every node (a shared mount).
- Ray gives each task one CPU and sets OMP_NUM_THREADS=1 in it: Tesseract's OpenMP threads
  too (benchmarks/ray_executor.py).
"""

from __future__ import annotations

import copy
import os
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

from loaders.base import Document, Loader
from pipelines.ingest.loading import Job, _reason, load_all
from pipelines.ray_cluster import cluster_cpus, ray_session

RETRIES = 2  # Ray re-runs a task whose worker died this many times before it is reported
Loaded = tuple[list[Document], str | None, str, dict[str, bytes]]  # docs, note, tmp dir, files


def load_files_on_ray(jobs: list[Job], workers: int | None, timeout: float | None,
                      address: str | None = None
                      ) -> Iterator[tuple[int, list[Document] | None, str | None]]:
    """Yield (job index, documents, note) or (job index, None, error line) as files finish.

    Args:
        workers: Tasks at once (None: the cluster's CPUs; a local Ray gets this many CPUs).
        address: The Ray cluster; None starts a local Ray for the length of the run.
    """
    if not jobs:
        return
    with ray_session(address, workers) as ray:
        task = ray.remote(max_retries=RETRIES, retry_exceptions=False)(_load_remote)
        limit = max(1, workers or cluster_cpus(ray))
        shared: dict[int, Any] = {}  # one object-store copy of each source's loaders
        waiting = list(enumerate(jobs))[::-1]
        running: dict[Any, tuple[int, float]] = {}  # task -> (job index, submitted at)
        try:
            while waiting or running:
                while waiting and len(running) < limit:
                    i, (path, loaders) = waiting.pop()
                    if id(loaders) not in shared:
                        shared[id(loaders)] = ray.put(loaders)
                    running[task.remote(shared[id(loaders)], os.path.abspath(path))] = (
                        i, time.monotonic())
                ready, _ = ray.wait(list(running), num_returns=1, timeout=_wait(running, timeout))
                for ref in ready:
                    i, _ = running.pop(ref)
                    yield i, *_result(ray, ref, jobs[i], timeout)
                for ref in _overdue(running, timeout):
                    ray.cancel(ref, force=True)
                    i, _ = running.pop(ref)
                    yield i, None, _reason(jobs[i][0], FutureTimeout(), timeout)
        finally:  # the consumer stopped (ingest.on_error=fail) or failed: stop the rest
            for ref in running:
                ray.cancel(ref, force=True)


def _wait(running: dict[Any, tuple[int, float]], timeout: float | None) -> float | None:
    """Seconds until the first running file's time is up (None: no limit)."""
    if timeout is None:
        return None
    first = min(started for _, started in running.values())
    return max(0.0, first + timeout - time.monotonic())


def _overdue(running: dict[Any, tuple[int, float]], timeout: float | None) -> list[Any]:
    if timeout is None:
        return []
    now = time.monotonic()
    return [ref for ref, (_, started) in running.items() if now - started >= timeout]


def _result(ray: Any, ref: Any, job: Job, timeout: float | None
            ) -> tuple[list[Document] | None, str | None]:
    """(documents, note) with the artifacts moved into the driver's folder, or (None, line)."""
    path, loaders = job
    try:
        docs, note, tmp, files = ray.get(ref)
    except ray.exceptions.RayTaskError as exc:  # the loader raised: its own line
        return None, _reason(path, exc.cause or exc, timeout)
    except ray.exceptions.RayError as exc:  # the worker or its node died, every try
        return None, (f"{path}: the loader's worker died ({type(exc).__name__}; tried "
                      f"{RETRIES + 1} times); skipped")
    first = loaders if isinstance(loaders, Loader) else loaders[0]
    return _restore(docs, tmp, files, first.artifacts_dir, path), note


def _restore(docs: list[Document], tmp: str, files: dict[str, bytes], artifacts: Path,
             path: Path) -> list[Document]:
    """Write a task's artifact files under `artifacts`; point the documents at them."""
    for name, data in files.items():
        target = artifacts / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    sent = os.path.abspath(path)

    def moved(value: Any) -> Any:
        if isinstance(value, str) and value.startswith(tmp + os.sep):
            return str(artifacts) + value[len(tmp):]
        return value

    for doc in docs:
        doc.source = str(path) if doc.source == sent else doc.source
        doc.image = moved(doc.image)
        doc.metadata = {key: moved(value) for key, value in doc.metadata.items()}
    return docs


def _load_remote(loaders: Loader | Sequence[Loader], path: str) -> Loaded:
    """The Ray task: `load_all` into a temporary artifacts folder, returned with its files."""
    with tempfile.TemporaryDirectory(prefix="mmrag-ray-") as tmp:
        own = [copy.copy(loader) for loader in
               ([loaders] if isinstance(loaders, Loader) else loaders)]
        for loader in own:
            loader.artifacts_dir = Path(tmp)
        docs, note = load_all(own, Path(path))
        files = {str(p.relative_to(tmp)): p.read_bytes()
                 for p in sorted(Path(tmp).rglob("*")) if p.is_file()}
    return docs, note, tmp, files
