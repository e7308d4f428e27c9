"""Metadata filters (`--where key=value`), parsed into a store-neutral expression.

Syntax, one condition per item, all conditions must hold:
    source=docs/pip-ssl.md      exact match; `*`/`?` make it a glob over indexed sources
    page=3    page=2..5         equality or an inclusive range (either end may be left open)
    modality!=image             also >, >=, <, <=
Numbers are compared as numbers; everything else as strings.

Python callers may also pass a Chroma-style `where` dict (`{"page": {"$gte": 2}}`, `$and`,
`$or`, `$in`, `$nin`); it is parsed into the same expression. Each store translates the
expression into its own form (`to_chroma` here; the LanceDB store writes SQL). Semantics,
as Chroma's: a node without the key matches only `!=` and not-in.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pipelines.errors import InputError

Value = str | int | float | bool
Op = Literal["eq", "ne", "gt", "gte", "lt", "lte"]
GLOB_CHARS = "*?["


@dataclass(frozen=True)
class Compare:
    """`key <op> value`."""

    key: str
    op: Op
    value: Value


@dataclass(frozen=True)
class In:
    """`key` is one of `values` (or none of them, with `negate`)."""

    key: str
    values: tuple[Value, ...]
    negate: bool = False


@dataclass(frozen=True)
class Range:
    """`low <= key <= high`; either end may be None (open)."""

    key: str
    low: int | float | None
    high: int | float | None


@dataclass(frozen=True)
class Glob:
    """`key` matches a shell-style pattern (`*`, `?`, `[...]`), case-sensitive."""

    key: str
    pattern: str


@dataclass(frozen=True)
class And:
    items: tuple[Filter, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Filter, ...]


Filter = Compare | In | Range | Glob | And | Or
Where = Filter  # the name callers used for a parsed filter

_CONDITION = re.compile(r"^\s*([A-Za-z_][\w.-]*)\s*(!=|>=|<=|=|>|<)\s*(.*?)\s*$")
_OPERATORS: dict[str, Op] = {"=": "eq", "!=": "ne", ">": "gt", ">=": "gte", "<": "lt",
                             "<=": "lte"}
_RANGE = re.compile(r"^(-?[\d.]*)\.\.(-?[\d.]*)$")


def _value(text: str) -> str | int | float:
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def _compare(key: str, op: Op, value: Value) -> Filter:
    """A comparison; an equality of `source` with glob characters is a glob."""
    if op == "eq" and key == "source" and isinstance(value, str) \
            and any(ch in value for ch in GLOB_CHARS):
        return Glob(key, value)
    return Compare(key, op, value)


def _condition(item: str) -> Filter:
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
        return Range(key, low, high)
    return _compare(key, _OPERATORS[op], _value(raw))


def parse_where(items: str | Iterable[str] | Mapping[str, Any] | Filter | None
                ) -> Filter | None:
    """`key=value` strings, a Chroma-style dict or a ready expression -> a `Filter` or None."""
    if not items:
        return None
    if isinstance(items, Compare | In | Range | Glob | And | Or):
        return items
    if isinstance(items, Mapping):
        return from_dict(items)
    conditions = [_condition(item) for item in ([items] if isinstance(items, str) else items)]
    return conditions[0] if len(conditions) == 1 else And(tuple(conditions))


def from_dict(where: Mapping[str, Any]) -> Filter:
    """A Chroma-style `where` dict -> a `Filter` (several keys are all required)."""
    parts: list[Filter] = []
    for key, spec in where.items():
        if key in ("$and", "$or"):
            if not isinstance(spec, list) or not spec:
                raise InputError(f"where {key}: expected a non-empty list of conditions")
            items = tuple(from_dict(c) for c in spec)
            parts.append(items[0] if len(items) == 1 else (And if key == "$and" else Or)(items))
        elif isinstance(spec, Mapping):
            parts += [_operator(key, op, arg) for op, arg in spec.items()]
        else:
            parts.append(_compare(key, "eq", _scalar(key, spec)))
    if not parts:
        raise InputError("where: an empty condition")
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def _operator(key: str, op: str, arg: Any) -> Filter:
    if op in ("$in", "$nin"):
        if not isinstance(arg, list | tuple):
            raise InputError(f"where {key}: {op} needs a list of values")
        return In(key, tuple(_scalar(key, v) for v in arg), negate=op == "$nin")
    name = op.removeprefix("$")
    if name not in _OPERATORS.values():
        raise InputError(f"where {key}: unknown operator {op!r} (use $eq, $ne, $gt, $gte, $lt, "
                         "$lte, $in, $nin)")
    return _compare(key, name, _scalar(key, arg))  # type: ignore[arg-type]


def _scalar(key: str, value: Any) -> Value:
    if not isinstance(value, str | int | float | bool):
        raise InputError(f"where {key}: expected a string or number, got {value!r}")
    return value


def expand_globs(where: Filter | None, sources: list[str]) -> Filter | None:
    """Replace `source` globs by the list of indexed sources they match (an `In`)."""
    if isinstance(where, And | Or):
        return type(where)(tuple(expand_globs(c, sources) for c in where.items))
    if isinstance(where, Glob) and where.key == "source":
        return In("source", tuple(fnmatch.filter(sources, where.pattern) or [where.pattern]))
    return where


def glob_values(pattern: str, values: Iterable[Any]) -> tuple[Value, ...]:
    """The distinct string `values` a glob matches (for stores without a native glob)."""
    return tuple(sorted({v for v in values if isinstance(v, str)
                         and fnmatch.fnmatchcase(v, pattern)}))


def to_chroma(where: Filter) -> dict[str, Any]:
    """The Chroma `where` dict of an expression (a `Glob` must be expanded first)."""
    if isinstance(where, Compare):
        return {where.key: {f"${where.op}": where.value}}
    if isinstance(where, In):
        return {where.key: {"$nin" if where.negate else "$in": list(where.values)}}
    if isinstance(where, Range):
        parts = _range_parts(where)
        return parts[0] if len(parts) == 1 else {"$and": parts}
    if isinstance(where, Glob):
        raise ValueError(f"glob on {where.key!r} must be expanded before Chroma sees it")
    items: list[dict[str, Any]] = []
    for item in where.items:  # ranges inside an $and flatten into their two bounds
        items += _range_parts(item) if isinstance(item, Range) and isinstance(where, And) \
            else [to_chroma(item)]
    return {"$and" if isinstance(where, And) else "$or": items}


def _range_parts(where: Range) -> list[dict[str, Any]]:
    return ([{where.key: {"$gte": where.low}}] if where.low is not None else []) + (
        [{where.key: {"$lte": where.high}}] if where.high is not None else [])
