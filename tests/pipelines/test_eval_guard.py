"""The default retrieval is never worse than its dense part alone: every shipped eval set."""

from __future__ import annotations

import pytest

from pipelines.evaluation import evaluate
from pipelines.runner import Runner
from tests.conftest import EXAMPLES

SETS = [(pipeline, name) for pipeline in ("error-screenshot-support", "math-question-from-photo",
                                          "lecture-video-qa")
        for name in ("queries", "crosslang")]
FIXTURES = {"error-screenshot-support": "support_runner", "math-question-from-photo": "math_runner",
            "lecture-video-qa": "lecture_runner"}


@pytest.mark.parametrize(("pipeline", "name"), SETS)
def test_default_is_not_worse_than_dense_only(pipeline: str, name: str,
                                              request: pytest.FixtureRequest) -> None:
    """recall@3 of the default config >= dense-only recall@3 minus one item, same index."""
    ingested = request.getfixturevalue(FIXTURES[pipeline])
    dataset = EXAMPLES / pipeline / "queries" / f"{name}.jsonl"
    store = {"index.store.path": ingested.config.index.store.path}
    default = evaluate(Runner.from_config(pipeline, store), dataset)
    dense = evaluate(Runner.from_config(pipeline, {**store, "retrieval.mode": "dense",
                                                      "retrieval.translate": False}), dataset)
    n = default.metrics["items"]
    assert default.metrics["errors"] == dense.metrics["errors"] == 0
    hits = {label: round(report.metrics["recall@3"] * n)
            for label, report in (("default", default), ("dense", dense))}
    assert hits["default"] >= hits["dense"] - 1, (hits, default.text())
