"""What a pipeline's index holds: nodes per modality, sources by type, store size, last run."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipelines.ingest.cases import is_record
from pipelines.stores.base import CLIP, MODALITIES


@dataclass
class IndexStats:
    """A snapshot of one pipeline's index (`mmrag stats`)."""

    pipeline: str
    store: str
    store_bytes: int | None  # None for a Chroma server
    nodes: dict[str, int]
    sources: int
    by_extension: dict[str, int]
    last_ingest: str | None
    last_run: dict[str, Any] = field(default_factory=dict)
    cases: int = 0  # case records (sources of `kind: cases`)
    state: str | None = None  # where the catalog lives when not beside the store (PostgreSQL)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def text(self) -> str:
        size = "" if self.store_bytes is None else f" ({_human(self.store_bytes)})"
        kinds = ", ".join(f"{ext} {n}" for ext, n in self.by_extension.items())
        lines = [f"pipeline: {self.pipeline}", f"store: {self.store}{size}",
                 f"sources: {self.sources}" + (f" ({kinds})" if kinds else ""),
                 "nodes: " + ", ".join(f"{n} {m}" for m, n in self.nodes.items())]
        if self.cases:
            lines.insert(3, f"cases: {self.cases}")
        if self.state:
            lines.insert(2, f"state: {self.state}")
        if not self.last_ingest:
            lines.append(f"last ingest: never (run `mmrag ingest {self.pipeline}`)")
        else:
            lines.append(f"last ingest: {self.last_ingest}{_run_text(self.last_run)}")
        return "\n".join(lines)


def _run_text(run: dict[str, Any]) -> str:
    if not run:
        return ""
    unsupported = f"{run['unsupported']} unsupported, " if run.get("unsupported") else ""
    return (f"{' (rebuild)' if run.get('rebuild') else ''}: {run['loaded']} loaded, "
            f"{run['unchanged']} unchanged, {run['empty']} empty, {run['failed']} failed, "
            f"{unsupported}{run['removed']} removed; {run['nodes_added']} nodes added "
            f"in {run['seconds']:.1f}s")


def index_stats(index: Any) -> IndexStats:
    """Read the stats of an `Index` without creating a store or catalog that is not there."""
    server = bool(index.config.index.store.host)  # no local folder to measure
    ingested = index.catalog.exists()
    sources = index.catalog.sources() if ingested else []
    records = [s for s in sources if is_record(s)]
    sources = [s for s in sources if not is_record(s)]
    has_store = ingested and index.store.exists()
    nodes = {m: index.store.count(m) if has_store else 0 for m in MODALITIES}
    if index.image_vectors.enabled:  # CLIP vectors of the image nodes
        nodes[CLIP] = index.store.count(CLIP) if has_store else 0
    by_ext = Counter(Path(s).suffix.lower() or "(none)" for s in sources)
    last_run = index.catalog.meta("last_run") if ingested else None
    return IndexStats(
        pipeline=index.config.name, store=index.store.location,
        store_bytes=None if server else _folder_size(Path(str(index.config.index.store.path))),
        nodes=nodes, sources=len(sources), by_extension=dict(by_ext.most_common()),
        last_ingest=index.catalog.meta("last_ingest") if ingested else None,
        last_run=json.loads(last_run) if last_run else {},
        cases=len(records),
        state=index.catalog.describe() if index.config.index.state else None,
    )


def _folder_size(folder: Path) -> int:
    """Bytes of all files under `folder` (0 when it does not exist)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0


def _human(size: float) -> str:
    """1536 -> '1.5 KB'."""
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"
