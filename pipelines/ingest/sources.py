"""Which files a pipeline's sources name, which loader takes each, and their content hashes."""

from __future__ import annotations

import glob
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from loaders.base import Loader
from pipelines import registry
from pipelines.config.schema import PipelineConfig, SourceConfig, is_glob
from pipelines.config.settings import installed_example_hint
from pipelines.errors import ConfigError
from pipelines.ingest.cases import Case, read_cases


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


@dataclass
class Collected:
    """The files of a config's sources: each with the loaders that accept it (priority order;
    the first loads it, the next ones are the fallbacks), and the files no loader accepts."""

    files: list[tuple[Path, list[Loader]]] = field(default_factory=list)
    unsupported: list[Path] = field(default_factory=list)
    cases: dict[Path, Case] = field(default_factory=dict)  # a case file (resolved) -> its case
    records: list[Case] = field(default_factory=list)  # every case, for its record node


def collect(config: PipelineConfig, ocr: object, artifacts: Path) -> Collected:
    """Every file of the config's sources, with its accepting loaders or as unsupported."""
    if not config.sources:
        raise ConfigError(f"{config.path}: sources: no sources configured")
    found = Collected()
    for i, source in enumerate(config.sources):
        loaders = build_loaders(source, ocr, artifacts)
        try:
            files = list(iter_files(source)) if source.kind == "files" else \
                _case_files(source, config, found)
        except ConfigError as exc:
            hint = installed_example_hint(config.path)
            raise ConfigError(f"{config.path}: sources.{i}.path: {exc}{hint}") from None
        for path in files:
            accepting = [loader for loader in loaders if loader.accepts(path)]
            if accepting:
                found.files.append((path, accepting))
            else:
                found.unsupported.append(path)
    if found.unsupported:  # another source may load the file, or a loader read it with its own
        loaded = {path.resolve() for path, _ in found.files}  # (a video's subtitles)
        loaded |= {dep.resolve() for path, loaders in found.files
                   for dep in loaders[0].dependencies(path)}
        found.unsupported = sorted({p for p in found.unsupported if p.resolve() not in loaded})
    if not found.files and not found.records:
        where = ", ".join(s.path for s in config.sources)
        skipped = f" ({len(found.unsupported)} unsupported files)" if found.unsupported else ""
        raise ConfigError(f"knowledge base is empty: no loadable files in {where}{skipped}")
    return found


def _case_files(source: SourceConfig, config: PipelineConfig, found: Collected) -> list[Path]:
    """The files of a cases source; each is noted with its case, each case as a record."""
    files = []
    for case in read_cases(Path(source.path), lambda p: display_source(p, config.folder)):
        found.records.append(case)
        for path in case.files:
            if path.resolve() in found.cases:
                other = found.cases[path.resolve()].case_id
                raise ConfigError(f"{path}: in two cases ({other!r} and {case.case_id!r})")
            found.cases[path.resolve()] = case
            files.append(path)
    return files


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
