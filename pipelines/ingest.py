"""Incremental ingest: enumerate sources, skip unchanged files, load, chunk, embed, upsert."""

from __future__ import annotations

import glob
import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from loaders.base import Loader
from loaders.errors import LoaderError
from loaders.registry import loader_class, loader_names, pick_loader
from pipelines.chunking import Chunker
from pipelines.config import PipelineConfig, SourceConfig
from pipelines.errors import ConfigError
from pipelines.index import Index

Progress = Callable[[str, str], None]  # (file, status) after each file


@dataclass
class IngestSummary:
    """What one ingest run did."""

    loaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    nodes_added: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {
            "loaded": len(self.loaded), "unchanged": len(self.unchanged),
            "empty": len(self.empty), "failed": len(self.failed),
            "removed": len(self.removed), "nodes_added": self.nodes_added,
            "seconds": round(self.seconds, 3),
            "failures": [{"source": s, "error": e} for s, e in self.failed],
        }

    def text(self) -> str:
        lines = [f"ingest: {len(self.loaded)} loaded, {len(self.unchanged)} unchanged, "
                 f"{len(self.empty)} empty, {len(self.failed)} failed, "
                 f"{len(self.removed)} removed; {self.nodes_added} nodes added "
                 f"in {self.seconds:.1f}s"]
        lines += [f"  failed: {error}" for _, error in self.failed]
        return "\n".join(lines)


def display_source(path: Path, folder: Path) -> str:
    """The file's path relative to the config folder when under it, else absolute."""
    try:
        return str(path.resolve().relative_to(folder.resolve()))
    except ValueError:
        return str(path.resolve())


def build_loaders(source: SourceConfig, ocr: object, artifacts: Path) -> list[Loader]:
    """The loader named by the source, or every registered loader in priority order."""
    names = [source.loader] if source.loader else loader_names()
    return [loader_class(name)(ocr=ocr, artifacts_dir=artifacts, **source.params)
            for name in names]


def iter_files(source: SourceConfig) -> Iterator[Path]:
    """Files of one source entry: a file, a folder (recursive) or a glob."""
    path = Path(source.path)
    if any(ch in source.path for ch in "*?["):
        matches = sorted(Path(p) for p in glob.glob(source.path, recursive=True))
        yield from (p for p in matches if p.is_file())
    elif path.is_dir():
        yield from sorted(p for p in path.rglob("*") if p.is_file() and not _hidden(p, path))
    elif path.is_file():
        yield path
    else:
        raise ConfigError(f"source path not found: {source.path}")


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def collect(config: PipelineConfig, ocr: object, artifacts: Path) -> list[tuple[Path, Loader]]:
    """Every (file, loader) pair of the config's sources; unsupported files are left out."""
    if not config.sources:
        raise ConfigError(f"{config.path}: sources: no sources configured")
    pairs: list[tuple[Path, Loader]] = []
    for i, source in enumerate(config.sources):
        loaders = build_loaders(source, ocr, artifacts)
        try:
            files = list(iter_files(source))
        except ConfigError as exc:
            raise ConfigError(f"{config.path}: sources.{i}.path: {exc}") from None
        pairs += [(f, loader) for f in files if (loader := pick_loader(f, loaders))]
    if not pairs:
        where = ", ".join(s.path for s in config.sources)
        raise ConfigError(f"knowledge base is empty: no loadable files in {where}")
    return pairs


def file_hash(path: Path, loader: Loader, settings: str) -> str:
    """Content hash of the file, the files it depends on, and the settings that shape nodes."""
    digest = hashlib.sha256()
    for part in [path, *loader.dependencies(path)]:
        with part.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    digest.update(f"{loader.name}:{json.dumps(loader.params, sort_keys=True)}:{settings}".encode())
    return digest.hexdigest()


class _Writer:
    """Collects loaded files and embeds their nodes in batches before storing them."""

    def __init__(self, index: Index, summary: IngestSummary, batch_size: int) -> None:
        self.index = index
        self.summary = summary
        self.batch_size = batch_size
        self.pending: list[tuple[str, str, list]] = []

    def add(self, source: str, content_hash: str, nodes: list) -> None:
        self.pending.append((source, content_hash, nodes))
        if sum(len(n) for _, _, n in self.pending) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        self.index.embed([node for _, _, nodes in self.pending for node in nodes])
        for source, content_hash, nodes in self.pending:
            self.summary.nodes_added += self.index.replace(source, content_hash, nodes)
        self.pending = []


def ingest(config: PipelineConfig, index: Index, ocr: object, prune: bool = False,
           progress: Progress | None = None) -> IngestSummary:
    """Bring the index up to date with the config's sources."""
    started = time.perf_counter()
    summary = IngestSummary()
    pairs = collect(config, ocr, index.state_dir / "artifacts")
    chunker = Chunker(config.chunking.chunk_size, config.chunking.chunk_overlap)
    settings = f"{index.fingerprint()}:{getattr(ocr, 'settings', lambda: '')()}"
    with index.lock():
        writer = _Writer(index, summary, config.index.text_embedding.batch_size)
        seen: set[str] = set()
        for path, loader in pairs:
            source = display_source(path, config.folder)
            seen.add(source)
            status = _ingest_file(path, source, loader, chunker, settings, writer)
            if progress:
                progress(source, status)
        writer.flush()
        if prune:
            for source in set(index.catalog.sources()) - seen:
                index.remove(source)
                summary.removed.append(source)
        index.catalog.set_meta("last_ingest", time.strftime("%Y-%m-%dT%H:%M:%S"))
    summary.seconds = time.perf_counter() - started
    return summary


def _ingest_file(path: Path, source: str, loader: Loader, chunker: Chunker, settings: str,
                 writer: _Writer) -> str:
    summary = writer.summary
    try:
        content_hash = file_hash(path, loader, settings)
        entry = writer.index.catalog.get(source)
        if entry and entry.hash == content_hash:
            summary.unchanged.append(source)
            return "unchanged"
        docs = list(loader.load(path))
    except LoaderError as exc:
        summary.failed.append((source, str(exc)))
        return "failed"
    except Exception as exc:  # a loader bug or a library error must not stop the run
        summary.failed.append((source, f"{path}: {exc.__class__.__name__}: {exc}"))
        return "failed"
    nodes = chunker.nodes(docs, source, content_hash)
    writer.add(source, content_hash, nodes)
    (summary.loaded if nodes else summary.empty).append(source)
    return "loaded" if nodes else "empty"
