"""The retrieval keys the README documents, on the shipped support index: `score` is the
cosine, `min_score`, `candidates`, `dense_weight`/`lexical_weight`, `rrf_k`, `page_images`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest

import pipelines.query.fuse as retrieval
from loaders.text_analysis import language
from pipelines.query.bridge import translation

QUESTIONS = ["pip install fails with SSL certificate verify failed",
             "端口被占用怎么办", "docker daemon is not running"]


@contextmanager
def settings(runner: Any, **values: Any) -> Iterator[None]:
    """Set `retrieval` keys on the shared runner for the block, then restore them."""
    cfg = runner.config.retrieval
    old = {key: getattr(cfg, key) for key in values}
    for key, value in values.items():
        setattr(cfg, key, value)
    try:
        yield
    finally:
        for key, value in old.items():
            setattr(cfg, key, value)


def ids(runner: Any, question: str) -> list[str]:
    return [h.node.node_id for h in runner.retrieve(question)]


def cosines(runner: Any, hits: list[Any], text: str) -> list[float]:
    """Cosine of `text`'s query vector with each hit's stored vector (read from the store)."""
    query = np.asarray(runner.index.embed_model.get_query_embedding(text))
    out = []
    for hit in hits:
        modality = "image" if hit.node.metadata.get("modality") == "image" else "text"
        (stored,) = runner.index.store.get(modality, [hit.node.node_id])
        vector = np.asarray(stored.embedding)
        out.append(float(query @ vector / np.linalg.norm(query) / np.linalg.norm(vector)))
    return out


@pytest.mark.parametrize("question", QUESTIONS)
def test_score_is_the_cosine_of_query_and_passage(support_runner, question: str) -> None:
    """Without translation: the question's cosine; with it: the question's or the
    translation's (the passage's language), for lexical-only hits too."""
    with settings(support_runner, translate=False):
        hits = support_runner.retrieve(question)
    assert [h.score for h in hits] == pytest.approx(cosines(support_runner, hits, question),
                                                    abs=2e-3)
    hits = support_runner.retrieve(question)
    own = cosines(support_runner, hits, question)
    gloss = translation(question, language(question) or "en")
    other = cosines(support_runner, hits, gloss) if gloss else own
    for hit, a, b in zip(hits, own, other, strict=True):
        assert min(abs(hit.score - a), abs(hit.score - b)) <= 2e-3, (hit.score, a, b)
    answer = support_runner.query(question)
    assert [s.score for s in answer.sources] == pytest.approx([h.score for h in hits], abs=1e-3)


def test_min_score_drops_hits_below_the_cosine(support_runner) -> None:
    question = QUESTIONS[0]
    scores = [h.score for h in support_runner.retrieve(question)]
    bar = (scores[0] + scores[-1]) / 2
    with settings(support_runner, min_score=bar):
        kept = support_runner.retrieve(question)
    assert kept and all(h.score >= bar for h in kept)
    assert len(kept) == sum(1 for s in scores if s >= bar) < len(scores)


def test_candidates_is_the_pool_of_each_side(support_runner, monkeypatch) -> None:
    asked: list[tuple[str, int]] = []
    index = support_runner.index
    search, lexical = index.search, index.catalog.lexical.search

    def dense_spy(vector: Any, n: int, *args: Any) -> Any:
        asked.append(("dense", n))
        return search(vector, n, *args)

    def lexical_spy(text: str, n: int, *args: Any) -> Any:
        asked.append(("lexical", n))
        return lexical(text, n, *args)

    monkeypatch.setattr(index, "search", dense_spy)
    monkeypatch.setattr(index.catalog.lexical, "search", lexical_spy)
    with settings(support_runner, candidates=7, translate=False):
        support_runner.retrieve(QUESTIONS[2])
    assert set(asked) == {("dense", 7), ("lexical", 7)}


def test_a_zero_weight_turns_that_side_off(support_runner) -> None:
    for question in QUESTIONS:
        with settings(support_runner, mode="dense"):
            dense = ids(support_runner, question)
        with settings(support_runner, mode="lexical"):
            lexical = ids(support_runner, question)
        with settings(support_runner, lexical_weight=0.0):
            assert ids(support_runner, question) == dense, question
        with settings(support_runner, dense_weight=0.0):
            assert ids(support_runner, question) == lexical, question
        assert dense != lexical or question == QUESTIONS[0]  # the sides do differ


def test_rrf_k_is_the_fusion_constant(support_runner, monkeypatch) -> None:
    assert retrieval.rrf([(1.0, ["a", "b"]), (2.0, ["b"])], 10) == pytest.approx(
        {"a": 1 / 11, "b": 1 / 12 + 2 / 11})
    used: list[int] = []
    fuse = retrieval.rrf

    def spy(rankings: Any, k: int) -> dict[str, float]:
        used.append(k)
        return fuse(rankings, k)

    monkeypatch.setattr(retrieval, "rrf", spy)
    with settings(support_runner, rrf_k=7):
        support_runner.retrieve(QUESTIONS[2])
    assert used == [7]


def test_page_images_false_leaves_pdf_passages_without_an_image(support_runner) -> None:
    question = "nginx 502 bad gateway upstream"
    with settings(support_runner, page_images=False):
        off = support_runner.query(question).sources[0]
    on = support_runner.query(question).sources[0]
    assert off.source.endswith(".pdf") and off.page == 1 and off.image is None
    assert on.source == off.source and on.image
