"""Which files a pipeline's sources name, which loader takes each, and their content hashes."""

from __future__ import annotations

import glob
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

from loaders.base import Loader
from loaders.registry import pick_loader
from pipelines import registry
from pipelines.config import PipelineConfig, SourceConfig
from pipelines.errors import ConfigError


def display_source(path: Path, folder: Path) -> str:
    """The file's path relative to the config folder when under it, else absolute."""
    try:
        return str(path.resolve().relative_to(folder.resolve()))
    except ValueError:
        return str(path.resolve())


def build_loaders(source: SourceConfig, ocr: object, artifacts: Path) -> list[Loader]:
    """The loader named by the source, or every registered loader in priority order (each
    given the source's params its Params model has; one without Params gets them all)."""
    if source.loader:
        return [registry.resolve("loader", source.loader)(
            ocr=ocr, artifacts_dir=artifacts, **source.params)]
    loaders = []
    for name in registry.current().automatic("loader"):
        cls = registry.resolve("loader", name)
        own = cls.Params.model_fields if cls.Params else source.params
        loaders.append(cls(ocr=ocr, artifacts_dir=artifacts,
                           **{k: v for k, v in source.params.items() if k in own}))
    return loaders


def is_glob(path: str) -> bool:
    """Whether a source path is a glob pattern rather than a file or folder."""
    return any(ch in path for ch in "*?[")


def iter_files(source: SourceConfig) -> Iterator[Path]:
    """Files of one source entry: a file, a folder (recursive) or a glob."""
    path = Path(source.path)
    if is_glob(source.path):
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
    params = json.dumps(loader.params, sort_keys=True)
    digest.update(f"{loader.name}@{loader.version}:{params}:{settings}".encode())
    return digest.hexdigest()
