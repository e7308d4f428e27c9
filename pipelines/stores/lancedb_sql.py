"""Store-neutral filters -> LanceDB SQL predicates over the typed metadata columns.

Each metadata key the filters can name is a column `m_<key>` of one kind: "num" (float64),
"str" or "bool". A condition on a key the table has no column for, or with a value of
another kind, matches nothing; `!=` and not-in also match nodes without the key (as Chroma).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pipelines.stores.filters import And, Compare, Filter, Glob, In, Or, Range, Value, glob_values

Kind = str  # "num" | "str" | "bool"
_SQL_OPS = {"eq": "=", "ne": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
TRUE, FALSE = "TRUE", "FALSE"


def column(key: str) -> str:
    """The column that holds metadata `key`."""
    return "m_" + re.sub(r"[^A-Za-z0-9_]", "_", key)


def kind(value: object) -> Kind | None:
    """The column kind of a metadata value (None: not filterable, e.g. "" or None)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "num"
    if isinstance(value, str) and value != "":
        return "str"
    return None


def literal(value: Value) -> str:
    if isinstance(value, bool):
        return TRUE if value else FALSE
    if isinstance(value, int | float):
        return repr(value)
    return "'" + value.replace("'", "''") + "'"


def to_sql(where: Filter, kinds: dict[str, Kind],
           distinct: Callable[[str], list[str]]) -> str:
    """The SQL predicate of `where`; `kinds` maps columns to kinds, `distinct(column)` gives
    a string column's stored values (for globs LIKE cannot express)."""
    if isinstance(where, And | Or):
        joiner = " AND " if isinstance(where, And) else " OR "
        return "(" + joiner.join(to_sql(c, kinds, distinct) for c in where.items) + ")"
    col = column(where.key)
    have = kinds.get(col)
    if isinstance(where, Compare):
        if have is None or kind(where.value) != have:
            return TRUE if where.op == "ne" else FALSE
        test = f"{col} {_SQL_OPS[where.op]} {literal(where.value)}"
        return f"({col} IS NULL OR {test})" if where.op == "ne" else test
    if isinstance(where, In):
        values = [v for v in where.values if kind(v) == have] if have else []
        if not values:
            return TRUE if where.negate else FALSE
        listed = f"{col} {'NOT IN' if where.negate else 'IN'} ({', '.join(map(literal, values))})"
        return f"({col} IS NULL OR {listed})" if where.negate else listed
    if isinstance(where, Range):
        if have != "num":
            return FALSE
        bounds = ([f"{col} >= {literal(where.low)}"] if where.low is not None else []) + (
            [f"{col} <= {literal(where.high)}"] if where.high is not None else [])
        return "(" + " AND ".join(bounds) + ")"
    if isinstance(where, Glob):
        return _glob(col, have, where.pattern, distinct)
    raise TypeError(f"not a filter: {where!r}")


def _glob(col: str, have: Kind | None, pattern: str,
          distinct: Callable[[str], list[str]]) -> str:
    if have != "str":
        return FALSE
    if not any(ch in pattern for ch in "[%_\\"):  # `*`/`?` only: a plain LIKE
        return f"{col} LIKE {literal(pattern.replace('*', '%').replace('?', '_'))}"
    values = glob_values(pattern, distinct(col))
    return f"{col} IN ({', '.join(map(literal, values))})" if values else FALSE
