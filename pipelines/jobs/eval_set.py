"""An eval set: labelled JSONL items (expected sources, pages, times, answer checks)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.errors import InputError
from pipelines.jobs.jsonl import Item, read_items


@dataclass
class EvalItem:
    """One labelled question: the batch item plus its expectations."""

    item: Item
    expected: list[str]
    expected_time: list[float] | None
    answer_contains: list[str]
    expected_pages: list[int] | None = None
    evidence_contains: list[str] = field(default_factory=list)
    expect_decline: bool = False
    expected_cases: list[str] = field(default_factory=list)  # retrieval.unit: case
    expected_duplicates: list[tuple[str, str]] | None = None  # (query image, case id) pairs


def _strings(value: Any, key: str, where: str) -> list[str]:
    values = [value] if isinstance(value, str) else value
    if values is None:
        return []
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise InputError(f"{where}: '{key}' must be a string or a list of strings")
    return values


def load_dataset(path: Path) -> list[EvalItem]:
    """Read and check a labelled set; a bad item is a one-line `InputError`."""
    items = []
    for item in read_items(path):
        where = f"{path}: item {item.id!r}"
        expected = _strings(item.extra.get("expected"), "expected", where)
        wanted = _strings(item.extra.get("answer_contains"), "answer_contains", where)
        span = item.extra.get("expected_time")
        if span is not None and not (
                isinstance(span, list) and len(span) == 2
                and all(isinstance(t, int | float) and not isinstance(t, bool) for t in span)
                and 0 <= span[0] <= span[1]):
            raise InputError(f"{where}: 'expected_time' must be [start, end] in seconds")
        if span is not None and not expected:
            raise InputError(f"{where}: 'expected_time' needs 'expected' sources")
        pages = _pages(item.extra.get("expected_pages"), where)
        if pages is not None and not expected:
            raise InputError(f"{where}: 'expected_pages' needs 'expected' sources")
        evidence = _strings(item.extra.get("evidence_contains"), "evidence_contains", where)
        decline = item.extra.get("expect_decline", False)
        if not isinstance(decline, bool):
            raise InputError(f"{where}: 'expect_decline' must be true or false")
        if decline and (expected or wanted or evidence):
            raise InputError(f"{where}: 'expect_decline' items have no expected sources, "
                             "answer or evidence")
        cases = _strings(item.extra.get("expected_cases"), "expected_cases", where)
        duplicates = _duplicates(item.extra.get("expected_duplicates"), where)
        if cases and expected:
            raise InputError(f"{where}: give 'expected' sources or 'expected_cases', not both")
        if not (expected or wanted or evidence or decline or cases or duplicates is not None):
            raise InputError(f"{where}: nothing to check; add 'expected', 'expected_cases', "
                             "'answer_contains', 'evidence_contains' or 'expect_decline'")
        items.append(EvalItem(item, expected, [float(t) for t in span] if span else None,
                              wanted, pages, evidence, decline, cases, duplicates))
    return items


def _pages(value: Any, where: str) -> list[int] | None:
    """`expected_pages`: a page number or a list of them (1-based)."""
    if value is None:
        return None
    pages = [value] if isinstance(value, int) else value
    if not (isinstance(pages, list) and pages and all(
            isinstance(p, int) and not isinstance(p, bool) and p >= 1 for p in pages)):
        raise InputError(f"{where}: 'expected_pages' must be a page number or a list of them")
    return pages


def _duplicates(value: Any, where: str) -> list[tuple[str, str]] | None:
    """`expected_duplicates`: [{"query_image": name, "case": id, ...}], [] for none."""
    if value is None:
        return None
    if not isinstance(value, list) or not all(
            isinstance(d, dict) and isinstance(d.get("query_image"), str)
            and isinstance(d.get("case"), str) for d in value):
        raise InputError(f"{where}: 'expected_duplicates' must be a list of objects with "
                         "'query_image' and 'case'")
    return [(d["query_image"], d["case"]) for d in value]
