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
        if not (expected or wanted or evidence or decline):
            raise InputError(f"{where}: nothing to check; add 'expected', 'answer_contains', "
                             "'evidence_contains' or 'expect_decline'")
        items.append(EvalItem(item, expected, [float(t) for t in span] if span else None,
                              wanted, pages, evidence, decline))
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
