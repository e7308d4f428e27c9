"""Retrieval helpers: at most `max_per_page` hits from one page, evidence keys."""

from __future__ import annotations

from pathlib import Path

from llama_index.core.schema import NodeWithScore, TextNode

from pipelines.query import Hit
from pipelines.query.text_retriever import diversify, evidence_key
from pipelines.runner import Runner
from tests.conftest import write_config


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


def test_by_default_a_long_file_gives_at_most_two_of_the_top_five(tmp_path: Path) -> None:
    # One long file whose every chunk is about the question, and three short ones that are
    # about it less: the top 5 holds two of the long file, then the short ones, then fills up.
    kb = tmp_path / "kb"
    kb.mkdir()
    paragraph = ("Restart the print spooler service when the printer queue is stuck and "
                 "documents stay waiting. ")
    (kb / "spooler.md").write_text("\n\n".join(paragraph * 6 for _ in range(4)))  # 8 chunks
    for name in ("driver", "paper", "network"):
        (kb / f"{name}.md").write_text(f"A printer {name} problem: check the {name} first.\n")
    config = write_config(tmp_path, "sources: [{path: kb}]\nchunking: {chunk_size: 64, "
                          "chunk_overlap: 0}\n")
    store = {"index.store.path": str(tmp_path / "store")}
    Runner.from_config(config, store).ingest()
    question = "the printer queue is stuck, how do I restart the spooler?"

    def sources(overrides: dict[str, object]) -> list[str]:
        runner = Runner.from_config(config, {**store, **overrides})
        return [Path(h.node.metadata["source"]).name for h in runner.retrieve(question)]

    unlimited = sources({"retrieval.max_per_page": None})
    assert unlimited.count("spooler.md") >= 4
    default = sources({})
    assert default[:2] == ["spooler.md", "spooler.md"]
    assert sorted(default[2:]) == ["driver.md", "network.md", "paper.md"]
