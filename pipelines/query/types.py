"""The values that travel the query path: one `Query` in, ranked `Hit`s out."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipelines.stores.filters import Where

if TYPE_CHECKING:
    from llama_index.core.schema import NodeWithScore

Lexical = tuple[str, str, float]  # a BM25 hit: (node_id, modality, score)
Ranking = tuple[float, list[str]]  # an RRF input: (weight, node ids best first)


@dataclass(frozen=True)
class Query:
    """One question as every stage sees it, computed once before retrieval.

    Attributes:
        question: The user's words, as given.
        text: What is searched: the question and the OCR text of each image, one per line.
        images: The question's image files.
        ocr_texts: The OCR text of each image (empty strings included).
        where: The parsed metadata filter, None for none.
        language: "zh"/"en" when the query is also searched in translation, else None.
        top_k: How many hits to return; None = `retrieval.top_k`.
    """

    question: str
    text: str
    images: tuple[str, ...] = ()
    ocr_texts: tuple[str, ...] = ()
    where: Where | None = None
    language: str | None = None
    top_k: int | None = None

    @property
    def ocr_text(self) -> str:
        """The images' OCR text: the query text after the question."""
        return self.text[len(self.question.strip()):].strip()


@dataclass
class Hit:
    """One retrieved node with typed provenance; `score` is its cosine with the query.

    Attributes:
        metadata: The node's whole metadata, for engines that need more than the fields.
        node: The store's LlamaIndex `NodeWithScore` (what `Runner.retrieve` returns).
    """

    id: str
    text: str
    score: float
    modality: str = "text"
    source: str = ""
    page: int | None = None
    start: float | None = None
    end: float | None = None
    image: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    case: str | None = None  # the case (`kind: cases` sources) the node belongs to
    metadata: dict[str, Any] = field(default_factory=dict, repr=False)
    node: NodeWithScore | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_node(cls, found: NodeWithScore) -> Hit:
        """Build from a store's `NodeWithScore` carrying mmrag's provenance metadata."""
        meta = found.node.metadata
        return cls(
            id=found.node.node_id, text=found.node.get_content(),
            score=float(found.score or 0.0), modality=meta.get("modality", "text"),
            source=meta.get("source", ""), page=_int(meta.get("page")),
            start=_float(meta.get("start")), end=_float(meta.get("end")),
            image=meta.get("image") or None, bbox=_bbox(meta.get("bbox")),
            case=str(meta["case_id"]) if meta.get("case_id") else None,
            metadata=meta, node=found,
        )

    @property
    def timed(self) -> bool:
        """A moment of a video or subtitles (it has a start time)."""
        return self.start is not None

    @property
    def printed_page(self) -> str | None:
        """The page number printed on the page when it differs from `page` ("8", or "16-17"
        for two pages printed to a sheet; `loaders.pdf_printed`), else None."""
        first, last = _int(self.metadata.get("printed_first")), \
            _int(self.metadata.get("printed_last"))
        if first is None:
            return None
        return str(first) if last in (None, first) else f"{first}-{last}"


def _int(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


def _float(value: Any) -> float | None:
    return float(value) if value not in (None, "") else None


def _bbox(value: Any) -> tuple[float, float, float, float] | None:
    """The stored bbox (a JSON list, see `pipelines.ingest.chunking`) as a tuple."""
    if not value:
        return None
    box = json.loads(value) if isinstance(value, str) else value
    return (float(box[0]), float(box[1]), float(box[2]), float(box[3]))


@dataclass
class Usage:
    """Yielded last by `Engine.stream` when the backend reports token usage."""

    counts: dict[str, Any]


def combine(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """Two usages as one: token counts and costs added; `second`'s model named."""
    if not (first and second):
        return first or second
    out = {**first, **second}
    for key in ("prompt_tokens", "completion_tokens", "total_tokens", "cost_usd"):
        if key in first or key in second:
            out[key] = first.get(key, 0) + second.get(key, 0)
    if "cost_usd" in out:
        out["cost_usd"] = round(out["cost_usd"], 6)
    return out
