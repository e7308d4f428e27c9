"""Loader registry: short names in priority order, plus dotted paths to users' own classes."""

from __future__ import annotations

import difflib
import importlib
from pathlib import Path

from loaders.base import Loader
from loaders.errors import MmragError

LOADERS: dict[str, str | type] = {
    "pdf": "loaders.pdf:PdfLoader",
    "subtitles": "loaders.subtitles:SubtitleLoader",
    "video": "loaders.video:VideoLoader",
    "dicom": "loaders.dicom:DicomLoader",
    "image": "loaders.image:ImageLoader",
    "html": "loaders.html:HtmlLoader",
    "text": "loaders.text:TextLoader",
}
# Loaders used only when a source names them (they would accept any file).
EXPLICIT: dict[str, str | type] = {"langchain": "loaders.langchain:LangChainLoader"}


def known() -> dict[str, str | type]:
    """Every loader name: the automatic ones in priority order, then the explicit-only ones."""
    return {**LOADERS, **EXPLICIT}


def unknown_name(kind: str, name: str, valid: list[str]) -> MmragError:
    """The error for a `type:` name that is neither registered nor a dotted path."""
    close = difflib.get_close_matches(name, valid, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return MmragError(
        f"unknown {kind} {name!r}; valid: {', '.join(valid)} or a dotted path "
        f"to your own class{hint}"
    )


def import_class(kind: str, name: str, table: dict[str, str | type], base: type) -> type:
    """Resolve a short name from `table` (a target or a registered class), or a dotted path,
    to a subclass of `base`."""
    target = table.get(name, name)
    cls = target if isinstance(target, type) else _import(kind, name, target, table)
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise MmragError(f"{kind} {name!r} is not a subclass of {base.__module__}.{base.__name__}")
    return cls


def _import(kind: str, name: str, target: str, table: dict[str, str | type]) -> object:
    """The object a `module:Class` or `module.Class` target names."""
    if ":" in target:
        module_name, attr = target.split(":", 1)
    elif "." in target:
        module_name, _, attr = target.rpartition(".")
    else:
        raise unknown_name(kind, name, list(table))
    try:
        return getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise MmragError(f"cannot import {kind} {name!r}: {exc}") from None


def loader_names() -> list[str]:
    """Registered loader names, highest priority first."""
    return list(LOADERS)


def loader_class(name: str) -> type[Loader]:
    """Resolve a loader short name or dotted path to a Loader subclass."""
    return import_class("loader", name, known(), Loader)


def register(name: str, target: str | type) -> None:
    """Register `module:Class` (or the class itself) under `name`, ahead of the built-ins."""
    rest = {k: v for k, v in LOADERS.items() if k != name}
    LOADERS.clear()
    LOADERS.update({name: target, **rest})


def pick_loader(path: Path, loaders: list[Loader]) -> Loader | None:
    """The first loader that accepts `path`, or None."""
    return next((loader for loader in loaders if loader.accepts(path)), None)
