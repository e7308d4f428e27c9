"""Retrieval quality over every shipped sample query (the issue's acceptance bars)."""

from __future__ import annotations

from pipelines.evaluation import first_hit_rank
from tests.conftest import sample_queries


def ranks(runner, pipeline: str) -> dict[str, int | None]:
    out = {}
    for item in sample_queries(pipeline):
        answer = runner.query(item["question"], images=[item["image"]])
        out[item["id"]] = first_hit_rank([s.source for s in answer.sources], [item["expected"]])
    return out


def test_screenshots_top_source_is_the_right_article(support_runner) -> None:
    found = ranks(support_runner, "error-screenshot-support")
    assert len(found) >= 10
    top1 = sum(1 for r in found.values() if r == 1) / len(found)
    assert top1 >= 0.9, {k: r for k, r in found.items() if r != 1}


def test_math_photos_same_type_in_top3(math_runner) -> None:
    found = ranks(math_runner, "math-question-from-photo")
    assert len(found) >= 8
    top3 = sum(1 for r in found.values() if r is not None and r <= 3) / len(found)
    assert top3 >= 0.8, {k: r for k, r in found.items() if r is None or r > 3}
