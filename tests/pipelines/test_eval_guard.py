"""The default retrieval is never worse than its dense part alone: every shipped eval set."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.eval

SETS = [(pipeline, name) for pipeline in ("error-screenshot-support", "math-question-from-photo",
                                          "lecture-video-qa")
        for name in ("queries", "crosslang")]
SETS += [("similar-case-retrieval", "queries"), ("loan-document-review", "queries")]


@pytest.mark.parametrize(("pipeline", "name"), SETS)
def test_default_is_not_worse_than_dense_only(pipeline: str, name: str, eval_report) -> None:
    """recall@3 of the default config >= dense-only recall@3 minus one item, same index."""
    default = eval_report(pipeline, name, "default")
    dense = eval_report(pipeline, name, "dense")
    n = default.metrics["items"]
    assert default.metrics["errors"] == dense.metrics["errors"] == 0
    hits = {label: round(report.metrics["recall@3"] * n)
            for label, report in (("default", default), ("dense", dense))}
    assert hits["default"] >= hits["dense"] - 1, (hits, default.text())
