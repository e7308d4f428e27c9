"""The answer a pipeline returns, and its JSON form (DESIGN.md contract)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Source:
    """One cited piece of evidence."""

    rank: int
    source: str
    modality: str
    page: int | None
    start: float | None
    end: float | None
    image: str | None
    score: float
    text: str

    @classmethod
    def from_node(cls, rank: int, hit: Any) -> Source:
        """Build from a LlamaIndex `NodeWithScore` carrying our provenance metadata."""
        meta = hit.node.metadata
        return cls(
            rank=rank,
            source=meta.get("source", ""),
            modality=meta.get("modality", "text"),
            page=_int(meta.get("page")),
            start=_float(meta.get("start")),
            end=_float(meta.get("end")),
            image=meta.get("image") or None,
            score=round(float(hit.score or 0.0), 4),
            text=hit.node.get_content(),
        )

    def label(self) -> str:
        """Readable location: file, page, mm:ss range."""
        parts = [short_path(self.source)]
        if self.page:
            parts.append(f"p. {self.page}")
        if self.start is not None:
            end = f"–{clock(self.end)}" if self.end is not None else ""
            parts.append(f"@ {clock(self.start)}{end}")
        return " ".join(parts)


@dataclass
class Answer:
    """An answer with its cited sources and timings."""

    question: str
    answer: str
    query_text: str
    sources: list[Source] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    usage: dict[str, Any] = field(default_factory=dict)  # LLM tokens and cost_usd; {} offline
    declined: bool = False  # the engine found nothing that answers the question

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of `mmrag query --json`."""
        return asdict(self)


def short_path(source: str) -> str:
    """For people: an absolute path under the working directory is shown relative to it."""
    path = Path(source)
    if path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            pass
    return source


def _int(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


def _float(value: Any) -> float | None:
    return float(value) if value not in (None, "") else None


def clock(seconds: float | None) -> str:
    total = int(seconds or 0)
    hours, rest = divmod(total, 3600)
    minutes = f"{rest // 60:02d}:{rest % 60:02d}"
    return f"{hours:02d}:{minutes}" if hours else minutes
