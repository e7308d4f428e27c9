"""One registry of components by kind: short names, dotted paths, Params models, plugins.

Entries are lazy `module:Class` strings (nothing heavy is imported to validate) or classes.
Each kind has a base class that a user's class must extend. Loaders are kept in priority
order: a registered loader goes before the built-ins. `pipelines.registry` adds its kinds
(stores, embeddings, LLM engines, retrieval stages) and the `mmrag.plugins` entry points to
the same instance.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING

from loaders.base import Loader
from loaders.errors import MmragError

if TYPE_CHECKING:
    from pydantic import BaseModel

PLUGIN_GROUP = "mmrag.plugins"
Target = str | type


@dataclass
class Entry:
    """A registered component: its class (or `module:Class`), its Params model (or its
    `module:Model` path, so settings validate without importing the class), and whether it is
    used only when named (loaders that would accept any file)."""

    target: Target
    params: Target | None = None
    explicit: bool = False


@dataclass
class Kind:
    """A kind of component: the base class its classes extend, and its entries in order."""

    base: str
    entries: dict[str, Entry] = field(default_factory=dict)


class Registry:
    """Every kind of component by short name; see the module docstring."""

    def __init__(self) -> None:
        self._kinds: dict[str, Kind] = {}
        self._plugins_loaded = False

    def define(self, kind: str, base: str, entries: dict[str, Entry] | None = None) -> None:
        """Add a kind whose classes extend `base` (`module:Class`), unless it exists."""
        if kind not in self._kinds:
            self._kinds[kind] = Kind(base, dict(entries or {}))

    def has_kind(self, kind: str) -> bool:
        return kind in self._kinds

    def copy(self) -> Registry:
        """An independent registry with the same entries (plugins already loaded stay)."""
        other = Registry()
        other._kinds = {k: Kind(v.base, dict(v.entries)) for k, v in self._kinds.items()}
        other._plugins_loaded = self._plugins_loaded
        return other

    def register(self, kind: str, name: str, target: Target, params: Target | None = None,
                 explicit: bool = False) -> None:
        """Register `target` as `name`; a loader goes first in priority, ahead of the others."""
        entries = self._kind(kind).entries
        entry = Entry(target, params, explicit)
        if kind == "loader":
            rest = {k: v for k, v in entries.items() if k != name}
            entries.clear()
            entries.update({name: entry, **rest})
        else:
            entries[name] = entry

    def names(self, kind: str) -> list[str]:
        """Every short name of `kind`: the automatic ones in priority order, then explicit ones."""
        entries = self._entries(kind)
        return ([n for n, e in entries.items() if not e.explicit]
                + [n for n, e in entries.items() if e.explicit])

    def automatic(self, kind: str) -> list[str]:
        """Names used without being named (loaders matched to files), highest priority first."""
        return [n for n, e in self._entries(kind).items() if not e.explicit]

    def check_name(self, kind: str, name: str) -> None:
        """Raise MmragError unless `name` is a short name of `kind` or a dotted path."""
        if name not in self._entries(kind) and "." not in name:
            raise unknown_name(label(kind), name, self.names(kind))

    def resolve(self, kind: str, name: str) -> type:
        """The class for `name` (imported now), checked against the kind's base class."""
        entry = self._entries(kind).get(name)
        cls = _load(kind, name, entry.target if entry else name, self.names(kind))
        base = _load(kind, "base", self._kind(kind).base, [])
        if not (isinstance(cls, type) and isinstance(base, type) and issubclass(cls, base)):
            raise MmragError(f"{label(kind)} {name!r} is not a subclass of "
                             f"{base.__module__}.{base.__name__}")
        return cls

    def params_model(self, kind: str, name: str) -> type[BaseModel] | None:
        """The Params model of `name` (None: it takes no checked settings). A built-in's
        model path is imported, not its class; a dotted path imports the user's class."""
        from pydantic import BaseModel

        entry = self._entries(kind).get(name)
        if entry is not None and entry.params is not None:
            model = _load(kind, name, entry.params, [])
        else:
            model = getattr(self.resolve(kind, name), "Params", None)
        if model is not None and not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise MmragError(f"{label(kind)} {name!r}: its Params is not a pydantic model")
        return model

    def load_plugins(self) -> None:
        """Run each `mmrag.plugins` entry point once: a callable gets this registry; a
        module registers itself when imported."""
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        for point in entry_points(group=PLUGIN_GROUP):
            try:
                plugin = point.load()
                if callable(plugin):
                    plugin(self)
            except MmragError:
                raise
            except Exception as exc:  # a broken plugin: one line naming it
                raise MmragError(f"plugin {point.name!r} ({point.value}): cannot load: "
                                 f"{exc.__class__.__name__}: {exc}") from None

    def _kind(self, kind: str) -> Kind:
        try:
            return self._kinds[kind]
        except KeyError:
            raise MmragError(f"unknown component kind {kind!r}; valid: "
                             f"{', '.join(self._kinds)}") from None

    def _entries(self, kind: str) -> dict[str, Entry]:
        return self._kind(kind).entries


