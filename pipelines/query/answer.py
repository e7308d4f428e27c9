"""The answer a pipeline returns, and its JSON form (DESIGN.md contract)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from pipelines.query.location import label, short_path

if TYPE_CHECKING:
    from llama_index.core.schema import NodeWithScore

    from pipelines.query.cases import CaseResult, Duplicate
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
    printed_page: str | None = None  # the number printed on the page, when not `page`

    @classmethod
    def from_hit(cls, rank: int, hit: Hit) -> Source:
        """The citation of a retrieved `Hit` at `rank` (1-based)."""
        return cls(rank=rank, source=hit.source, modality=hit.modality, page=hit.page,
                   start=hit.start, end=hit.end, image=hit.image,
                   score=round(hit.score, 4), text=hit.text, printed_page=hit.printed_page)

    @classmethod
    def from_node(cls, rank: int, found: NodeWithScore) -> Source:
        """The citation of a LlamaIndex `NodeWithScore` (what `Runner.retrieve` returns)."""
        from pipelines.query.types import Hit

        return cls.from_hit(rank, Hit.from_node(found))

    def label(self) -> str:
        """Readable location: file, page, mm:ss range (`location.label`)."""
        return label(self.source, self.page, self.start, self.end, self.printed_page)

    def image_label(self) -> str:
        """The evidence image's path as shown to people ("" without one)."""
        return short_path(self.image) if self.image else ""


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
    cases: list[CaseResult] | None = None  # retrieval.unit: case only
    duplicates: list[Duplicate] | None = None  # retrieval.duplicates only

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of `mmrag query --json` (`cases` and `duplicates` only when the
        pipeline ranks cases / reports duplicates: the passage contract is unchanged)."""
        out = asdict(self)
        for key in ("cases", "duplicates"):
            if out[key] is None:
                del out[key]
        return out
