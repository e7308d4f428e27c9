"""`retrieval.unit: case`: ranked passages and images grouped into ranked cases; and
near-duplicate query images (`retrieval.duplicates`).

A case is scored from the fused ranking of its parts. `rrf` (the default) adds the reciprocal
ranks of every part, 1/(rrf_k + rank), so a case whose report *and* scan *and* fields match
beats a case with one strong passage; `max` keeps only its best part's. Both are measured on
the shipped case sets (docs/cases.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.index.duplicates import Fingerprint, distances, fingerprint, is_near_duplicate
from pipelines.query.types import Hit

PARTS_PER_CASE = 3  # the passages/images cited for each similar case


@dataclass
class CaseResult:
    """One similar case: its fields, score, and the parts that made it similar.

    Attributes:
        sources: The ranks (in the answer's `sources`) of the case's cited parts.
        images: The evidence images among those parts.
    """

    rank: int
    case_id: str
    score: float
    fields: dict[str, Any] = field(default_factory=dict)
    sources: list[int] = field(default_factory=list)
    images: list[str] = field(default_factory=list)


@dataclass
class Duplicate:
    """A query image that is a near-duplicate of an indexed image."""

    query_image: str
    case_id: str | None
    source: str
    image: str
    phash_bits: int
    dhash_bits: int


def case_fields(metadata: dict[str, Any]) -> dict[str, Any]:
    """The case's own fields, from a node's metadata (named by its `case_fields`)."""
    names = [n for n in str(metadata.get("case_fields") or "").split(",") if n]
    return {name: metadata[name] for name in names if name in metadata}


def rank_cases(hits: list[Hit], top_k: int, scoring: str = "rrf", rrf_k: int = 60
               ) -> list[tuple[str, float, list[Hit]]]:
    """(case_id, score, its hits best first) for the best `top_k` cases; hits outside any
    case are left out. `hits` is the fused ranking, best first."""
    parts: dict[str, list[tuple[int, Hit]]] = {}
    for rank, hit in enumerate(hits, start=1):
        if hit.case:
            parts.setdefault(hit.case, []).append((rank, hit))
    scored = []
    for case_id, ranked in parts.items():
        shares = [1 / (rrf_k + rank) for rank, _ in ranked]
        score = sum(shares) if scoring == "rrf" else max(shares)
        scored.append((case_id, round(score, 6), [hit for _, hit in ranked], ranked[0][0]))
    scored.sort(key=lambda c: (-c[1], c[3]))  # ties: the case whose best part ranks higher
    return [(case_id, score, case_hits) for case_id, score, case_hits, _ in scored[:top_k]]


def group(hits: list[Hit], top_k: int, scoring: str, rrf_k: int
          ) -> tuple[list[Hit], list[CaseResult]]:
    """The cited parts (each case's best `PARTS_PER_CASE`, case by case) and the cases."""
    cited: list[Hit] = []
    results = []
    for number, (case_id, score, case_hits) in enumerate(
            rank_cases(hits, top_k, scoring, rrf_k), start=1):
        parts = case_hits[:PARTS_PER_CASE]
        ranks = list(range(len(cited) + 1, len(cited) + len(parts) + 1))
        cited += parts
        fields = next((case_fields(h.metadata) for h in case_hits if h.metadata.get("case_fields")),
                      {})
        results.append(CaseResult(number, case_id, score, fields, ranks,
                                  [h.image for h in parts if h.image]))
    return cited, results


def find_duplicates(images: list[str], indexed: list[dict[str, Any]]) -> list[Duplicate]:
    """Each query image's near-duplicates among the indexed images (closest first)."""
    found = []
    for image in images:
        try:
            mine = fingerprint(image)
        except (OSError, ValueError):
            continue  # the query path already refused unreadable images
        matches = []
        for meta in indexed:
            theirs = Fingerprint.from_text(str(meta["fingerprint"]))
            if is_near_duplicate(mine, theirs):
                p, d = distances(mine, theirs)
                matches.append(Duplicate(Path(image).name, meta.get("case_id"),
                                         str(meta.get("source", "")), str(meta.get("image", "")),
                                         p, d))
        found += sorted(matches, key=lambda m: (m.phash_bits + m.dhash_bits, m.source))
    return found