def label(kind: str) -> str:
    """How messages name a kind: `text_embedding` -> `text embedding`."""
    return {"ocr": "OCR engine"}.get(kind, kind.replace("_", " "))


def unknown_name(kind: str, name: str, valid: list[str]) -> MmragError:
    """The error for a `type:` name that is neither registered nor a dotted path."""
    close = difflib.get_close_matches(name, valid, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return MmragError(
        f"unknown {kind} {name!r}; valid: {', '.join(valid)} or a dotted path "
        f"to your own class{hint}"
    )


def _load(kind: str, name: str, target: Target, valid: list[str]) -> object:
    """The object a `module:Class` or `module.Class` target names (a class is itself)."""
    if not isinstance(target, str):
        return target
    if ":" in target:
        module_name, attr = target.split(":", 1)
    elif "." in target:
        module_name, _, attr = target.rpartition(".")
    else:
        raise unknown_name(label(kind), name, valid)
    try:
        return getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise MmragError(f"cannot import {label(kind)} {name!r}: {exc}") from None


def builtins() -> Registry:
    """A registry with the loaders' kinds: `loader` and `ocr`."""
    reg = Registry()
    params = "loaders.params:"
    reg.define("loader", "loaders.base:Loader", {
        "pdf": Entry("loaders.pdf:PdfLoader", params + "PdfParams"),
        "subtitles": Entry("loaders.subtitles:SubtitleLoader", params + "SubtitleParams"),
        "video": Entry("loaders.video:VideoLoader", params + "VideoParams"),
        "dicom": Entry("loaders.dicom:DicomLoader", params + "DicomParams"),
        "image": Entry("loaders.image:ImageLoader", params + "NoParams"),
        "html": Entry("loaders.html:HtmlLoader", params + "NoParams"),
        "text": Entry("loaders.text:TextLoader", params + "NoParams"),
        "langchain": Entry("loaders.langchain:LangChainLoader", params + "LangChainParams",
                           explicit=True),
    })
    reg.define("ocr", "loaders.base:OcrEngine", {
        "tesseract": Entry("loaders.tesseract:TesseractEngine", params + "NoParams"),
        "rapidocr": Entry("loaders.rapidocr:RapidOcrEngine", params + "NoParams"),
    })
    return reg


_current: Registry | None = None


def current() -> Registry:
    """The registry in use (made with the built-ins on first use). `pipelines.registry`
    adds its kinds and the plugins to it."""
    global _current
    if _current is None:
        _current = builtins()
    return _current


@contextmanager
def scoped(registry: Registry | None = None) -> Iterator[Registry]:
    """Use a copy of the current registry (or `registry`) inside the block: registrations
    made there are gone after it (for tests and notebooks that try things)."""
    global _current
    saved = current()
    _current = registry or saved.copy()
    try:
        yield _current
    finally:
        _current = saved


def known() -> dict[str, Target]:
    """Every loader name and target: the automatic ones in priority order, then explicit ones."""
    entries = current()._entries("loader")
    return {name: entries[name].target for name in current().names("loader")}


def loader_names() -> list[str]:
    """Registered loader names used without being named, highest priority first."""
    return current().automatic("loader")


def loader_class(name: str) -> type[Loader]:
    """Resolve a loader short name or dotted path to a Loader subclass."""
    return current().resolve("loader", name)


def register(name: str, target: Target) -> None:
    """Register `module:Class` (or the class itself) as a loader, ahead of the built-ins."""
    current().register("loader", name, target)


def pick_loader(path: Path, loaders: list[Loader]) -> Loader | None:
    """The first loader that accepts `path`, or None."""
    return next((loader for loader in loaders if loader.accepts(path)), None)
