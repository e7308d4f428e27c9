"""Evaluation over a labelled JSONL set: recall@k, MRR, nDCG@5, answer checks, latency."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from pipelines.errors import MmragError
from pipelines.jobs.eval_report import write_report
from pipelines.jobs.eval_score import EvalReport, item_row, score_item, summarize
from pipelines.jobs.eval_set import EvalItem, load_dataset


def run_item(runner: Any, spec: EvalItem) -> dict[str, Any]:
    """Query one item; an error (e.g. a missing image) is recorded, not raised."""
    started = time.perf_counter()
    try:
        answer = runner.query(spec.item.question, spec.item.images, spec.item.extra.get("where"),
                              **spec.item.query_options())
    except MmragError as exc:
        return item_row(spec, None, error=str(exc),
                    answer_passed=False if spec.answer_contains else None,
                    answer_missing=list(spec.answer_contains),
                    evidence_passed=False if spec.evidence_contains else None,
                    evidence_missing=list(spec.evidence_contains))
    return score_item(spec, answer, round((time.perf_counter() - started) * 1000, 1))


def evaluate(runner: Any, dataset: Path, report_dir: Path | None = None) -> EvalReport:
    """Run every item of `dataset` through `runner`; with `report_dir`, write the report files."""
    specs = load_dataset(dataset)
    runner.index.check_ready()
    runner.retrieve("warm-up")  # models and indexes load here, not in the first item's latency
    report = EvalReport(runner.config.name, str(dataset), runner.config.retrieval.top_k)
    report.items = [run_item(runner, spec) for spec in specs]
    report.metrics = summarize(report.items)
    if report_dir:
        report.files = [str(p) for p in write_report(report, report_dir)]
    return report
