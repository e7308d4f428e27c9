"""Incremental ingest: enumerate sources, skip unchanged files, load, chunk, embed, upsert."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from loaders.base import Document, Loader
from loaders.errors import LoaderError
from pipelines.config.schema import PipelineConfig
from pipelines.index.duplicates import add_fingerprints
from pipelines.index.multimodal import Index
from pipelines.ingest.cases import Case
from pipelines.ingest.chunking import Chunker
from pipelines.ingest.loading import Job, load_files
from pipelines.ingest.sources import Collected, collect, display_source, file_hash
from pipelines.progress import set_total

Progress = Callable[[str, str], None]  # (file, status) after each file
LoadFiles = Callable[[list[Job]], Iterator[tuple[int, list[Document] | None, str | None]]]


@dataclass
class IngestSummary:
    """What one ingest run did."""

    loaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)  # files no loader accepts
    removed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    nodes_added: int = 0
    seconds: float = 0.0
    rebuild: bool = False

    def to_dict(self) -> dict:
        return {
            "loaded": len(self.loaded), "unchanged": len(self.unchanged),
            "empty": len(self.empty), "failed": len(self.failed),
            "removed": len(self.removed), "nodes_added": self.nodes_added,
            "seconds": round(self.seconds, 3), "rebuild": self.rebuild,
            "failures": [{"source": s, "error": e} for s, e in self.failed],
            "warnings": self.warnings,
            "unsupported": len(self.unsupported), "unsupported_files": self.unsupported,
        }

    def text(self) -> str:
        kind = "rebuild" if self.rebuild else "ingest"
        unsupported = f"{len(self.unsupported)} unsupported, " if self.unsupported else ""
        lines = [f"{kind}: {len(self.loaded)} loaded, {len(self.unchanged)} unchanged, "
                 f"{len(self.empty)} empty, {len(self.failed)} failed, {unsupported}"
                 f"{len(self.removed)} removed; {self.nodes_added} nodes added "
                 f"in {self.seconds:.1f}s"]
        lines += [f"  failed: {error}" for _, error in self.failed]
        lines += [f"  unsupported: {source} (no loader accepts this file type)"
                  for source in self.unsupported]
        lines += [f"  warning: {warning}" for warning in self.warnings]
        return "\n".join(lines)


class _Writer:
    """Collects loaded files and embeds their nodes in batches before storing them.

    Progress is reported per file once it is stored, so rate and ETA include embedding.
    """

    def __init__(self, index: Index, summary: IngestSummary, batch_size: int,
                 progress: Progress | None) -> None:
        self.index = index
        self.summary = summary
        self.batch_size = batch_size
        self.progress = progress
        self.pending: list[tuple[str, str, list]] = []

    def add(self, source: str, content_hash: str, nodes: list) -> None:
        self.pending.append((source, content_hash, nodes))
        if sum(len(n) for _, _, n in self.pending) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        self.index.embed([node for _, _, nodes in self.pending for node in nodes])
        self.index.reserve([(source, nodes) for source, _, nodes in self.pending])
        for source, content_hash, nodes in self.pending:
            self.summary.nodes_added += self.index.replace(source, content_hash, nodes)
            if self.progress:
                self.progress(source, "loaded" if nodes else "empty")
        self.pending = []


def ingest(config: PipelineConfig, index: Index, ocr: object, prune: bool = False,
           progress: Progress | None = None, workers: int | None = None,
           rebuild: bool = False, executor: str | None = None,
           address: str | None = None) -> IngestSummary:
    """Bring the index up to date with the config's sources.

    Args:
        progress: Called after each file; `set_total(n)` too when it has that method.
        workers: Loader processes (default `ingest.workers`, else the number of cores).
        rebuild: Drop the pipeline's collections, catalog and lexical rows first.
        executor: "local" or "ray" (default `ingest.executor`); `address` the Ray cluster
            (default `ingest.ray_address`; none starts a local Ray).
    """
    started = time.perf_counter()
    summary = IngestSummary(rebuild=rebuild)
    load = _loader_pool(config, workers, executor, address)  # Ray missing/unreachable: now
    settings = f"{index.fingerprint()}:{getattr(ocr, 'settings', lambda: '')()}"
    found = collect(config, ocr, index.state_dir / "artifacts")
    summary.unsupported = [display_source(p, config.folder) for p in found.unsupported]
    set_total(progress, len(found.files))
    with index.lock():
        index.store.open()  # a store that cannot be opened/reached fails now, in one line
        index.sync_store_type()
        if rebuild:
            index.clear()
        else:
            index.finish_clear()  # a rebuild killed midway
        todo, seen = _changed(found, config, index, settings, summary, progress)
        _load_and_store(todo, config, index, summary, progress, load)
        seen |= _store_records(found.records, config, index, settings, summary)
        if prune:
            for source in sorted(set(index.catalog.sources()) - seen):
                index.remove(source)
                summary.removed.append(source)
        index.catalog.lexical.refresh()  # the BM25 matrix is built now, not at the first query
        index.store.optimize()
        summary.seconds = time.perf_counter() - started
        _record_run(index, summary)
    return summary


def _record_run(index: Index, summary: IngestSummary) -> None:
    """Keep the time and counts of this run in the catalog (for `mmrag stats`)."""
    now = datetime.now().astimezone().isoformat(timespec="seconds")
    counts = {k: v for k, v in summary.to_dict().items()
              if k not in ("failures", "warnings", "unsupported_files")}
    index.catalog.set_meta("last_ingest", now)
    index.catalog.set_meta("last_run", json.dumps(counts))


def _changed(found: Collected, config: PipelineConfig, index: Index,
             settings: str, summary: IngestSummary, progress: Progress | None
             ) -> tuple[list[_Job], set[str]]:
    """Files that are new or changed since the last ingest (unchanged ones are counted).
    A case file's hash includes its case's fields, so a changed field re-embeds the case."""
    todo: list[_Job] = []
    seen: set[str] = set()
    for path, loaders in found.files:
        source = display_source(path, config.folder)
        seen.add(source)
        case = found.cases.get(path.resolve())
        try:
            content_hash = file_hash(path, loaders[0],
                                     f"{settings}:case={case.key()}" if case else settings)
        except OSError as exc:
            _fail(summary, config, source, f"{path}: cannot read ({exc.strerror or exc})")
            continue
        entry = index.catalog.get(source)
        if entry and entry.hash == content_hash:
            summary.unchanged.append(source)
            if progress:
                progress(source, "unchanged")
        else:
            todo.append(_Job(path, source, loaders, content_hash, case))
    return todo, seen


def _store_records(records: list[Case], config: PipelineConfig, index: Index, settings: str,
                   summary: IngestSummary) -> set[str]:
    """Each case's record node (its id and fields), stored under the case's `origin`."""
    chunker = Chunker(config.chunking.chunk_size, config.chunking.chunk_overlap)
    writer = _Writer(index, summary, config.index.text_embedding.batch_size, None)
    for case in records:
        content_hash = hashlib.sha256(f"{case.key()}:{settings}".encode()).hexdigest()
        entry = index.catalog.get(case.origin)
        if entry and entry.hash == content_hash:
            continue
        doc = case.record()
        doc.metadata.update(case.metadata())
        writer.add(case.origin, content_hash, chunker.nodes([doc], case.origin, content_hash))
    writer.flush()
    return {case.origin for case in records}


def _loader_pool(config: PipelineConfig, workers: int | None, executor: str | None,
                 address: str | None) -> LoadFiles:
    """`load_files(jobs)` of the chosen executor: local processes or Ray tasks."""
    if workers is None:  # 0 (load in this process) is a setting, not "unset"
        workers = config.ingest.workers
    timeout = config.ingest.file_timeout
    if (executor or config.ingest.executor) == "ray":
        from pipelines.ingest.ray_executor import load_files_on_ray
        from pipelines.ray_cluster import check_ray

        address = address or config.ingest.ray_address
        check_ray(address)
        return lambda jobs: load_files_on_ray(jobs, workers or None, timeout, address)
    count = workers if workers is not None else os.cpu_count() or 1
    return lambda jobs: load_files(jobs, min(count, len(jobs)), timeout)


def _load_and_store(todo: list[_Job], config: PipelineConfig, index: Index,
                    summary: IngestSummary, progress: Progress | None,
                    load: LoadFiles) -> None:
    chunker = Chunker(config.chunking.chunk_size, config.chunking.chunk_overlap)
    writer = _Writer(index, summary, config.index.text_embedding.batch_size, progress)
    jobs = [(job.path, job.loaders) for job in todo]
    try:
        for i, docs, problem in load(jobs):
            job = todo[i]
            if docs is None:
                _fail(summary, config, job.source, problem or f"{job.path}: not loaded")
                if progress:
                    progress(job.source, "failed")
                continue
            if problem:  # a fallback loader read it after the first accepting one failed
                summary.warnings.append(problem)
            bad_pages = {d.metadata.get("failed_pages") for d in docs or []} - {None}
            if bad_pages:
                summary.warnings.append(f"{job.source}: unreadable pages skipped: "
                                        f"{bad_pages.pop()}")
            if job.case:
                for doc in docs:
                    doc.metadata.update(job.case.metadata())
            nodes = chunker.nodes(docs or [], job.source, job.content_hash)
            add_fingerprints(nodes)
            writer.add(job.source, job.content_hash, nodes)
            (summary.loaded if nodes else summary.empty).append(job.source)
    finally:
        writer.flush()  # what was loaded before a failure stays indexed


def _fail(summary: IngestSummary, config: PipelineConfig, source: str, error: str) -> None:
    summary.failed.append((source, error))
    if config.ingest.on_error == "fail":
        raise LoaderError(source, f"ingest stopped (ingest.on_error=fail): {error}")


@dataclass
class _Job:
    path: Path
    source: str
    loaders: list[Loader]  # the accepting loaders: the first, then the fallbacks
    content_hash: str
    case: Case | None = None
