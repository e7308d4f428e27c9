"""Retrieval helpers: at most `max_per_page` hits from one page, evidence keys."""

from __future__ import annotations

from llama_index.core.schema import NodeWithScore, TextNode

from pipelines.query import Hit
from pipelines.query.text_retriever import diversify, evidence_key


def hit(source: str, page: int | None = None, start: float | None = None) -> Hit:
    meta = {"source": source, **({"page": page} if page else {}),
            **({"start": start} if start is not None else {})}
    return Hit.from_node(NodeWithScore(node=TextNode(text=f"{source} {page} {start}",
                                                     metadata=meta), score=0.5))


def names(hits: list[Hit]) -> list[str]:
    return [h.text for h in hits]


def test_evidence_keys_are_file_and_page_or_the_moment() -> None:
    assert evidence_key(hit("a.pdf", 3)) == ("a.pdf", 3)
    assert evidence_key(hit("a.md")) == ("a.md", None)
    assert evidence_key(hit("v.mp4", start=20.0)) != evidence_key(hit("v.mp4", start=40.0))


def test_at_most_n_hits_per_page_then_the_skipped_fill_up() -> None:
    hits = [hit("a.pdf", 1), hit("a.pdf", 1), hit("a.pdf", 2), hit("a.pdf", 1), hit("b.md"),
            hit("b.md")]
    assert names(diversify(hits, None, 4)) == names(hits[:4])
    assert names(diversify(hits, 1, 3)) == names([hits[0], hits[2], hits[4]])
    assert names(diversify(hits, 2, 4)) == names([hits[0], hits[1], hits[2], hits[4]])
    # only three distinct pages: the best skipped hits fill the top 5, in rank order
    assert names(diversify(hits, 1, 5)) == names([hits[0], hits[2], hits[4], hits[1], hits[3]])


def test_video_moments_are_never_merged() -> None:
    moments = [hit("v.mp4", start=float(s)) for s in range(0, 100, 20)]
    assert names(diversify(moments, 1, 5)) == names(moments)
