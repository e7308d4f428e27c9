"""Scoring eval items: hits, recall@k, MRR, nDCG@5, answer/evidence checks, declines;
and the `EvalReport` that holds them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.jobs.eval_set import EvalItem
from pipelines.jobs.latency import percentile
from pipelines.query.location import clock, short_path

KS = (1, 3, 5)


NDCG_K = 5


def source_matches(source: str, expected: str) -> bool:
    """A cited source matches an expected path when the expected path is its tail."""
    got, want = Path(source).parts, Path(expected).parts
    return len(want) <= len(got) and got[-len(want):] == want


def times_overlap(start: float | None, end: float | None, want: list[float]) -> bool:
    """Whether a source's [start, end] (seconds) overlaps `want`; untimed sources never do.

    A source without an end is the instant `start`; touching intervals overlap only when one
    of them is an instant.
    """
    if start is None:
        return False
    end = start if end is None else end
    lo, hi = max(start, want[0]), min(end, want[1])
    return hi > lo or (hi == lo and (start == end or want[0] == want[1]))


def relevance(sources: list[dict[str, Any]], expected: list[str],
              expected_time: list[float] | None = None,
              expected_pages: list[int] | None = None) -> list[int]:
    """Binary relevance per rank: 1 where a source is the first match of an expected entry.

    A second passage of an already-found expected source counts 0, so nDCG stays within 1.
    With `expected_time`, a source must also overlap that interval; with `expected_pages`, it
    must be on one of those pages, and each (source, page) pair is found once.
    """
    found: set[tuple[int, int | None]] = set()
    rels = []
    for src in sources:
        hit = 0
        page = src.get("page") if expected_pages else None
        if (expected_time is None or times_overlap(src.get("start"), src.get("end"),
                                                   expected_time)) \
                and (not expected_pages or page in expected_pages):
            for n, want in enumerate(expected):
                if (n, page) not in found and source_matches(src["source"], want):
                    found.add((n, page))
                    hit = 1
                    break
        rels.append(hit)
    return rels


def first_hit_rank(sources: list[str], expected: list[str]) -> int | None:
    """1-based rank of the first source matching any expected path."""
    for rank, source in enumerate(sources, start=1):
        if any(source_matches(source, e) for e in expected):
            return rank
    return None


def ndcg(rels: list[int], n_relevant: int, k: int = NDCG_K) -> float:
    """Binary nDCG@k: DCG of the ranking over the DCG of `n_relevant` hits at the top."""
    dcg = sum(rel / math.log2(rank + 1) for rank, rel in enumerate(rels[:k], start=1))
    ideal = sum(1 / math.log2(rank + 1) for rank in range(1, min(n_relevant, k) + 1))
    return dcg / ideal if ideal else 0.0


def answer_missing(answer: str, wanted: list[str]) -> list[str]:
    """The `answer_contains` strings not in the answer (case- and whitespace-insensitive)."""
    text = " ".join(answer.split()).casefold()
    return [w for w in wanted if " ".join(w.split()).casefold() not in text]


def evidence_missing(texts: list[str], wanted: list[str]) -> list[str]:
    """The `evidence_contains` strings in none of the evidence texts (as `answer_missing`)."""
    return answer_missing("\n".join(texts), wanted)


@dataclass
class EvalReport:
    """Per-item results and the aggregate metrics of one evaluation run."""

    pipeline: str
    dataset: str = ""
    top_k: int = 5
    items: list[dict[str, Any]] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def failures(self) -> list[dict[str, Any]]:
        """Items that errored, missed the top 5, or failed their answer check."""
        return [i for i in self.items if i["status"] != "ok"]

    def recall_curve(self) -> list[float]:
        """recall@k for k = 1..top_k over the items with expected sources."""
        ranks = [i["rank"] for i in self.items if i["expected"]]
        n = len(ranks) or 1
        return [sum(1 for r in ranks if r and r <= k) / n for k in range(1, self.top_k + 1)]

    def to_dict(self) -> dict[str, Any]:
        """Everything, per item: the content of report.json."""
        return {"pipeline": self.pipeline, "dataset": self.dataset, "top_k": self.top_k,
                "metrics": self.metrics, "recall_curve": self.recall_curve(),
                "failures": [failure_line(i) for i in self.failures()], "items": self.items}

    def text(self) -> str:
        """Console summary: the metrics and one line per failure."""
        m = self.metrics
        lines = [f"eval {self.pipeline}: {m.get('items', 0):.0f} items, "
                 f"{m.get('errors', 0):.0f} errors",
                 "  " + "  ".join(f"{k} {m[k]:.3f}" for k in (*[f"recall@{k}" for k in KS],
                                                              "mrr", "ndcg@5") if k in m)]
        if "answer_pass_rate" in m:
            lines.append(f"  answer checks {m['answer_pass_rate']:.3f} "
                         f"({m['answer_passed']:.0f}/{m['answer_checked']:.0f})")
        if "evidence_pass_rate" in m:
            lines.append(f"  evidence checks (top {max(KS)}) {m['evidence_pass_rate']:.3f} "
                         f"({m['evidence_passed']:.0f}/{m['evidence_checked']:.0f})")
        if "decline_rate" in m:
            lines.append(f"  unanswerable declined {m['decline_rate']:.3f} "
                         f"({m['declined_correctly']:.0f}/{m['decline_checked']:.0f})")
        if "duplicates_precision" in m:
            lines.append(f"  near-duplicates precision {m['duplicates_precision']:.3f} "
                         f"recall {m['duplicates_recall']:.3f} ({m['duplicates_right']:.0f} "
                         f"right, {m['duplicates_wrong']:.0f} wrong, "
                         f"{m['duplicates_missed']:.0f} missed)")
        if m.get("answerable"):
            lines.append(f"  answerable but declined {m['withheld']:.0f}/{m['answerable']:.0f}"
                         f" ({m['withheld_hit_first']:.0f} with the right source first)")
        lines.append(f"  latency p50 {m.get('latency_p50_ms', 0):.0f} ms  "
                     f"p95 {m.get('latency_p95_ms', 0):.0f} ms")
        fails = self.failures()
        if fails:
            lines.append(f"failures ({len(fails)}):")
            lines += [f"  {failure_line(i)}" for i in fails]
        lines += [f"wrote {f}" for f in self.files]
        return "\n".join(lines)


def failure_line(item: dict[str, Any]) -> str:
    """One line saying what went wrong with an item."""
    if item["error"]:
        return f"{item['id']}: error: {item['error']}"
    parts = []
    if item["expected"] and (item["rank"] is None or item["rank"] > max(KS)):
        parts.append(_miss_line(item))
    if item["answer_missing"]:
        parts.append("answer lacks " + ", ".join(repr(w) for w in item["answer_missing"]))
    if item.get("evidence_missing"):
        parts.append("evidence lacks " + ", ".join(repr(w) for w in item["evidence_missing"]))
    if item.get("expect_decline") and not item.get("declined"):
        parts.append("answered although the knowledge base cannot answer it")
    if not item.get("expect_decline") and item.get("declined"):
        where = " (the right source was first)" if item["rank"] == 1 else ""
        parts.append(f"declined to answer{where}")
    return f"{item['id']}: " + "; ".join(parts)


def _miss_line(item: dict[str, Any]) -> str:
    """Why an item missed: the expected source not retrieved, or retrieved at the wrong time."""
    expected = ", ".join(item["expected"])
    if "cases" in item:  # a case ranking: name the cases it ranked instead
        got = ", ".join(item["cases"][:max(KS)]) or "no cases"
        where = "not retrieved" if item["rank"] is None else f"rank {item['rank']}"
        return f"miss ({where}): expected one of {expected}; ranked {got}"
    cited = [s for s in item["sources"]
             if any(source_matches(s["source"], e) for e in item["expected"])]
    if item["expected_time"] and cited:
        start, end = item["expected_time"]
        times = ", ".join(f"{clock(s['start'])}-{clock(s['end'])}" for s in cited[:3])
        return (f"miss (wrong time): expected {expected} at {clock(start)}-{clock(end)}, "
                f"cited it at {times}")
    top = short_path(item["sources"][0]["source"]) if item["sources"] else "nothing"
    if item.get("expected_pages"):
        expected += " p. " + ",".join(map(str, item["expected_pages"]))
        pages = [s["page"] for s in item["sources"]][:max(KS)]
        top += f" p. {','.join(str(p) for p in pages)}" if pages else ""
    where = "not retrieved" if item["rank"] is None else f"rank {item['rank']}"
    return f"miss ({where}): expected {expected}, got {top}"


def score_item(spec: EvalItem, answer: Any, latency_ms: float) -> dict[str, Any]:
    """The report row of one answered item."""
    sources = [{"rank": s.rank, "source": s.source, "page": s.page, "start": s.start,
                "end": s.end, "score": s.score} for s in answer.sources]
    if spec.expected_cases:  # a case ranking: a hit is an expected case
        ranked = getattr(answer, "cases", None) or []
        rels = [1 if c.case_id in spec.expected_cases else 0 for c in ranked]
        hit_ranks = {r for c in ranked if c.case_id in spec.expected_cases for r in c.sources}
        for src in sources:
            src["hit"] = src["rank"] in hit_ranks
    else:
        rels = relevance(sources, spec.expected, spec.expected_time, spec.expected_pages)
        for src, rel in zip(sources, rels, strict=True):
            src["hit"] = bool(rel)
    rank = rels.index(1) + 1 if 1 in rels else None
    missing = answer_missing(answer.answer, spec.answer_contains)
    lacking = evidence_missing([s.text for s in answer.sources[:max(KS)]],
                               spec.evidence_contains)
    relevant = len(spec.expected_cases or spec.expected_pages or spec.expected)
    declined = bool(getattr(answer, "declined", False))
    row = item_row(spec, latency_ms, rank=rank, sources=sources, answer=answer.answer,
               ndcg=round(ndcg(rels, relevant), 4) if spec.expected or spec.expected_cases
               else None,
               answer_passed=not missing if spec.answer_contains else None,
               answer_missing=missing, timings_ms=answer.timings_ms, declined=declined,
               evidence_passed=not lacking if spec.evidence_contains else None,
               evidence_missing=lacking)
    if getattr(answer, "cases", None) is not None:  # a case ranking: the ranked case ids
        row["cases"] = [c.case_id for c in answer.cases]
    if spec.expected_duplicates is not None:
        found_pairs = {(d.query_image, d.case_id)
                       for d in getattr(answer, "duplicates", None) or []}
        wanted_pairs = set(spec.expected_duplicates)
        row |= {"duplicates_found": sorted(map(list, found_pairs)),
                "duplicates_right": len(found_pairs & wanted_pairs),
                "duplicates_wrong": len(found_pairs - wanted_pairs),
                "duplicates_missed": len(wanted_pairs - found_pairs)}
    missed = bool(spec.expected or spec.expected_cases) and (rank is None or rank > max(KS))
    wrong_decline = declined != spec.expect_decline
    row["status"] = ("miss" if missed else "answer_failed" if missing
                     else "wrong_decline" if wrong_decline
                     else "evidence_missing" if lacking else "ok")
    return row


def item_row(spec: EvalItem, latency_ms: float | None, **values: Any) -> dict[str, Any]:
    item = spec.item
    row = {"id": item.id, "question": item.question, "images": item.images,
           "expected": spec.expected or spec.expected_cases, "expected_time": spec.expected_time,
           "expected_pages": spec.expected_pages, "answer_contains": spec.answer_contains,
           "evidence_contains": spec.evidence_contains, "expect_decline": spec.expect_decline,
           "rank": None, "ndcg": None, "answer_passed": None, "answer_missing": [],
           "evidence_passed": None, "evidence_missing": [], "declined": False,
           "latency_ms": latency_ms, "error": None, "status": "error", "sources": [],
           "answer": "", "timings_ms": {}}
    row.update(values)
    return row


def summarize(items: list[dict[str, Any]]) -> dict[str, float]:
    """Aggregate metrics; errored items count as misses and failed checks."""
    scored = [i for i in items if i["expected"]]
    n = len(scored) or 1
    ranks = [i["rank"] for i in scored]
    metrics: dict[str, float] = {"items": len(items),
                                 "errors": sum(1 for i in items if i["error"])}
    if scored:
        metrics |= {f"recall@{k}": sum(1 for r in ranks if r and r <= k) / n for k in KS}
        metrics["mrr"] = sum(1 / r for r in ranks if r) / n
        metrics["ndcg@5"] = sum(i["ndcg"] or 0.0 for i in scored) / n
    for name in ("answer", "evidence"):
        checked = [i for i in items if i[f"{name}_contains"]]
        if checked:
            passed = sum(1 for i in checked if i[f"{name}_passed"])
            metrics |= {f"{name}_checked": len(checked), f"{name}_passed": passed,
                        f"{name}_pass_rate": passed / len(checked)}
    metrics |= decline_metrics(items) | duplicate_metrics(items)
    latencies = [i["latency_ms"] for i in items if i["latency_ms"] is not None]
    metrics["latency_p50_ms"] = round(percentile(latencies, 50), 1)
    metrics["latency_p95_ms"] = round(percentile(latencies, 95), 1)
    return metrics


def duplicate_metrics(items: list[dict[str, Any]]) -> dict[str, float]:
    """Near-duplicate images reported vs labelled (`expected_duplicates`): pairs of
    (query image, case) over the items that label them."""
    checked = [i for i in items if "duplicates_right" in i]
    if not checked:
        return {}
    right = sum(i["duplicates_right"] for i in checked)
    wrong = sum(i["duplicates_wrong"] for i in checked)
    missed = sum(i["duplicates_missed"] for i in checked)
    return {"duplicates_checked": len(checked), "duplicates_right": right,
            "duplicates_wrong": wrong, "duplicates_missed": missed,
            "duplicates_precision": right / (right + wrong) if right + wrong else 1.0,
            "duplicates_recall": right / (right + missed) if right + missed else 1.0}


def decline_metrics(items: list[dict[str, Any]]) -> dict[str, float]:
    """Both errors of the decision to answer: unanswerable items answered, and answerable
    items declined (`withheld`), also counted where the right source was ranked first."""
    metrics: dict[str, float] = {}
    unanswerable = [i for i in items if i["expect_decline"] and not i["error"]]
    if unanswerable:
        declined = sum(1 for i in unanswerable if i["declined"])
        metrics |= {"decline_checked": len(unanswerable), "declined_correctly": declined,
                    "decline_rate": declined / len(unanswerable)}
    answerable = [i for i in items if not i["expect_decline"] and not i["error"]]
    withheld = [i for i in answerable if i["declined"]]
    metrics |= {"answerable": len(answerable), "withheld": len(withheld),
                "withheld_hit_first": sum(1 for i in withheld if i["rank"] == 1)}
    return metrics
