"""Metadata filters (`--where key=value`): parsed into a Chroma `where` clause.

Syntax, one condition per item, all conditions must hold:
    source=docs/pip-ssl.md      exact match; `*`/`?` make it a glob over indexed sources
    page=3    page=2..5         equality or an inclusive range (either end may be left open)
    modality!=image             also >, >=, <, <=
Numbers are compared as numbers; everything else as strings.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from typing import Any

from pipelines.errors import InputError

_CONDITION = re.compile(r"^\s*([A-Za-z_][\w.-]*)\s*(!=|>=|<=|=|>|<)\s*(.*?)\s*$")
_OPERATORS = {"=": "$eq", "!=": "$ne", ">": "$gt", ">=": "$gte", "<": "$lt", "<=": "$lte"}
_RANGE = re.compile(r"^(-?[\d.]*)\.\.(-?[\d.]*)$")

Where = dict[str, Any]


def _value(text: str) -> str | int | float:
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def _condition(item: str) -> list[Where]:
    match = _CONDITION.match(item)
    if not match or not match.group(3):
        raise InputError(f"--where {item!r}: expected KEY=VALUE, e.g. source=docs/a.md, "
                         "page=2..5, modality=image")
    key, op, raw = match.groups()
    bounds = _RANGE.match(raw) if op == "=" else None
    if bounds:
        low, high = (_value(b) if b else None for b in bounds.groups())
        if isinstance(low, str) or isinstance(high, str) or low is high is None:
            raise InputError(f"--where {item!r}: a range needs numbers, e.g. page=2..5")
        return ([{key: {"$gte": low}}] if low is not None else []) + (
            [{key: {"$lte": high}}] if high is not None else [])
    return [{key: {_OPERATORS[op]: _value(raw)}}]


def parse_where(items: str | Iterable[str] | Mapping[str, Any] | None) -> Where | None:
    """`key=value` strings (or a ready Chroma clause) -> one Chroma `where` clause or None."""
    if not items:
        return None
    if isinstance(items, Mapping):
        return dict(items)
    conditions = [c for item in ([items] if isinstance(items, str) else items)
                  for c in _condition(item)]
    return conditions[0] if len(conditions) == 1 else {"$and": conditions}


def expand_globs(where: Where | None, sources: list[str]) -> Where | None:
    """Replace `source` globs by the list of indexed sources they match (`$in`)."""
    if where is None:
        return None
    if "$and" in where:
        return {"$and": [expand_globs(c, sources) for c in where["$and"]]}
    spec = where.get("source")
    if isinstance(spec, dict) and set(spec) == {"$eq"} and isinstance(spec["$eq"], str) \
            and any(ch in spec["$eq"] for ch in "*?["):
        return {"source": {"$in": fnmatch.filter(sources, spec["$eq"]) or [spec["$eq"]]}}
    return where
