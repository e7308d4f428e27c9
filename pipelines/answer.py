"""The answer a pipeline returns, and its JSON form (DESIGN.md contract)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llama_index.core.schema import NodeWithScore

    from pipelines.query.types import Hit


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
    def from_hit(cls, rank: int, hit: Hit) -> Source:
        """The citation of a retrieved `Hit` at `rank` (1-based)."""
        return cls(rank=rank, source=hit.source, modality=hit.modality, page=hit.page,
                   start=hit.start, end=hit.end, image=hit.image,
                   score=round(hit.score, 4), text=hit.text)

    @classmethod
    def from_node(cls, rank: int, found: NodeWithScore) -> Source:
        """The citation of a LlamaIndex `NodeWithScore` (what `Runner.retrieve` returns)."""
        from pipelines.query.types import Hit

        return cls.from_hit(rank, Hit.from_node(found))

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


def clock(seconds: float | None) -> str:
    total = int(seconds or 0)
    hours, rest = divmod(total, 3600)
    minutes = f"{rest // 60:02d}:{rest % 60:02d}"
    return f"{hours:02d}:{minutes}" if hours else minutes
