"""Checking a component's settings against the pydantic `Params` model it declares.

A config section names a component (`llm.type`, `ocr.engine`, `index.store.type`,
`sources[].loader`); its own keys (the section's extra keys, or a source's `params`) are
validated against that component's Params at config load. Problems are raised as one
`ParamsError` that `settings.describe` turns into the usual one-line messages.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from loaders.errors import MmragError
from pipelines import registry

if TYPE_CHECKING:
    from pydantic import BaseModel


class ParamsError(ValueError):
    """Settings that do not fit a component's Params: each problem as (key path, message)."""

    def __init__(self, problems: list[tuple[tuple[str, ...], str]]) -> None:
        super().__init__("; ".join(f"{'.'.join(loc)}: {msg}" for loc, msg in problems))
        self.problems = problems


def check_name(kind: str, name: str) -> None:
    """`registry.check_name` as a ValueError for pydantic (nothing is imported)."""
    try:
        registry.check_name(kind, name)
    except MmragError as exc:
        raise ValueError(str(exc)) from None


def component(kind: str, name: str, load: bool) -> type[BaseModel] | None:
    """The Params model of `name` (checking the name; `load` imports a dotted path and
    checks its base class). Registry errors become ValueErrors for pydantic."""
    try:
        registry.check_name(kind, name)
        if "." in name and not load:
            return None
        if "." in name:
            registry.resolve(kind, name)
        return registry.params_model(kind, name)
    except MmragError as exc:
        raise ValueError(str(exc)) from None


def keys(model: type[BaseModel]) -> list[str]:
    """The keys a Params model accepts (aliases where set)."""
    return [field.alias or name for name, field in model.model_fields.items()]


def check(model: type[BaseModel] | None, data: dict[str, Any], where: tuple[str, ...],
          shared: Sequence[str] = (), owner: str = "") -> BaseModel | None:
    """`data` validated by `model`, or ParamsError naming each bad key under `where`.

    `shared` are the section's own fields, listed with the model's keys as valid keys;
    `owner` (e.g. "llm type 'openai'") is named when a key is unknown. A component without
    Params (None) accepts no keys.
    """
    from pydantic import ValidationError

    valid = [*shared, *(keys(model) if model else [])]
    if model is None:
        if data:
            raise ParamsError([_unknown(where, k, valid, owner) for k in data])
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(str(p) for p in err["loc"])
            if err["type"] == "extra_forbidden" and len(loc) == 1:
                problems.append(_unknown(where, loc[0], valid, owner))
            else:
                problems.append(((*where, *loc), err["msg"].removeprefix("Value error, ")))
        raise ParamsError(problems) from None


def check_any(models: list[type[BaseModel] | None], data: dict[str, Any],
              where: tuple[str, ...]) -> None:
    """Params given to several components at once (a source without `loader:` passes them
    to every automatic loader): each key must belong to one of them, and each model checks
    the keys it has. A component without Params takes any key."""
    if not data or any(m is None for m in models):
        return
    known = [m for m in models if m is not None]
    valid = sorted({k for m in known for k in keys(m)})
    problems = [_unknown(where, k, valid, "") for k in data if k not in valid]
    for model in known:
        mine = {k: v for k, v in data.items() if k in keys(model)}
        try:
            check(model, mine, where)
        except ParamsError as exc:
            problems += [p for p in exc.problems if p not in problems]
    if problems:
        raise ParamsError(problems)


def _unknown(where: tuple[str, ...], key: str, valid: Sequence[str], owner: str
             ) -> tuple[tuple[str, ...], str]:
    close = difflib.get_close_matches(key, valid, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    of = f" of {owner}" if owner else ""
    return (*where, key), (f"unknown key{of}; valid keys here: {', '.join(valid) or '(none)'}"
                           f"{hint}")
