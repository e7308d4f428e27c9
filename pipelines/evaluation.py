"""Retrieval evaluation over a labelled JSONL set: recall@k and MRR."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipelines.jsonl import read_items

KS = (1, 3, 5)


def source_matches(source: str, expected: str) -> bool:
    """A cited source matches an expected path when the expected path is its tail."""
    got, want = Path(source).parts, Path(expected).parts
    return len(want) <= len(got) and got[-len(want):] == want


def first_hit_rank(sources: list[str], expected: list[str]) -> int | None:
    """1-based rank of the first source matching any expected path."""
    for rank, source in enumerate(sources, start=1):
        if any(source_matches(source, e) for e in expected):
            return rank
    return None


@dataclass
class EvalReport:
    """Per-item ranks and the aggregate metrics."""

    pipeline: str
    items: list[dict[str, Any]] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)

    def text(self) -> str:
        lines = [f"eval {self.pipeline}: {len(self.items)} items"]
        lines += [f"  {name:<12} {value:.3f}" for name, value in self.metrics.items()]
        misses = [i for i in self.items if i["rank"] is None or i["rank"] > 5]
        lines += [f"  miss: {i['id']} expected {i['expected']} got {i['top'][:1]}" for i in misses]
        return "\n".join(lines)


def evaluate(runner: Any, dataset: Path, report_dir: Path | None = None) -> EvalReport:
    """Run each item's query and score where its expected sources rank."""
    report = EvalReport(runner.config.name)
    for item in read_items(dataset):
        expected = item.extra.get("expected") or []
        expected = [expected] if isinstance(expected, str) else list(expected)
        started = time.perf_counter()
        answer = runner.query(item.question, item.images)
        sources = [s.source for s in answer.sources]
        report.items.append({
            "id": item.id, "expected": expected, "top": sources,
            "rank": first_hit_rank(sources, expected),
            "latency_ms": round((time.perf_counter() - started) * 1000, 1),
        })
    report.metrics = _metrics(report.items)
    if report_dir:
        report_dir.mkdir(parents=True, exist_ok=True)
        (report_dir / "report.json").write_text(json.dumps(asdict(report), indent=2,
                                                           ensure_ascii=False))
    return report


def _metrics(items: list[dict[str, Any]]) -> dict[str, float]:
    n = len(items) or 1
    ranks = [i["rank"] for i in items]
    metrics = {f"recall@{k}": sum(1 for r in ranks if r and r <= k) / n for k in KS}
    metrics["mrr"] = sum(1 / r for r in ranks if r) / n
    latencies = sorted(i["latency_ms"] for i in items) or [0.0]
    metrics["latency_p50_ms"] = latencies[len(latencies) // 2]
    return metrics
